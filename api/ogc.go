package api

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) under /ogc:
// one collection per plan, plus "units" for the bare boundaries.

const (
	unitsCollection = "units"
	crs84           = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	geoJSONType     = "application/geo+json"
	oasType         = "application/vnd.oai.openapi+json;version=3.0"
)

var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
}

func (h *handlers) registerOGC(route func(method, path string, fn echo.HandlerFunc)) {
	route("GET", "/ogc", h.ogcLanding)
	route("GET", "/ogc/", h.ogcLanding)
	route("GET", "/ogc/conformance", h.ogcConformance)
	route("GET", "/ogc/api", h.ogcAPI)
	route("GET", "/ogc/collections", h.ogcCollections)
	route("GET", "/ogc/collections/:cid", h.ogcCollection)
	route("GET", "/ogc/collections/:cid/items", h.ogcItems)
	route("GET", "/ogc/collections/:cid/items/:fid", h.ogcItem)
}

// wantsHTML reports whether the client asked for HTML (?f=html, or a
// browser's Accept) rather than JSON (?f=json).
func wantsHTML(c echo.Context) (bool, error) {
	f, err := oneOf(c, "f", "", "json", "html")
	if err != nil {
		return false, err
	}
	if f != "" {
		return f == "html", nil
	}
	c.Response().Header().Add(echo.HeaderVary, "Accept")
	accept := c.Request().Header.Get("Accept")
	return strings.Contains(accept, "text/html") && !strings.Contains(accept, "json"), nil
}

func (h *handlers) ogcBase(c echo.Context) string { return h.baseURL(c) + "/ogc" }

// respond writes v as JSON (with the given type) or as an HTML page.
func (h *handlers) respond(c echo.Context, title, jsonType string, v any) error {
	html, err := wantsHTML(c)
	if err != nil {
		return err
	}
	if html {
		c.Response().Header().Set(echo.HeaderContentType, "text/html; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		return ogcPage.Execute(c.Response(), pageData(title, v))
	}
	c.Response().Header().Set(echo.HeaderContentType, jsonType)
	c.Response().WriteHeader(http.StatusOK)
	return jsonEncode(c.Response(), v)
}

func (h *handlers) ogcLanding(c echo.Context) error {
	b := h.ogcBase(c)
	return h.respond(c, "indmap", "application/json", map[string]any{
		"title":       "indmap",
		"description": "Industry plans of Chinese regions: units with the industries plans assign them (OGC API – Features)",
		"links": []link{
			{Href: b, Rel: "self", Type: "application/json", Title: "this document"},
			{Href: b + "?f=html", Rel: "alternate", Type: "text/html", Title: "this document as HTML"},
			{Href: b + "/api", Rel: "service-desc", Type: oasType, Title: "the API definition"},
			{Href: b + "/conformance", Rel: "conformance", Type: "application/json", Title: "conformance classes"},
			{Href: b + "/collections", Rel: "data", Type: "application/json", Title: "collections"},
		},
	})
}

func (h *handlers) ogcConformance(c echo.Context) error {
	return h.respond(c, "Conformance", "application/json", map[string]any{"conformsTo": conformance})
}

type ogcCollectionDoc struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	ItemType    string   `json:"itemType"`
	CRS         []string `json:"crs"`
	Extent      struct {
		Spatial struct {
			BBox [][4]float64 `json:"bbox"`
			CRS  string       `json:"crs"`
		} `json:"spatial"`
	} `json:"extent"`
	Links []link `json:"links"`
}

// collection describes a plan (p) or the bare units (p == nil).
func (h *handlers) collection(c echo.Context, snap *readmodel.Snapshot, p *plan.Plan) ogcCollectionDoc {
	id, title, desc := unitsCollection, "Units", "All stored units (cities, districts and counties, zones) without plan data"
	units := snap.Units
	if p != nil {
		id, title, desc = p.ID, p.Title, fmt.Sprintf("Units of plan %s (%s) with the industries it assigns them", p.ID, p.Kind)
		units = snap.PlanUnits(p)
	}
	d := ogcCollectionDoc{ID: id, Title: title, Description: desc, ItemType: "feature", CRS: []string{crs84}}
	// The extent of the units; the whole world for a plan with none
	// loaded (its boundaries not imported).
	b := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	first := true
	for _, u := range units {
		if u.Geom == nil {
			continue
		}
		if first {
			b, first = u.Geom.Bound(), false
		} else {
			b = b.Union(u.Geom.Bound())
		}
	}
	d.Extent.Spatial.BBox = [][4]float64{{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}
	d.Extent.Spatial.CRS = crs84
	base := h.ogcBase(c) + "/collections/" + id
	d.Links = []link{
		{Href: base, Rel: "self", Type: "application/json", Title: "this collection"},
		{Href: base + "?f=html", Rel: "alternate", Type: "text/html", Title: "this collection as HTML"},
		{Href: base + "/items", Rel: "items", Type: geoJSONType, Title: "items"},
		{Href: base + "/items?f=html", Rel: "items", Type: "text/html", Title: "items as HTML"},
	}
	return d
}

func (h *handlers) ogcCollections(c echo.Context) error {
	snap := snapshotOf(c)
	cols := []ogcCollectionDoc{}
	for i := range snap.Plans {
		cols = append(cols, h.collection(c, snap, &snap.Plans[i]))
	}
	cols = append(cols, h.collection(c, snap, nil))
	b := h.ogcBase(c) + "/collections"
	return h.respond(c, "Collections", "application/json", map[string]any{
		"links": []link{
			{Href: b, Rel: "self", Type: "application/json", Title: "this document"},
			{Href: b + "?f=html", Rel: "alternate", Type: "text/html", Title: "this document as HTML"},
		},
		"collections": cols,
	})
}

// ogcPlan resolves a collection id: a plan, or nil for "units".
func (h *handlers) ogcPlan(c echo.Context) (*plan.Plan, error) {
	id := c.Param("cid")
	if id == unitsCollection {
		return nil, nil
	}
	p, ok := snapshotOf(c).Plan(id)
	if !ok {
		return nil, notFound("no collection %s", id)
	}
	return p, nil
}

func (h *handlers) ogcCollection(c echo.Context) error {
	p, err := h.ogcPlan(c)
	if err != nil {
		return err
	}
	d := h.collection(c, snapshotOf(c), p)
	return h.respond(c, d.Title, "application/json", d)
}

// ogcFeature is a unit with flat properties, as GIS clients want them:
// the fields of plan.UnitFields published in OGC items.
func ogcFeature(snap *readmodel.Snapshot, p *plan.Plan, u plan.Unit) *geojson.Feature {
	f := geojson.NewFeature(u.Geom)
	f.ID = u.Code
	if p == nil {
		f.Properties = plan.Properties(plan.InOGCUnits, u, nil)
		return f
	}
	f.Properties = plan.Properties(plan.InOGC, u, snap.View(p.ID, u.Code))
	return f
}

// ogcItemsParams are the parameters the items endpoint knows; others are
// refused, as the standard recommends.
var ogcItemsParams = map[string]bool{"bbox": true, "datetime": true, "limit": true, "offset": true, "f": true, "bbox-crs": true}

func (h *handlers) ogcItems(c echo.Context) error {
	p, err := h.ogcPlan(c)
	if err != nil {
		return err
	}
	for k := range c.QueryParams() {
		if !ogcItemsParams[k] {
			return badParam(k, "unknown parameter (this collection takes bbox, datetime, limit, offset, f)")
		}
	}
	if crs := c.QueryParam("bbox-crs"); crs != "" && crs != crs84 {
		return badParam("bbox-crs", "only %s is supported", crs84)
	}
	q := featureQuery{limit: defaultLimit}
	if q.limit, err = intParam(c, "limit", defaultLimit, 1, maxLimit); err != nil {
		return err
	}
	if q.offset, err = intParam(c, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if q.bbox, err = bboxParam(c); err != nil {
		return err
	}
	// datetime: the units that existed then (their days of validity).
	var when dateRange
	if v := c.QueryParam("datetime"); c.QueryParams().Has("datetime") {
		if when, err = parseDatetime(v); err != nil {
			return badParam("datetime", "%v", err)
		}
	}
	snap := snapshotOf(c)
	units := snap.Units
	if p != nil {
		units = snap.PlanUnits(p)
	}
	var matched []plan.Unit
	for _, u := range units {
		if u.Geom != nil && (q.bbox == nil || q.bbox.Intersects(u.Geom.Bound())) && when.holds(u) {
			matched = append(matched, u)
		}
	}
	// Units known only by a point (zones) come first: a client that reads
	// the first page to learn the layer's geometry type (GDAL's OAPIF
	// driver) then sees points and polygons, and makes a layer that takes
	// both (a copy to GeoPackage needs no -nlt).
	slices.SortStableFunc(matched, func(a, b plan.Unit) int {
		_, pa := a.Geom.(orb.Point)
		_, pb := b.Geom.(orb.Point)
		switch {
		case pa && !pb:
			return -1
		case pb && !pa:
			return 1
		}
		return 0
	})
	base := h.ogcBase(c) + "/collections/" + c.Param("cid")
	page := q.page(snap, matched, c.Request().URL, base+"/items", func(u plan.Unit) *geojson.Feature {
		return ogcFeature(snap, p, u)
	})
	page.TimeStamp = time.Now().UTC().Format(time.RFC3339)
	page.Links = append(page.Links, link{Href: base, Rel: "collection", Type: "application/json", Title: "the collection"})
	return h.respond(c, "Items of "+c.Param("cid"), geoJSONType, page)
}

func (h *handlers) ogcItem(c echo.Context) error {
	p, err := h.ogcPlan(c)
	if err != nil {
		return err
	}
	snap := snapshotOf(c)
	u, ok := snap.Unit(c.Param("fid"))
	if !ok || u.Geom == nil || (p != nil && !snap.InPlan(p, u.Code)) {
		return notFound("no feature %s in collection %s", c.Param("fid"), c.Param("cid"))
	}
	base := h.ogcBase(c) + "/collections/" + c.Param("cid")
	f := ogcFeature(snap, p, u)
	doc := map[string]any{"type": "Feature", "id": f.ID, "geometry": geojson.NewGeometry(f.Geometry),
		"properties": f.Properties, "links": []link{
			{Href: base + "/items/" + u.Code, Rel: "self", Type: geoJSONType, Title: "this feature"},
			{Href: base, Rel: "collection", Type: "application/json", Title: "the collection"},
		}}
	return h.respond(c, u.Name, geoJSONType, doc)
}

// pageData turns a document into what the HTML page shows: its links,
// and the whole document as indented JSON.
func pageData(title string, v any) map[string]any {
	b, _ := json.MarshalIndent(v, "", "  ")
	var doc struct {
		Links []link `json:"links"`
	}
	_ = json.Unmarshal(b, &doc)
	return map[string]any{"Title": title, "Links": doc.Links, "JSON": string(b)}
}

// ogcPage renders any OGC document as a plain page.
var ogcPage = template.Must(template.New("ogc").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · indmap OGC API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem;max-height:40rem;overflow:auto}</style>
</head><body><h1>{{.Title}}</h1>
<ul>{{range .Links}}<li><a href="{{.Href}}">{{if .Title}}{{.Title}}{{else}}{{.Rel}}{{end}}</a> ({{.Rel}}{{if .Type}}, {{.Type}}{{end}})</li>{{end}}</ul>
<pre>{{.JSON}}</pre>
</body></html>`))
