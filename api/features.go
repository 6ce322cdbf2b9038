package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
)

// featureQuery selects and pages units as GeoJSON features; the plan
// GeoJSON endpoint and the OGC API items share it.
type featureQuery struct {
	plan     *plan.Plan // nil: all units, bare
	industry *plan.Industry
	role     string // main, special, any
	bbox     *orb.Bound
	kind     string
	simplify float64 // metres
	limit    int
	offset   int
}

const (
	defaultLimit = 100
	maxLimit     = 1000
)

// parseFeatureQuery reads the shared query parameters.
func parseFeatureQuery(c echo.Context, p *plan.Plan) (featureQuery, error) {
	q := featureQuery{plan: p}
	var err error
	if q.limit, err = intParam(c, "limit", defaultLimit, 1, maxLimit); err != nil {
		return q, err
	}
	if q.offset, err = intParam(c, "offset", 0, 0, 1<<30); err != nil {
		return q, err
	}
	if q.bbox, err = bboxParam(c); err != nil {
		return q, err
	}
	if q.kind, err = oneOf(c, "kind", "", plan.KindCity, plan.KindDistrict, plan.KindZone); err != nil {
		return q, err
	}
	if s := c.QueryParam("simplify"); s != "" {
		if q.simplify, err = floatParam("simplify", s, 0, 100000); err != nil {
			return q, err
		}
	}
	if p == nil {
		return q, nil
	}
	if q.industry, err = industryParam(c, p, false); err != nil {
		return q, err
	}
	q.role, err = oneOf(c, "role", "any", "main", "special", "any")
	return q, err
}

// match lists the units the query selects, by code.
func (q featureQuery) match(snap *readmodel.Snapshot) []plan.Unit {
	units := snap.Units
	if q.plan != nil {
		units = snap.PlanUnits(q.plan)
	}
	var out []plan.Unit
	for _, u := range units {
		if q.kind != "" && u.Kind != q.kind {
			continue
		}
		if q.bbox != nil && (u.Geom == nil || !q.bbox.Intersects(u.Geom.Bound())) {
			continue
		}
		if q.plan != nil && (q.industry != nil || q.role != "any") && !q.holds(snap.View(q.plan.ID, u.Code)) {
			continue
		}
		out = append(out, u)
	}
	return out
}

// holds reports whether a unit (its view) holds the query's industry
// (any industry when none is given) in the query's role.
func (q featureQuery) holds(v *plan.UnitView) bool {
	for ind, role := range v.Roles {
		if (q.industry == nil || ind == q.industry.Code) && (q.role == "any" || string(role) == q.role) {
			return true
		}
	}
	return false
}

// featurePage is a FeatureCollection page with OGC-style counts and links.
type featurePage struct {
	Type           string             `json:"type"`
	Features       []*geojson.Feature `json:"features"`
	NumberMatched  int                `json:"numberMatched"`
	NumberReturned int                `json:"numberReturned"`
	TimeStamp      string             `json:"timeStamp,omitempty"`
	Links          []link             `json:"links"`
}

type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// page builds the page of matches; base is the absolute URL of the
// collection, to which next/prev links add limit and offset.
func (q featureQuery) page(snap *readmodel.Snapshot, matched []plan.Unit, reqURL *url.URL, base string, feature func(plan.Unit) *geojson.Feature) featurePage {
	end := min(q.offset+q.limit, len(matched))
	fp := featurePage{Type: "FeatureCollection", Features: []*geojson.Feature{}, NumberMatched: len(matched)}
	if q.offset < len(matched) {
		for _, u := range matched[q.offset:end] {
			fp.Features = append(fp.Features, feature(u))
		}
	}
	fp.NumberReturned = len(fp.Features)
	at := func(offset int) string {
		v := reqURL.Query()
		v.Set("limit", strconv.Itoa(q.limit))
		v.Set("offset", strconv.Itoa(offset))
		return base + "?" + v.Encode()
	}
	fp.Links = append(fp.Links, link{Href: at(q.offset), Rel: "self", Type: "application/geo+json"})
	if end < len(matched) {
		fp.Links = append(fp.Links, link{Href: at(end), Rel: "next", Type: "application/geo+json", Title: "next page"})
	}
	if q.offset > 0 {
		fp.Links = append(fp.Links, link{Href: at(max(0, q.offset-q.limit)), Rel: "prev", Type: "application/geo+json", Title: "previous page"})
	}
	return fp
}

// geometry is a unit's geometry, simplified when asked (per polygon, for
// light previews; tiles keep neighbours' borders shared).
func (q featureQuery) geometry(u plan.Unit) orb.Geometry {
	if q.simplify <= 0 || u.Geom == nil {
		return u.Geom
	}
	mp, ok := u.Geom.(orb.MultiPolygon)
	if !ok {
		return u.Geom
	}
	tol := q.simplify / 111320
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, p := range mp {
		var poly orb.Polygon
		for i, r := range p {
			s := simplify.DouglasPeucker(tol).Ring(append(orb.Ring(nil), r...))
			if len(s) < 4 || geo.PlanarArea(s) == 0 {
				if i == 0 {
					break
				}
				continue
			}
			poly = append(poly, s)
		}
		if len(poly) > 0 {
			out = append(out, poly)
		}
	}
	if len(out) == 0 {
		return u.Geom
	}
	return out
}

// planFeature is a unit as a plan shows it: the fields of
// plan.UnitFields published in GeoJSON, and its industries (and
// clusters) as objects with their details and sources.
func planFeature(snap *readmodel.Snapshot, p *plan.Plan, u plan.Unit, g orb.Geometry) *geojson.Feature {
	f := geojson.NewFeature(g)
	f.ID = u.Code
	v := snap.View(p.ID, u.Code)
	main, special, clusters := viewRefs(p, v)
	f.Properties = plan.JSONProperties(plan.InGeoJSON, u, v)
	f.Properties["main"], f.Properties["special"] = main, special
	if p.Kind == plan.Clusters {
		f.Properties["clusters"] = clusters
		f.Properties["group"] = p.Groups[u.Code]
		f.Properties["group_en"] = p.GroupsEn[p.Groups[u.Code]]
	}
	return f
}

// planUnits serves GET /api/v1/plans/{id}/units.
func (h *handlers) planUnits(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	q, err := parseFeatureQuery(c, p)
	if err != nil {
		return err
	}
	snap := snapshotOf(c)
	page := q.page(snap, q.match(snap), c.Request().URL, h.baseURL(c)+c.Request().URL.Path, func(u plan.Unit) *geojson.Feature {
		return planFeature(snap, p, u, q.geometry(u))
	})
	c.Response().Header().Set(echo.HeaderContentType, "application/geo+json")
	c.Response().WriteHeader(http.StatusOK)
	return jsonEncode(c.Response(), page)
}
