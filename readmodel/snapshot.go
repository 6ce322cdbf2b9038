// Package readmodel builds what indmap reads from what the store keeps:
// a Snapshot per data version (units indexed, each plan validated, what
// it says of every unit, content tags, the search index, English names)
// and the watcher (Live) that loads the next one off the request path,
// has it prepared (the tile index) and swaps it in. Tiles and the API
// read snapshots; the write path checks a plan against one before
// storing it (WriteChecked).
package readmodel

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/geo/rtree"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/plan/search"
	"github.com/indmap/indmap/store"
	"github.com/paulmach/orb"
)

// A Snapshot is the store's content at one data version, held in memory
// and indexed for the read paths (API, tiles). It is never modified, so
// any number of requests share it without locks; a new version makes a
// new snapshot.
type Snapshot struct {
	Version int64
	// GeometryVersion names the units' geometry and identity (codes,
	// names, kinds, parents, dates): it moves only when boundaries or
	// divisions change, never with a plan's assignments.
	GeometryVersion string
	Units           []plan.Unit // by code
	Plans           []plan.Plan // by id
	Neighbours      []geo.Neighbour

	*geometry
	// reports holds each plan's validation, computed once per version so
	// that tiles and GeoJSON read violation counts without re-validating.
	reports map[string]plan.Report
	views   map[string]map[string]*plan.UnitView // plan → unit → view
	// planUnits holds each plan's units on its date, by code.
	planUnits map[string][]plan.Unit
	inPlan    map[string]map[string]bool
	tags      map[string]planTags
	// search finds units and industries by partial names, built once
	// per version.
	search *search.Index
	// revisions is each plan's newest revision at this version, read in
	// the same transaction as the plans.
	revisions map[string]int
}

// geometry is what a snapshot builds from the stored geometry: shared by
// every snapshot of the same stored geometry version, so that a write of
// a plan's assignments neither reads nor indexes the units again.
type geometry struct {
	stored   int64 // the store's geometry version
	tag      string
	units    []plan.Unit
	ns       []geo.Neighbour
	bounds   []orb.Bound
	byCode   map[string]int
	adjacent map[string][]string
	index    *rtree.Tree
	// places are the named places (towns, seats) within the units'
	// extent, searched as origins (search.ReadPlaces).
	places *search.Index
	// rivers are the pieces of river (geo.DefaultRivers) that reach into
	// the units' extent: the map's reference layer.
	rivers []geo.River
}

// planTags name what a plan's tiles and thematic data contain.
type planTags struct {
	geometry, theme string
}

// ErrNoGeometry is returned by Build for data without geometry and no
// previous snapshot of the same geometry version to take it from.
var ErrNoGeometry = errors.New("data without geometry and no snapshot to take it from")

// Build makes the snapshot of d. Where d carries no geometry (it did not
// change since prev), prev's is shared.
func Build(d *store.Data, prev *Snapshot) (*Snapshot, error) {
	names, err := plan.DefaultNames()
	if err != nil {
		return nil, err
	}
	var g *geometry
	switch {
	case d.Geometry != nil:
		if g, err = newGeometry(d.Geometry, names); err != nil {
			return nil, err
		}
	case prev != nil && prev.geometry != nil:
		g = prev.geometry
	default:
		return nil, ErrNoGeometry
	}
	s := &Snapshot{Version: d.Version, GeometryVersion: g.tag, Units: g.units, Plans: d.Plans, Neighbours: g.ns,
		geometry: g, revisions: d.Revisions}
	if s.revisions == nil {
		s.revisions = map[string]int{}
	}
	for i := range s.Plans {
		p := &s.Plans[i]
		p.GroupsEn = map[string]string{}
		for _, grp := range p.Groups {
			p.GroupsEn[grp] = names.English("", grp)
		}
		p.TitleClusters(func(code string) (string, string) {
			u, ok := g.Unit(code)
			if !ok {
				return "", ""
			}
			en, _, _ := strings.Cut(u.NameEn, " ")
			return names.Root(u.Name), en
		})
	}
	s.reports = map[string]plan.Report{}
	s.views = map[string]map[string]*plan.UnitView{}
	s.planUnits = map[string][]plan.Unit{}
	s.tags = map[string]planTags{}
	s.inPlan = map[string]map[string]bool{}
	now := time.Now()
	for i := range s.Plans {
		p := &s.Plans[i]
		p.IndexHoldings()
		date := p.Date(now)
		units := s.PlanUnitsOn(p, date)
		s.planUnits[p.ID] = units
		in := make(map[string]bool, len(units))
		for _, u := range units {
			in[u.Code] = true
		}
		s.inPlan[p.ID] = in
		r := plan.Validate(p, plan.Subject{Units: units, Date: date, Other: s.Unit, Neighbours: s.NeighboursOf,
			Assignments: p.Assignments, Clusters: p.Clusters})
		r.Subject = "stored plan"
		s.reports[p.ID] = r
		s.views[p.ID] = p.Views(r)
		s.tags[p.ID] = tagsOf(s.GeometryVersion, p, units, r)
	}
	s.search = search.New(s.Units, g.bounds, s.Plans, names)
	return s, nil
}

// NewSnapshot indexes units, plans and neighbour pairs given in memory
// (tests and tools that hold no store).
func NewSnapshot(version int64, units []plan.Unit, plans []plan.Plan, ns []geo.Neighbour) *Snapshot {
	s, err := Build(&store.Data{Version: version, Plans: plans,
		Geometry: &store.Geometry{Version: version, Units: units, Neighbours: ns}}, nil)
	if err != nil {
		panic(err) // only the embedded names table can fail, and tests check it
	}
	return s
}

// newGeometry indexes stored units and their adjacency. The units are
// copied before names are filled in: the store's rows stay as read.
func newGeometry(sg *store.Geometry, names *plan.Names) (*geometry, error) {
	units := append([]plan.Unit(nil), sg.Units...)
	g := &geometry{stored: sg.Version, units: units, ns: sg.Neighbours, byCode: map[string]int{}, adjacent: map[string][]string{}}
	sort.Slice(units, func(i, j int) bool { return units[i].Code < units[j].Code })
	for i := range units {
		// Units stored before English names were (and successors derived
		// from division changes) get theirs generated.
		u := &units[i]
		if u.NameEn == "" {
			u.NameEn = names.English(u.Code, u.Name)
		}
		// A zone's name is its own (西部科学城重庆高新区 is no district
		// of 西部科学城重庆高新): labels give it whole.
		if u.Kind != plan.KindZone {
			u.Short, u.ShortEn = names.Short(u.Name, u.NameEn)
		}
	}
	shortened := map[string]int{}
	for _, u := range units {
		if u.Short != "" && u.Short != u.Name {
			shortened[u.Short]++
		}
	}
	// A short name two units would share (安阳市 and 安阳县 both 安阳)
	// tells neither apart: both keep their whole names.
	for i := range units {
		if u := &units[i]; shortened[u.Short] > 1 {
			u.Short, u.ShortEn = "", ""
		}
	}
	g.bounds = make([]orb.Bound, len(units))
	for i, u := range units {
		g.byCode[u.Code] = i
		if u.Geom != nil {
			g.bounds[i] = u.Geom.Bound()
		}
	}
	g.index = rtree.New(g.bounds)
	for i := range units {
		u := &units[i]
		u.Predecessors = g.nameLinks(u.Predecessors, names)
		u.Successors = g.nameLinks(u.Successors, names)
	}
	for _, n := range sg.Neighbours {
		g.adjacent[n.A] = append(g.adjacent[n.A], n.B)
		g.adjacent[n.B] = append(g.adjacent[n.B], n.A)
	}
	for _, l := range g.adjacent {
		sort.Strings(l)
	}
	// The embedded reference data (places, rivers) is tiled with the
	// units: a build with other reference data makes other tiles.
	g.tag = geometryVersion(units, search.DefaultPlaces(), search.DefaultAirportsFiles(), geo.DefaultRiversFile())
	// Places within the units' extent. GeoNames' points are WGS 84, the
	// datum the boundaries are stored in (the import converts DataV's
	// GCJ-02), so they are taken as they are.
	var extent orb.Bound
	for i, b := range g.bounds {
		if i == 0 {
			extent = b
		} else {
			extent = extent.Union(b)
		}
	}
	if len(units) > 0 {
		rivers, err := geo.DefaultRivers()
		if err != nil {
			return nil, fmt.Errorf("embedded rivers: %w", err)
		}
		for _, r := range rivers {
			if r.Line.Bound().Intersects(extent) {
				g.rivers = append(g.rivers, r)
			}
		}
	}
	airports, err := search.DefaultAirports()
	if err != nil {
		return nil, fmt.Errorf("embedded airports: %w", err)
	}
	g.places, err = search.ReadPlaces(search.DefaultPlaces(), airports, func(p orb.Point) (orb.Point, bool) {
		return p, len(units) > 0 && extent.Contains(p)
	}, names)
	return g, err
}

// Search finds the units, industries, clusters and regions whose names
// (or, for units, whose own wording of a pick) match q, best first, at
// most limit of them, and says how many matched in all. With a plan, its
// own come first (its units on its date, its catalogue, clusters and
// regions), then those of other plans, each naming them (OtherPlans).
// Coordinates ("29.6,106.5") find the point (search.Place).
func (s *Snapshot) Search(q string, p *plan.Plan, limit int) ([]search.Result, int) {
	if place, ok := search.Place(q); ok {
		// Coordinates: the point itself, which the page takes as an
		// origin.
		return []search.Result{place}, 1
	}
	rs, n := s.search.Query(q, limit, s.searchTier(p))
	if p != nil {
		for i := range rs {
			rs[i].OtherPlans = s.otherPlans(p, rs[i])
		}
	}
	// Named places after the plan's own things: within the plan's
	// units (any unit without a plan).
	ps, pn := s.places.Query(q, max(limit-len(rs), 0), func(r search.Result) int {
		if len(s.placePlans(p, r)) == 0 {
			return -1
		}
		return 0
	})
	return append(rs, ps...), n + pn
}

// Rivers are the pieces of river that reach into the units' extent (the
// reference layer's), to be read only.
func (s *Snapshot) Rivers() []geo.River { return s.geometry.rivers }

// PlanPlaces are the named places inside plan p's units on its date:
// what its tiles show of them.
func (s *Snapshot) PlanPlaces(p *plan.Plan) []search.Result {
	var out []search.Result
	for _, r := range s.places.Results() {
		if len(s.placePlans(p, r)) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// placePlans names the plans (p alone, when given) with a unit in force
// on the plan's date around a named place.
func (s *Snapshot) placePlans(p *plan.Plan, r search.Result) []string {
	if r.Label == nil {
		return nil
	}
	pt := orb.Point{r.Label[0], r.Label[1]}
	var out []string
	for i := range s.Plans {
		q := &s.Plans[i]
		if p != nil && q.ID != p.ID {
			continue
		}
		s.index.Search(orb.Bound{Min: pt, Max: pt}, func(k int) bool {
			if s.InPlan(q, s.Units[k].Code) && geo.Contains(s.Units[k].Geom, pt) {
				out = append(out, q.ID)
				return false
			}
			return true
		})
	}
	return out
}

// SearchEntries are every searchable thing with its folded keys and the
// plans it belongs to: a published map searches them in the browser,
// within any plan, as Search does (one file serves every plan).
func (s *Snapshot) SearchEntries() []search.Entry {
	es := s.search.Entries(nil)
	for i := range es {
		es[i].Plans = s.otherPlans(nil, es[i].Result)
	}
	for _, e := range s.places.Entries(nil) {
		if e.Plans = s.placePlans(nil, e.Result); len(e.Plans) > 0 {
			es = append(es, e)
		}
	}
	return es
}

// searchTier ranks results in a search within p: its own first (0),
// then those of other plans (1); a unit in no plan is dropped.
func (s *Snapshot) searchTier(p *plan.Plan) func(search.Result) int {
	if p == nil {
		return nil
	}
	return func(r search.Result) int {
		switch {
		case s.inPlanResult(p, r):
			return 0
		case len(s.otherPlans(p, r)) > 0:
			return 1
		}
		return -1
	}
}

// inPlanResult reports whether a result belongs to plan p: an
// industry, cluster, region or pick's wording of p, or a unit of p.
func (s *Snapshot) inPlanResult(p *plan.Plan, r search.Result) bool {
	if r.Type != search.TypeUnit || r.Plan != "" {
		return r.Plan == p.ID
	}
	return s.InPlan(p, r.Code)
}

// otherPlans names the plans other than p that a result belongs to
// (none when p has it; with p nil, every plan it belongs to).
func (s *Snapshot) otherPlans(p *plan.Plan, r search.Result) []string {
	if p != nil && s.inPlanResult(p, r) {
		return nil
	}
	var out []string
	for i := range s.Plans {
		if q := &s.Plans[i]; (p == nil || q.ID != p.ID) && s.inPlanResult(q, r) {
			out = append(out, q.ID)
		}
	}
	return out
}

// nameLinks returns links to other units with those units' English
// names (a copy: the links read from the store stay as they are).
func (g *geometry) nameLinks(links []plan.UnitLink, names *plan.Names) []plan.UnitLink {
	if len(links) == 0 {
		return links
	}
	out := append([]plan.UnitLink(nil), links...)
	for i := range out {
		l := &out[i]
		if u, ok := g.Unit(l.Code); ok {
			l.NameEn = u.NameEn
		} else {
			l.NameEn = names.English(l.Code, l.Name)
		}
	}
	return out
}

// Report is the validation of a stored plan at this version, labelled
// with its revision.
func (s *Snapshot) Report(planID string) (plan.Report, bool) {
	r, ok := s.reports[planID]
	if n := s.revisions[planID]; ok && n > 0 {
		r.Subject, r.Revision = StoredSubject(n), n
	}
	return r, ok
}

// PlanTag names a plan's thematic content at this version (what it
// assigns, its rules and its report, on its geometry): equal tags, equal
// thematic data.
func (s *Snapshot) PlanTag(planID string) string { return s.tags[planID].theme }

// PlanGeometryTag names the geometry of a plan's tiles: its units and
// how they show; it moves only with GeometryVersion or the plan's
// definition.
func (s *Snapshot) PlanGeometryTag(planID string) string { return s.tags[planID].geometry }

// View is what a plan says of a unit at this version (an empty view
// for a unit it says nothing of).
func (s *Snapshot) View(planID, code string) *plan.UnitView {
	if v := s.views[planID][code]; v != nil {
		return v
	}
	return &plan.UnitView{Code: code, Roles: map[string]plan.Role{}}
}

// StoredSubject labels a report or diff side of a stored revision.
func StoredSubject(n int) string { return "stored revision " + strconv.Itoa(n) }

// Revision is a plan's newest revision at this version (0: none known).
func (s *Snapshot) Revision(planID string) int { return s.revisions[planID] }

// ErrWrongKind is returned for a file of another kind than its plan.
var ErrWrongKind = errors.New("wrong kind of plan file")

// UnitViolations lists the rule ids a unit breaks in a plan.
func (s *Snapshot) UnitViolations(planID, code string) []string {
	return s.View(planID, code).Violations
}

// Validate checks a plan file's records against a stored plan's units,
// adjacency and rules, storing nothing. The units are those in force on
// date (YYYY-MM-DD; "" is the plan's own date).
func (s *Snapshot) Validate(p *plan.Plan, f plan.Parsed, date string) (plan.Report, error) {
	if f.Kind != p.Kind {
		return plan.Report{}, fmt.Errorf("a %s file, but plan %s is %s: %w", f.Kind, p.ID, p.Kind, ErrWrongKind)
	}
	units := s.PlanUnits(p)
	if date == "" {
		date = p.Date(time.Now())
	} else {
		units = s.PlanUnitsOn(p, date)
	}
	r := plan.Validate(p, plan.Subject{Units: units, Date: date, Other: s.Unit, Neighbours: s.NeighboursOf,
		Assignments: f.Assignments, Clusters: f.Clusters, Lines: f.Lines})
	r.Sheet = f.Sheet
	return r, nil
}

// Unit finds a unit by code.
func (g *geometry) Unit(code string) (plan.Unit, bool) {
	i, ok := g.byCode[code]
	if !ok {
		return plan.Unit{}, false
	}
	return g.units[i], true
}

// Plan finds a plan by id.
func (s *Snapshot) Plan(id string) (*plan.Plan, bool) {
	for i := range s.Plans {
		if s.Plans[i].ID == id {
			return &s.Plans[i], true
		}
	}
	return nil, false
}

// LookupPlan finds a plan by id, or fails naming the plans there are.
func (s *Snapshot) LookupPlan(id string) (*plan.Plan, error) {
	if p, ok := s.Plan(id); ok {
		return p, nil
	}
	return nil, fmt.Errorf("no plan %q (have %s)", id, strings.Join(s.PlanIDs(), ", "))
}

// PlanIDs lists the plans' ids.
func (s *Snapshot) PlanIDs() []string {
	ids := make([]string, len(s.Plans))
	for i, p := range s.Plans {
		ids[i] = p.ID
	}
	return ids
}

// PlanUnits returns the units of p on its date, by code.
func (s *Snapshot) PlanUnits(p *plan.Plan) []plan.Unit {
	if units, ok := s.planUnits[p.ID]; ok {
		return units
	}
	return s.PlanUnitsOn(p, p.Date(time.Now()))
}

// InPlan reports whether the unit code is one of p's units on its date.
func (s *Snapshot) InPlan(p *plan.Plan, code string) bool {
	if in, ok := s.inPlan[p.ID]; ok {
		return in[code]
	}
	for _, u := range s.PlanUnits(p) {
		if u.Code == code {
			return true
		}
	}
	return false
}

// PlanUnitsOn returns the units of p in force on date (YYYY-MM-DD).
func (s *Snapshot) PlanUnitsOn(p *plan.Plan, date string) []plan.Unit {
	var out []plan.Unit
	for _, u := range s.Units {
		if p.Holds(u, date, s.parentOf) {
			out = append(out, u)
		}
	}
	return out
}

func (g *geometry) parentOf(code string) (string, bool) {
	u, ok := g.Unit(code)
	return u.Parent, ok
}

// NeighboursOf lists the codes of the units sharing a border with code.
func (g *geometry) NeighboursOf(code string) []string { return g.adjacent[code] }

// UnitsAt returns the units in force on date (YYYY-MM-DD; "" for any
// date) whose polygon contains p.
func (s *Snapshot) UnitsAt(p orb.Point, date string) []plan.Unit {
	var out []plan.Unit
	s.index.Search(orb.Bound{Min: p, Max: p}, func(i int) bool {
		if (date == "" || s.Units[i].InForce(date)) && geo.Contains(s.Units[i].Geom, p) {
			out = append(out, s.Units[i])
		}
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// geometryVersion hashes every unit's identity and coordinates.
func geometryVersion(units []plan.Unit, reference ...[]byte) string {
	h := fnv.New64a()
	for _, b := range reference {
		fmt.Fprintf(h, "%d\x00", len(b))
		h.Write(b)
	}
	var buf [8]byte
	num := func(f float64) {
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(f))
		h.Write(buf[:])
	}
	for _, u := range units {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00", u.Code, u.Name, u.NameEn, u.Kind, u.Parent,
			u.ValidFrom, u.ValidTo, u.Approximate)
		for _, l := range append(append([]plan.UnitLink(nil), u.Predecessors...), u.Successors...) {
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00", l.Code, l.Share, l.Date)
		}
		num(u.Label[0])
		num(u.Label[1])
		switch g := u.Geom.(type) {
		case orb.Point:
			num(g[0])
			num(g[1])
		case orb.MultiPolygon:
			for _, poly := range g {
				for _, ring := range poly {
					num(float64(len(ring)))
					for _, p := range ring {
						num(p[0])
						num(p[1])
					}
				}
			}
		}
	}
	return "g" + strconv.FormatUint(h.Sum64(), 36)
}

// tagsOf names a plan's tile geometry (its units, how they show) and its
// thematic content (assignments, rules, report).
func tagsOf(geometry string, p *plan.Plan, units []plan.Unit, r plan.Report) planTags {
	g := fnv.New64a()
	fmt.Fprintf(g, "%s\x00%s\x00%s\x00%s\x00", geometry, p.ID, p.Region, p.AsOf)
	// The regions layer is drawn from the plan's groups: they belong to
	// its geometry.
	display, _ := json.Marshal(struct {
		Display  map[string]plan.KindDisplay
		Groups   map[string]string
		GroupsEn map[string]string
	}{p.Display, p.Groups, p.GroupsEn})
	g.Write(display)
	for _, u := range units {
		fmt.Fprintf(g, "%s\x00", u.Code)
	}
	t := fnv.New64a()
	fmt.Fprintf(t, "%x\x00", g.Sum64())
	content, _ := json.Marshal(struct {
		Title       string
		Catalogue   []plan.Industry
		Assignments []plan.Assignment
		Clusters    []plan.Cluster
		Groups      map[string]string
		Rules       plan.Profile
		Report      plan.Report
	}{p.Title, p.Catalogue, p.Assignments, p.Clusters, p.Groups, p.Rules, r})
	t.Write(content)
	return planTags{geometry: "g" + strconv.FormatUint(g.Sum64(), 36), theme: "t" + strconv.FormatUint(t.Sum64(), 36)}
}
