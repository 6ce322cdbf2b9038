package api

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/indmap/indmap/plan"
	"github.com/labstack/echo/v4"
)

// An operation of the API, as the OpenAPI documents describe it. The
// tables below are the one place routes are documented; a test checks
// them against the routes Echo registers.
type operation struct {
	method, path, summary string
	params                []param
	body                  string // request body media types, comma-separated
	ok                    string // media type of the 200 answer
}

type param struct {
	name, in, typ, desc string
	required            bool
}

func q(name, typ, desc string) param    { return param{name, "query", typ, desc, false} }
func qReq(name, typ, desc string) param { return param{name, "query", typ, desc, true} }
func pathParam(name, desc string) param { return param{name, "path", "string", desc, true} }
func header(name, desc string) param    { return param{name, "header", "string", desc, false} }

var (
	pPlan   = pathParam("id", "plan id")
	pLimit  = q("limit", "integer", "page size, 1–1000 (default 100)")
	pOffset = q("offset", "integer", "items to skip")
	pBBox   = q("bbox", "string", "minLon,minLat,maxLon,maxLat (WGS 84)")
	pFormat = q("format", "string", "json or csv (or Accept: text/csv)")
	pLang   = q("lang", "string", "zh or en: the language of titles and messages (else Accept-Language; default zh)")
	pName   = q("name", "string", "the file's name, for the report's subject and errors (else Content-Disposition's filename)")
	pAsOf   = q("as_of", "string", "check against the divisions in force on this date (YYYY-MM-DD; default: the plan's)")
	// planFile is a plan file body: CSV, JSON or an .xlsx workbook.
	planFile = "text/csv,application/json," + plan.XLSXType
)

var v1Operations = []operation{
	{"GET", "/api/v1/plans", "the plans with their counts and the data version", nil, "", "application/json"},
	{"GET", "/api/v1/units/{code}", "a unit as a GeoJSON Feature with its assignments in every plan", []param{pathParam("code", "unit code")}, "", "application/geo+json"},
	{"GET", "/api/v1/plans/{id}/units", "a plan's units as a paged GeoJSON FeatureCollection", []param{pPlan,
		q("industry", "string", "catalogue code or exact name"), q("role", "string", "main, special or any"),
		pBBox, q("kind", "string", "city, district or zone"), q("simplify", "number", "tolerance in metres"), pLimit, pOffset}, "", "application/geo+json"},
	{"GET", "/api/v1/plans/{id}/sites", "units holding an industry, ranked for investors", []param{pPlan,
		qReq("industry", "string", "catalogue code or exact name"), q("near", "string", "lon,lat to rank by distance"),
		q("limit", "integer", "at most this many (default 20)"), pFormat}, "", "application/json"},
	{"GET", "/api/v1/industries", "a plan's catalogue with how many units hold each industry", []param{qReq("plan", "string", "plan id"), pFormat}, "", "application/json"},
	{"GET", "/api/v1/lookup", "units containing a point, and zones near it", []param{qReq("lon", "number", "longitude"), qReq("lat", "number", "latitude")}, "", "application/json"},
	{"GET", "/api/v1/search", "units and industries by part of a Chinese, pinyin or English name, best first", []param{
		qReq("q", "string", "what was typed (at most 100 characters): 璧山, bishan, Bishan District, bish"),
		q("plan", "string", "only this plan's units and catalogue"), q("limit", "integer", "at most this many, 1–50 (default 10)")}, "", "application/json"},
	{"GET", "/api/v1/plans/{id}/validation", "the stored plan's validation report, errors first", []param{pPlan, pLang}, "", "application/json"},
	{"GET", "/api/v1/plans/{id}/theme", "the plan's thematic data per unit (roles, tiers, violations, coverage), tagged by content", []param{pPlan, q("v", "string", "the content tag; when current, the answer may be cached for good")}, "", "application/json"},
	{"POST", "/api/v1/plans/{id}/validate", "validates a plan file without storing it; errors first", []param{pPlan, pLang, pName, pAsOf}, planFile, "application/json"},
	{"POST", "/api/v1/plans/{id}/diff", "a plan file against the stored plan, per unit (added, removed, changed role), with what every unit holds in the file and its report; stores nothing", []param{pPlan, pLang, pName, pAsOf}, planFile, "application/json"},
	{"GET", "/api/v1/plans/{id}/assignments", "the plan's assignments or clusters (ETag: the revision, for If-Match)", []param{pPlan,
		q("format", "string", "json, csv or xlsx (or Accept)"), q("revision", "integer", "an older revision"), pLang}, "", "application/json"},
	{"PUT", "/api/v1/plans/{id}/assignments", "replaces a plan's assignments (needs a token; If-Match: the revision's ETag, else 412)", []param{pPlan,
		q("force", "boolean", "store despite errors"), pLang, pName, header("If-Match", "the ETag of the revision the change was made on")}, planFile, "application/json"},
	{"GET", "/api/v1/plans/{id}/revisions", "the accepted writes of a plan, newest first (ETag: the newest)", []param{pPlan}, "", "application/json"},
	{"GET", "/api/v1/plans/{id}/revisions/{n}/diff", "what revision n changed, per unit, against the revision before it", []param{pPlan,
		pathParam("n", "revision number"), q("against", "integer", "another revision to compare with")}, "", "application/json"},
	{"POST", "/api/v1/plans/{id}/revisions/{n}/restore", "restores a revision (needs a token; If-Match as for PUT)", []param{pPlan,
		pathParam("n", "revision number"), pLang, header("If-Match", "the ETag of the current revision")}, "", "application/json"},
	{"GET", "/api/v1/openapi.json", "this document", nil, "", "application/json"},
	{"GET", "/api/v1/events", "Server-Sent Events: each new data version with its geometry version and plans' content tags", nil, "", "text/event-stream"},
}

var ogcOperations = []operation{
	{"GET", "/ogc", "landing page", []param{q("f", "string", "json or html")}, "", "application/json"},
	{"GET", "/ogc/conformance", "conformance classes", []param{q("f", "string", "json or html")}, "", "application/json"},
	{"GET", "/ogc/api", "this document", nil, "", oasType},
	{"GET", "/ogc/collections", "the collections: one per plan, and units", []param{q("f", "string", "json or html")}, "", "application/json"},
	{"GET", "/ogc/collections/{collectionId}", "a collection", []param{pathParam("collectionId", "plan id or units"), q("f", "string", "json or html")}, "", "application/json"},
	{"GET", "/ogc/collections/{collectionId}/items", "a collection's features", []param{pathParam("collectionId", "plan id or units"),
		pBBox, q("datetime", "string", "the units that existed then: a date or RFC 3339 date-time, or an interval A/B (.. for an open end)"),
		pLimit, pOffset, q("f", "string", "json or html")}, "", geoJSONType},
	{"GET", "/ogc/collections/{collectionId}/items/{featureId}", "one feature", []param{pathParam("collectionId", "plan id or units"),
		pathParam("featureId", "unit code"), q("f", "string", "json or html")}, "", geoJSONType},
}

// openAPI builds an OpenAPI 3.0 document of operations.
func openAPI(title, server string, ops []operation) map[string]any {
	paths := map[string]any{}
	for _, op := range ops {
		item, _ := paths[op.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.path] = item
		}
		var params []any
		for _, p := range op.params {
			params = append(params, map[string]any{"name": p.name, "in": p.in, "required": p.required,
				"description": p.desc, "schema": map[string]any{"type": p.typ}})
		}
		o := map[string]any{
			"summary": op.summary,
			"responses": map[string]any{
				"200":     map[string]any{"description": "OK", "content": map[string]any{op.ok: map[string]any{}}},
				"default": map[string]any{"description": "an RFC 9457 problem", "content": map[string]any{"application/problem+json": map[string]any{}}},
			},
		}
		if params != nil {
			o["parameters"] = params
		}
		if op.body != "" {
			content := map[string]any{}
			for _, t := range strings.Split(op.body, ",") {
				content[t] = map[string]any{}
			}
			o["requestBody"] = map[string]any{"required": true, "content": content}
		}
		if op.method != "GET" && !strings.HasSuffix(op.path, "/validate") && !strings.HasSuffix(op.path, "/diff") {
			o["security"] = []any{map[string]any{"bearer": []any{}}}
		}
		item[strings.ToLower(op.method)] = o
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": title, "version": "1"},
		"servers": []any{map[string]any{"url": server}},
		"paths":   paths,
		"components": map[string]any{"securitySchemes": map[string]any{
			"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

var echoParam = regexp.MustCompile(`:(\w+)`)

// RouteKeys lists registered routes under prefix as "METHOD /path/{p}".
func RouteKeys(e *echo.Echo, prefix string) []string {
	seen := map[string]bool{}
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, prefix) || strings.HasPrefix(r.Method, "echo_route") || r.Method == http.MethodHead {
			continue
		}
		path := strings.TrimSuffix(echoParam.ReplaceAllString(r.Path, "{$1}"), "/")
		seen[r.Method+" "+path] = true
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DocumentedKeys lists the documented operations under prefix in the form
// of RouteKeys (OGC's path parameter names mapped to the routes').
func DocumentedKeys(prefix string) []string {
	var out []string
	for _, ops := range [][]operation{v1Operations, ogcOperations} {
		for _, op := range ops {
			if strings.HasPrefix(op.path, prefix) {
				p := strings.NewReplacer("{collectionId}", "{cid}", "{featureId}", "{fid}").Replace(op.path)
				out = append(out, op.method+" "+p)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (h *handlers) v1OpenAPI(c echo.Context) error {
	return c.JSON(http.StatusOK, openAPI("indmap API", h.baseURL(c), v1Operations))
}

func (h *handlers) ogcAPI(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentType, oasType)
	c.Response().WriteHeader(http.StatusOK)
	return jsonEncode(c.Response(), openAPI("indmap OGC API – Features", h.baseURL(c), ogcOperations))
}
