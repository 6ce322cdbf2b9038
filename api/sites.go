package api

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// nearbyZoneKm is how far a zone known only by a point may be from a
// looked-up point and still be named.
const nearbyZoneKm = 30

type lookupUnit struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Kind   string `json:"kind"`
	Parent string `json:"parent"`
	// Approximate marks a derived polygon (a successor not yet surveyed);
	// Note says how it was drawn.
	Approximate bool       `json:"approximate"`
	Note        string     `json:"note"`
	Plans       []unitPlan `json:"plans"`
}

type nearbyZone struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	NameEn     string     `json:"name_en"`
	DistanceKm float64    `json:"distance_km"`
	Hosts      []string   `json:"hosts"`
	Plans      []unitPlan `json:"plans"`
}

type lookupResult struct {
	Lon         float64      `json:"lon"`
	Lat         float64      `json:"lat"`
	Date        string       `json:"date"`
	Units       []lookupUnit `json:"units"`
	NearbyZones []nearbyZone `json:"nearby_zones"`
}

// Lookup finds the units in force on date (YYYY-MM-DD) containing p,
// and the point-only zones near it or hosted by those units.
func Lookup(snap *readmodel.Snapshot, p orb.Point, date string) lookupResult {
	res := lookupResult{Lon: p[0], Lat: p[1], Date: date, Units: []lookupUnit{}, NearbyZones: []nearbyZone{}}
	containing := map[string]bool{}
	for _, u := range snap.UnitsAt(p, date) {
		containing[u.Code] = true
		res.Units = append(res.Units, lookupUnit{Code: u.Code, Name: u.Name, NameEn: u.NameEn, Kind: u.Kind, Parent: u.Parent,
			Approximate: u.Approximate, Note: u.Note, Plans: unitPlans(snap, u)})
	}
	for _, u := range snap.Units {
		if u.Kind != plan.KindZone || !u.Approximate || !u.InForce(date) {
			continue
		}
		d := orbgeo.Distance(p, u.Label) / 1000
		hosted := false
		for _, h := range u.Hosts {
			hosted = hosted || containing[h]
		}
		if d <= nearbyZoneKm || hosted {
			res.NearbyZones = append(res.NearbyZones, nearbyZone{Code: u.Code, Name: u.Name, NameEn: u.NameEn, DistanceKm: round3(d),
				Hosts: nonNil(u.Hosts), Plans: unitPlans(snap, u)})
		}
	}
	sort.Slice(res.NearbyZones, func(i, j int) bool { return res.NearbyZones[i].DistanceKm < res.NearbyZones[j].DistanceKm })
	return res
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// lookup serves GET /api/v1/lookup?lon=&lat=.
func (h *handlers) lookup(c echo.Context) error {
	if c.QueryParam("lon") == "" || c.QueryParam("lat") == "" {
		return badParam("lon,lat", "both are required")
	}
	lon, err := floatParam("lon", c.QueryParam("lon"), -180, 180)
	if err != nil {
		return err
	}
	lat, err := floatParam("lat", c.QueryParam("lat"), -90, 90)
	if err != nil {
		return err
	}
	date, err := dateParam(c, "date", plan.Today(time.Now()))
	if err != nil {
		return err
	}
	// The answer depends on the day (today by default): so does its tag.
	c.Set(versionKey, fmt.Sprintf("v%d-%s", snapshotOf(c).Version, date))
	return c.JSON(http.StatusOK, Lookup(snapshotOf(c), orb.Point{lon, lat}, date))
}

type site struct {
	// Rank is the site's place in the order; sites the ranking cannot
	// tell apart (same role, neighbours and distance) share one, and are
	// then listed by code.
	Rank       int      `json:"rank"`
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	NameEn     string   `json:"name_en"`
	Kind       string   `json:"kind"`
	Role       string   `json:"role"`
	DistanceKm *float64 `json:"distance_km,omitempty"`
	// Label is where distances are measured to (unless the origin is
	// inside the unit).
	Label   [2]float64 `json:"label"`
	AreaKm2 float64    `json:"area_km2"`
	Detail  string     `json:"detail"`
	// DetailEn is the detail in English: indmap's translation of the
	// plan's wording, or the clusters' English titles.
	DetailEn   string          `json:"detail_en,omitempty"`
	Sources    []string        `json:"sources"`
	Neighbours []siteNeighbour `json:"neighbours"`
	Reasons    siteReasons     `json:"reasons"`
}

// siteReasons is why a site ranks where it does, as the ranking reads
// it: its role, how many of its surroundings hold the industry too, and
// with an origin how far it is.
type siteReasons struct {
	Role              string        `json:"role"`
	NeighboursHolding int           `json:"neighbours_holding"`
	Distance          *siteDistance `json:"distance,omitempty"`
}

// siteDistance is a distance from the origin. Measure says how: always
// "straight_line" (a great-circle approximation; there is no road
// graph). To says to where: "label" (the unit's label point) or
// "inside" (the origin lies in the unit: 0).
type siteDistance struct {
	Km      float64 `json:"km"`
	Measure string  `json:"measure"`
	To      string  `json:"to"`
}

type siteNeighbour struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Role   string `json:"role"`
}

// roleOf is how a unit holds an industry (a code) in a plan, from the
// plan's read model, with the details and sources of what gives it the
// role; "" when it does not hold it.
func roleOf(snap *readmodel.Snapshot, p *plan.Plan, code, industry string) (role, detail, detailEn string, sources []string) {
	r := p.RoleOf(code, industry)
	if r == "" {
		return "", "", "", nil
	}
	v := snap.View(p.ID, code)
	for _, h := range append(append([]plan.Holding(nil), v.Main...), v.Special...) {
		if h.Industry == industry && h.Role == r {
			return string(r), h.Detail, h.DetailEn, nonEmpty(h.Source)
		}
	}
	for _, c := range v.Clusters {
		if c.Industry == industry {
			detail = strings.TrimPrefix(detail+"; "+c.Name, "; ")
			detailEn = strings.TrimPrefix(detailEn+"; "+p.ClusterTitles[c.Name].TitleEn, "; ")
			// Two clusters of one source (潍坊's 智能农机 and 工业母机)
			// cite it once.
			if c.Source != "" && !slices.Contains(sources, c.Source) {
				sources = append(sources, c.Source)
			}
		}
	}
	return string(r), detail, detailEn, sources
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// Sites ranks the units holding an industry as the seed policy "对口、
// 首谈" reads: main before special; then those with neighbours holding it
// too (a cluster around the site: a district's adjacent units and the
// zones in it, a zone's host districts and their neighbours); then, only
// when an origin is given, the nearest (straight-line); then more such
// neighbours (rankOrder). Sites equal on all of these share a rank and
// are listed by code. Each carries its reasons.
func Sites(snap *readmodel.Snapshot, p *plan.Plan, industry string, near *orb.Point) []site {
	var out []site
	for _, u := range snap.PlanUnits(p) {
		role, detail, detailEn, sources := roleOf(snap, p, u.Code, industry)
		if role == "" {
			continue
		}
		s := site{Code: u.Code, Name: u.Name, NameEn: u.NameEn, Kind: u.Kind, Role: role, Label: [2]float64(u.Label), AreaKm2: round3(u.AreaKm2), Detail: detail, DetailEn: detailEn,
			Sources: nonNil(sources), Neighbours: []siteNeighbour{}}
		s.Reasons.Role = role
		if near != nil {
			d, to := 0.0, "inside"
			if !geo.Contains(u.Geom, *near) {
				d, to = round3(orbgeo.Distance(*near, u.Label)/1000), "label"
			}
			s.DistanceKm = &d
			s.Reasons.Distance = &siteDistance{Km: d, Measure: "straight_line", To: to}
		}
		for _, n := range surroundings(snap, p, u) {
			if r := p.RoleOf(n, industry); r != "" {
				nu, _ := snap.Unit(n)
				s.Neighbours = append(s.Neighbours, siteNeighbour{Code: n, Name: nu.Name, NameEn: nu.NameEn, Role: string(r)})
			}
		}
		s.Reasons.NeighboursHolding = len(s.Neighbours)
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if c := rankOrder(out[i], out[j]); c != 0 {
			return c < 0
		}
		return out[i].Code < out[j].Code
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && rankOrder(out[i-1], out[i]) == 0 {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out
}

// rankOrder compares two sites as the ranking does, codes aside: main
// before special; with neighbours holding the industry before without;
// nearer first (with an origin); more such neighbours first.
func rankOrder(a, b site) int {
	if a.Role != b.Role {
		if a.Role == "main" {
			return -1
		}
		return 1
	}
	if ca, cb := len(a.Neighbours) > 0, len(b.Neighbours) > 0; ca != cb {
		if ca {
			return -1
		}
		return 1
	}
	if a.DistanceKm != nil && *a.DistanceKm != *b.DistanceKm {
		if *a.DistanceKm < *b.DistanceKm {
			return -1
		}
		return 1
	}
	return len(b.Neighbours) - len(a.Neighbours)
}

// surroundings are the units around u in plan p: a district's adjacent
// units and the zones it hosts; a zone's host districts and their
// adjacent units (a zone, known by a point, has no borders of its own).
func surroundings(snap *readmodel.Snapshot, p *plan.Plan, u plan.Unit) []string {
	seen := map[string]bool{u.Code: true}
	var out []string
	add := func(codes ...string) {
		for _, c := range codes {
			if !seen[c] && snap.InPlan(p, c) {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	if u.Kind == plan.KindZone {
		for _, h := range u.Hosts {
			add(h)
			add(snap.NeighboursOf(h)...)
		}
		return out
	}
	add(snap.NeighboursOf(u.Code)...)
	for _, z := range snap.PlanUnits(p) {
		if z.Kind == plan.KindZone && slices.Contains(z.Hosts, u.Code) {
			add(z.Code)
		}
	}
	return out
}

// sites serves GET /api/v1/plans/{id}/sites.
func (h *handlers) sites(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	in, err := industryParam(c, p, true)
	if err != nil {
		return err
	}
	var near *orb.Point
	if s := c.QueryParam("near"); s != "" {
		pt, err := lonLat("near", s)
		if err != nil {
			return err
		}
		near = &pt
	}
	limit, err := intParam(c, "limit", 20, 1, maxLimit)
	if err != nil {
		return err
	}
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	list := Sites(snapshotOf(c), p, in.Code, near)
	if len(list) > limit {
		list = list[:limit]
	}
	if asCSV {
		rows := [][]string{{"rank", "code", "name", "name_en", "kind", "role", "distance_km", "distance_measure", "area_km2", "detail", "neighbours", "sources"}}
		for _, s := range list {
			d, measure := "", ""
			if s.DistanceKm != nil {
				d, measure = fmt.Sprint(*s.DistanceKm), s.Reasons.Distance.Measure
			}
			var ns []string
			for _, n := range s.Neighbours {
				ns = append(ns, n.Name+"("+n.Role+")")
			}
			rows = append(rows, []string{fmt.Sprint(s.Rank), s.Code, s.Name, s.NameEn, s.Kind, s.Role, d, measure, fmt.Sprint(s.AreaKm2), s.Detail,
				strings.Join(ns, ";"), strings.Join(s.Sources, ";")})
		}
		return writeCSV(c, rows)
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": p.ID, "industry": in, "sites": nonNilSites(list)})
}

func nonNilSites(s []site) []site {
	if s == nil {
		return []site{}
	}
	return s
}

type industryCount struct {
	plan.Industry
	MainUnits    int `json:"main_units"`
	SpecialUnits int `json:"special_units"`
	Clusters     int `json:"clusters"`
}

// industries serves GET /api/v1/industries?plan=.
func (h *handlers) industries(c echo.Context) error {
	id := c.QueryParam("plan")
	if id == "" {
		return badParam("plan", "required: a plan id (see /api/v1/plans)")
	}
	snap := snapshotOf(c)
	p, ok := snap.Plan(id)
	if !ok {
		return notFound("no plan %s", id)
	}
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	out := make([]industryCount, len(p.Catalogue))
	idx := map[string]int{}
	for i, in := range p.Catalogue {
		out[i] = industryCount{Industry: in}
		idx[in.Code] = i
	}
	// The counts are those the map colours: units by their role in the
	// plan's read model (cluster hosts included), clusters once each.
	for i, in := range out {
		for code, role := range p.Holders(in.Code) {
			if !snap.InPlan(p, code) {
				continue
			}
			if role == plan.Main {
				out[i].MainUnits++
			} else {
				out[i].SpecialUnits++
			}
		}
	}
	for _, cl := range p.CurrentClusters() {
		if i, ok := idx[cl.Industry]; ok {
			out[i].Clusters++
		}
	}
	if asCSV {
		rows := [][]string{{"code", "name", "tier", "tier_name", "confirmed", "main_units", "special_units", "clusters"}}
		for _, in := range out {
			rows = append(rows, []string{in.Code, in.Name, fmt.Sprint(in.Tier), in.TierName, fmt.Sprint(in.Confirmed),
				fmt.Sprint(in.MainUnits), fmt.Sprint(in.SpecialUnits), fmt.Sprint(in.Clusters)})
		}
		return writeCSV(c, rows)
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": p.ID, "industries": out})
}
