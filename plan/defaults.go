package plan

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// The default plans: definitions (*.plan.json, rules as data) and copies
// of ../shared/data/plans, facts compiled from public sources, each row
// with its source.
//
//go:embed defaults/*.csv defaults/*.plan.json
var defaultFiles embed.FS

// Default plan ids.
const (
	ChongqingID = "chongqing-2023"
	ShandongID  = "shandong-clusters"
)

// Defaults holds the built-in plans and the zones they need.
type Defaults struct {
	Plans []Plan
	// Zones are Chongqing's functional zones: plan units without a
	// surveyed polygon.
	Zones []Unit
}

func rows(name string, cols ...string) ([]Row, error) {
	b, err := defaultFiles.ReadFile("defaults/" + name)
	if err != nil {
		return nil, err
	}
	return ReadCSV(bytes.NewReader(b), name, 0, cols...)
}

func definedPlan(id string) (Plan, error) {
	var p Plan
	b, err := defaultFiles.ReadFile("defaults/" + id + ".plan.json")
	if err != nil {
		return p, err
	}
	d, err := ReadDefinition(bytes.NewReader(b), id+".plan.json", 0)
	if err != nil {
		return p, err
	}
	d.Apply(&p)
	return p, nil
}

func atoi(file string, r Row, col string) (int, error) {
	n, err := strconv.Atoi(r.Get(col))
	if err != nil {
		return 0, fmt.Errorf("%s: line %d: %s %q is not a whole number", file, r.Line, col, r.Get(col))
	}
	return n, nil
}

// LoadDefaults parses the embedded plan files.
func LoadDefaults() (Defaults, error) {
	var d Defaults
	cq, err := definedPlan(ChongqingID)
	if err != nil {
		return d, err
	}
	const catFile = "chongqing-33618-catalogue.csv"
	cat, err := rows(catFile, "code", "name", "tier", "tier_name", "confirmed")
	if err != nil {
		return d, err
	}
	for _, r := range cat {
		tier, err := atoi(catFile, r, "tier")
		if err != nil {
			return d, err
		}
		cq.Catalogue = append(cq.Catalogue, Industry{Code: r.Get("code"), Name: r.Get("name"), Tier: tier,
			TierName: r.Get("tier_name"), Confirmed: r.Get("confirmed") == "yes"})
	}
	if d.Zones, err = loadZones(&cq); err != nil {
		return d, err
	}
	b, _ := defaultFiles.ReadFile("defaults/chongqing-2023-reported.csv")
	picks, lines, err := ReadPicks(bytes.NewReader(b), "chongqing-2023-reported.csv", 0)
	if err != nil {
		return d, err
	}
	for i, a := range picks {
		in, ok := cq.Industry(a.Industry)
		if !ok {
			return d, fmt.Errorf("chongqing-2023-reported.csv: line %d: industry %q not in the catalogue", lines[i], a.Industry)
		}
		a.Industry = in.Code
		cq.Assignments = append(cq.Assignments, a)
	}

	sd, err := definedPlan(ShandongID)
	if err != nil {
		return d, err
	}
	const sectorFile = "shandong-sectors.csv"
	sectors, err := rows(sectorFile, "sector", "scale_tier_2025", "note")
	if err != nil {
		return d, err
	}
	for _, r := range sectors {
		tier, err := atoi(sectorFile, r, "scale_tier_2025")
		if err != nil {
			return d, err
		}
		// Sectors have no codes in the source; the name is the code.
		sd.Catalogue = append(sd.Catalogue, Industry{Code: r.Get("sector"), Name: r.Get("sector"), Tier: tier,
			TierName: r.Get("note"), Confirmed: true})
	}
	regions, err := rows("shandong-regions.csv", "code", "name", "economic_circle")
	if err != nil {
		return d, err
	}
	sd.Groups = map[string]string{}
	for _, r := range regions {
		sd.Groups[r.Get("code")] = r.Get("economic_circle")
	}
	b, _ = defaultFiles.ReadFile("defaults/shandong-clusters.csv")
	if sd.Clusters, _, err = ReadClusters(bytes.NewReader(b), "shandong-clusters.csv", 0); err != nil {
		return d, err
	}
	d.Plans = []Plan{cq, sd}
	return d, nil
}

// loadZones reads Chongqing's functional zones; their max_main column
// becomes per-unit limits of the plan's rules.
func loadZones(cq *Plan) ([]Unit, error) {
	const file = "chongqing-zones.csv"
	zones, err := rows(file, "code", "name", "kind", "max_main", "hosts_2023", "approx_lon", "approx_lat", "note")
	if err != nil {
		return nil, err
	}
	if cq.Rules.UnitLimits == nil {
		cq.Rules.UnitLimits = map[string]map[Role]int{}
	}
	var out []Unit
	for _, r := range zones {
		lon, err1 := strconv.ParseFloat(r.Get("approx_lon"), 64)
		lat, err2 := strconv.ParseFloat(r.Get("approx_lat"), 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: line %d: approx_lon/approx_lat are not numbers", file, r.Line)
		}
		maxMain, err := atoi(file, r, "max_main")
		if err != nil {
			return nil, err
		}
		// The points are given to 0.01° (about 1 km), coarser than the
		// GCJ-02 offset, so they are taken as they are.
		p := orb.Point{lon, lat}
		out = append(out, Unit{Code: r.Get("code"), Name: r.Get("name"), Kind: KindZone, Parent: cq.Region,
			Approximate: true, Hosts: strings.Split(r.Get("hosts_2023"), ";"),
			Note: r.Get("kind") + ": " + r.Get("note"), Geom: p, Label: p, Seat: p})
		if l, _ := cq.Rules.Limit(r.Get("code"), Main); l != maxMain {
			cq.Rules.UnitLimits[r.Get("code")] = map[Role]int{Main: maxMain}
		}
	}
	return out, nil
}
