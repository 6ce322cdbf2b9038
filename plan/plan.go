// Package plan models regional industry plans: the units they cover, their
// industry catalogues, the industries assigned to units (district picks) and
// the clusters hosted by units, with the CSV formats planners exchange.
package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Kind is the shape of a plan.
type Kind string

// Plan kinds.
const (
	// DistrictPicks: each unit picks main and special industries from a
	// catalogue (Chongqing's 2023 industry map).
	DistrictPicks Kind = "district-picks"
	// Clusters: named clusters of a sector at a level, hosted by one or
	// more units (Shandong's advanced manufacturing clusters).
	Clusters Kind = "clusters"
)

// Role is how a unit holds an industry in a district-picks plan.
type Role string

// Roles.
const (
	Main    Role = "main"
	Special Role = "special"
)

// ParseRole accepts main or special.
func ParseRole(s string) (Role, error) {
	switch Role(s) {
	case Main, Special:
		return Role(s), nil
	}
	return "", fmt.Errorf("unknown role %q (want main or special)", s)
}

// Level is a cluster's rank.
type Level string

// Cluster levels.
const (
	World      Level = "world"
	National   Level = "national"
	Provincial Level = "provincial"
)

// ParseLevel accepts world, national or provincial.
func ParseLevel(s string) (Level, error) {
	switch Level(s) {
	case World, National, Provincial:
		return Level(s), nil
	}
	return "", fmt.Errorf("unknown level %q (want world, national or provincial)", s)
}

// Unit kinds.
const (
	KindCity     = "city"
	KindDistrict = "district"
	KindZone     = "zone"
)

// A Unit is a place a plan assigns industries to: a city, a district or
// county, or a functional zone.
type Unit struct {
	Code   string
	Name   string
	NameEn string
	// Short and ShortEn are the name as labels give it at small scales
	// (Names.Short); empty where a unit has none of its own.
	Short, ShortEn string
	Kind           string // city, district or zone
	Parent         string // the enclosing unit's code (province for cities)
	// Approximate marks a unit known only by an approximate point (zones
	// without a surveyed polygon).
	Approximate bool
	Hosts       []string // for zones: the districts the zone lies in
	Note        string
	Geom        orb.Geometry // WGS84: MultiPolygon, or Point when approximate
	Label       orb.Point
	Seat        orb.Point
	AreaKm2     float64
	Repairs     []string // what the importer changed in the geometry
	// ValidFrom and ValidTo bound the days the unit exists (YYYY-MM-DD;
	// from inclusive, to exclusive; empty is open).
	ValidFrom, ValidTo string
	// Predecessors and Successors are the units it came from and passed
	// to in changes of divisions.
	Predecessors, Successors []UnitLink
}

// An Industry is an entry of a plan's catalogue.
type Industry struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	NameEn     string `json:"name_en"`
	Tier       int    `json:"tier"`
	TierName   string `json:"tier_name"`
	TierNameEn string `json:"tier_name_en"`
	Confirmed  bool   `json:"confirmed"` // checked against the official text
}

// An Assignment gives a unit an industry in a role.
type Assignment struct {
	Unit     string
	Role     Role
	Industry string // catalogue code when the name resolved, else as given
	Detail   string // the unit's own wording
	Source   string
}

// A Cluster is an industry cluster hosted by one or more units.
type Cluster struct {
	Name     string
	Industry string // a sector of the plan's catalogue
	Level    Level
	Hosts    []string
	Year     int
	Source   string
}

// A ClusterTitle is how a cluster is named for display.
type ClusterTitle struct {
	// Title is the cluster's name, with its hosts after it when the name
	// names none of them (Henan's: 超硬材料产业集群（郑州、平顶山、…）).
	Title string `json:"title"`
	// TitleEn is the English title: indmap's translation of the name
	// (ClusterNameEn; the sources give no English names), with its hosts
	// after it as Title has them ("Superhard materials industry cluster
	// (Zhengzhou, Xuchang)"); for a cluster the table lacks, a
	// description, the hosts and the sector ("Zaozhuang: New-energy
	// vehicles cluster").
	TitleEn string `json:"title_en"`
	// Translated says TitleEn is indmap's translation of the name.
	Translated bool `json:"title_en_translated"`
}

// TitleClusters names the plan's clusters for display; host gives a
// unit's short name (its proper part) in Chinese and English, "" when
// unknown.
func (p *Plan) TitleClusters(host func(code string) (zh, en string)) {
	p.ClusterTitles = map[string]ClusterTitle{}
	for _, c := range p.Clusters {
		var zh, en []string
		named := false
		for _, h := range c.Hosts {
			z, e := host(h)
			if z == "" {
				continue
			}
			zh, en = append(zh, z), append(en, e)
			named = named || strings.Contains(c.Name, z)
		}
		t := ClusterTitle{Title: c.Name}
		if !named && len(zh) > 0 {
			t.Title = c.Name + "（" + strings.Join(zh, "、") + "）"
		}
		if tr := ClusterNameEn(c.Name); tr != "" {
			t.TitleEn, t.Translated = tr, true
			if !named && len(en) > 0 {
				t.TitleEn += " (" + strings.Join(en, ", ") + ")"
			}
			p.ClusterTitles[c.Name] = t
			continue
		}
		sector := c.Industry
		if in, ok := p.Industry(c.Industry); ok && in.NameEn != "" {
			sector = in.NameEn
		}
		t.TitleEn = sector + " cluster"
		if len(en) > 0 {
			t.TitleEn = strings.Join(en, ", ") + ": " + t.TitleEn
		}
		p.ClusterTitles[c.Name] = t
	}
}

// A Plan is one regional plan with its catalogue and assignments.
type Plan struct {
	ID      string
	Title   string
	TitleEn string
	Kind    Kind
	// AsOf is the date the plan is drawn on (YYYY, YYYY-MM or
	// YYYY-MM-DD): its units are the divisions in force that day.
	AsOf string
	// Region contains the plan's units (see Covers); UnitKinds says which
	// kinds of unit in it belong to the plan, Display at which zooms each
	// kind shows on the map.
	Region    string
	UnitKinds []string
	Display   map[string]KindDisplay
	Catalogue []Industry
	// Assignments (district picks) or Clusters, by Kind.
	Assignments []Assignment
	Clusters    []Cluster
	// Groups puts units into named groups (Shandong's economic circles);
	// GroupsEn gives each group's English name.
	Groups   map[string]string
	GroupsEn map[string]string
	// ClusterTitles names each cluster for display, by name (see
	// TitleClusters).
	ClusterTitles map[string]ClusterTitle
	// Rules is the plan's rule profile.
	Rules Profile

	// holdings indexes Holdings by unit, roles the holders of each
	// industry, once the plan is final.
	holdings map[string]*unitHoldings
	roles    map[string]map[string]Role
}

type unitHoldings struct {
	main, special []Holding
	clusters      []Cluster
}

// Industry finds a catalogue entry by code or exact name.
func (p *Plan) Industry(codeOrName string) (Industry, bool) {
	for _, in := range p.Catalogue {
		if in.Code == codeOrName || in.Name == codeOrName {
			return in, true
		}
	}
	return Industry{}, false
}

// A KindDisplay is the zoom range in which a kind of unit shows on a
// plan's map (MaxZoom 0: no upper bound).
type KindDisplay struct {
	MinZoom int `json:"minzoom"`
	MaxZoom int `json:"maxzoom,omitempty"`
}

// Shows reports whether units of kind show at zoom z on the plan's map.
func (p *Plan) Shows(kind string, z int) bool {
	d, ok := p.Display[kind]
	return !ok || z >= d.MinZoom && (d.MaxZoom == 0 || z <= d.MaxZoom)
}

// Date is the day the plan is drawn on, YYYY-MM-DD: its as-of date, or
// today when it has none.
func (p *Plan) Date(now time.Time) string {
	if d, err := ParseDate(p.AsOf); err == nil {
		return d
	}
	return Today(now)
}

// Holds reports whether u is one of the plan's units on date: in its
// region, of one of its kinds, and in force. parentOf gives loaded
// units' parents (see Covers).
func (p *Plan) Holds(u Unit, date string, parentOf func(string) (string, bool)) bool {
	return slices.Contains(p.UnitKinds, u.Kind) && u.InForce(date) && Covers(p.Region, u.Code, func(code string) (string, bool) {
		if code == u.Code {
			return u.Parent, true
		}
		return parentOf(code)
	})
}

// Holding is one industry a unit holds in a district-picks plan, with
// its catalogue name.
type Holding struct {
	Assignment
	Name string // catalogue name, or the industry as written
	// DetailEn is the detail in English (indmap's translation, see
	// DetailEn), "" when there is none.
	DetailEn string
}

// HoldingOf is an assignment as read: its industry's catalogue name, and
// its detail whole. A unit's wording quoted from after the industry's
// name ("及核心器件", "和零部件") reads as a fragment alone: the name is
// put back in front ("智能网联新能源汽车及核心器件").
func (p *Plan) HoldingOf(a Assignment) Holding {
	h := Holding{Assignment: a, Name: a.Industry, DetailEn: DetailEn(a.Detail)}
	nameEn := a.Industry
	if in, ok := p.Industry(a.Industry); ok {
		h.Name = in.Name
		if in.NameEn != "" {
			nameEn = in.NameEn
		}
	}
	for _, joiner := range []string{"及", "和", "与", "以及", "、"} {
		if strings.HasPrefix(h.Detail, joiner) && !strings.HasPrefix(h.Detail, joiner+joiner) {
			h.Detail = h.Name + h.Detail
			if h.DetailEn != "" {
				h.DetailEn = nameEn + " " + h.DetailEn
			}
			break
		}
	}
	return h
}

// IndexHoldings precomputes Holdings for every unit in one pass, so that
// read paths (tiles, GeoJSON) need not scan the assignments per unit. Call
// it once the plan will not change; the snapshot does.
func (p *Plan) IndexHoldings() {
	idx := map[string]*unitHoldings{}
	get := func(code string) *unitHoldings {
		h := idx[code]
		if h == nil {
			h = &unitHoldings{}
			idx[code] = h
		}
		return h
	}
	for _, a := range p.Assignments {
		h := p.HoldingOf(a)
		u := get(a.Unit)
		if a.Role == Main {
			u.main = append(u.main, h)
		} else {
			u.special = append(u.special, h)
		}
	}
	for _, c := range p.Clusters {
		seen := map[string]bool{}
		for _, host := range c.Hosts {
			if !seen[host] {
				seen[host] = true
				get(host).clusters = append(get(host).clusters, c)
			}
		}
	}
	p.holdings = idx
	p.roles = rolesOf(p)
}

// Holdings lists what p gives a unit: its main and special industries
// (district picks) and the clusters it hosts (clusters).
func (p *Plan) Holdings(code string) (main, special []Holding, clusters []Cluster) {
	if p.holdings != nil {
		if h := p.holdings[code]; h != nil {
			return h.main, h.special, h.clusters
		}
		return nil, nil, nil
	}
	for _, a := range p.Assignments {
		if a.Unit != code {
			continue
		}
		h := p.HoldingOf(a)
		if a.Role == Main {
			main = append(main, h)
		} else {
			special = append(special, h)
		}
	}
	for _, c := range p.Clusters {
		for _, h := range c.Hosts {
			if h == code {
				clusters = append(clusters, c)
				break
			}
		}
	}
	return main, special, clusters
}

// A ClusterStep is one recognition of a cluster: at a level, in a year,
// on a source's word.
type ClusterStep struct {
	Level  Level  `json:"level"`
	Year   int    `json:"year,omitempty"`
	Source string `json:"source"`
}

var levelRank = map[Level]int{Provincial: 1, National: 2, World: 3}

// History lists the recognitions of the cluster called name, oldest
// first (by year, then level): a promotion is a later step at a higher
// level.
func (p *Plan) History(name string) []ClusterStep {
	var out []ClusterStep
	for _, c := range p.Clusters {
		if c.Name == name {
			out = append(out, ClusterStep{Level: c.Level, Year: c.Year, Source: c.Source})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Year != out[j].Year {
			return out[i].Year < out[j].Year
		}
		return levelRank[out[i].Level] < levelRank[out[j].Level]
	})
	return out
}
