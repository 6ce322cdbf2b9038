package plan

import (
	"bytes"
	"embed"
	"io/fs"
	"path"
	"sort"
)

// The default plans: definitions (*.plan.json, rules and data files as
// data) and copies of ../shared/data/plans, facts compiled from public
// sources, each row with its source; and the changes of divisions since
// the boundaries were drawn.
//
//go:embed defaults/*.csv defaults/*.plan.json
var defaultFiles embed.FS

// Default plan ids.
const (
	ChongqingID = "chongqing-2023"
	ShandongID  = "shandong-clusters"
	HenanID     = "henan-clusters"
)

// DivisionChangesFile is the default division changes' file name.
const DivisionChangesFile = "division-changes.csv"

// Defaults holds the built-in plans, the zones they define, and the
// known changes of divisions.
type Defaults struct {
	Plans []Plan // by id
	// Zones are units without a surveyed polygon (Chongqing's functional
	// zones).
	Zones   []Unit
	Changes []DivisionChange
}

// Plan finds a default plan by id.
func (d *Defaults) Plan(id string) (*Plan, bool) {
	for i := range d.Plans {
		if d.Plans[i].ID == id {
			return &d.Plans[i], true
		}
	}
	return nil, false
}

// LoadDefaults reads every embedded plan definition with its data files,
// and the division changes.
func LoadDefaults() (Defaults, error) {
	var d Defaults
	names, err := fs.Glob(defaultFiles, "defaults/*.plan.json")
	if err != nil {
		return d, err
	}
	sort.Strings(names)
	open := func(name string) ([]byte, error) { return defaultFiles.ReadFile(path.Join("defaults", name)) }
	for _, name := range names {
		b, err := defaultFiles.ReadFile(name)
		if err != nil {
			return d, err
		}
		def, err := ReadDefinition(bytes.NewReader(b), path.Base(name), 0)
		if err != nil {
			return d, err
		}
		p, zones, err := Load(def, open)
		if err != nil {
			return d, err
		}
		d.Plans = append(d.Plans, p)
		d.Zones = append(d.Zones, zones...)
	}
	b, err := open(DivisionChangesFile)
	if err != nil {
		return d, err
	}
	d.Changes, err = ReadDivisionChanges(bytes.NewReader(b), DivisionChangesFile, 0)
	return d, err
}
