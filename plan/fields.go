package plan

import (
	"sort"
	"strings"
)

// A Field is one property of a unit as indmap publishes it: its name,
// type, meaning and value are given here once, and every output (the
// tiles' layers and their TileJSON vector_layers, GeoJSON, OGC API
// items, the plan's thematic JSON) reads it from here.
type Field struct {
	Name string
	// Type as TileJSON and MBTiles name it: String, Number or Boolean.
	Type        string
	Description string
	// In says where the field is published.
	In Output
	// Value is the field's flat value (lists |-joined: MVT has no lists)
	// for a unit and what its plan says of it (v may be nil for fields
	// of the unit alone). Numbers are int, Booleans bool.
	Value func(u Unit, v *UnitView) any
	// List, for a list field, is its value as a JSON list, where JSON
	// outputs give lists as lists.
	List func(u Unit, v *UnitView) []string
}

// Output is a set of places a field is published.
type Output uint16

// Outputs.
const (
	// InUnits: every tile's units layer (the unit's identity: it goes
	// with the geometry, never with what a plan says).
	InUnits Output = 1 << iota
	// InLabels: every tile's labels layer.
	InLabels
	// InTheme: tiles asked for ?industry= (what the plan says of the
	// unit), in the units layer.
	InThemeTiles
	// InThemeLabels: tiles asked for ?industry=, in the labels layer.
	InThemeLabels
	// InOGC: OGC API Features items of a plan's collection (flat
	// properties, as GIS clients want them).
	InOGC
	// InOGCUnits: items of the OGC collection of all units (no plan).
	InOGCUnits
	// InGeoJSON: the plan's GeoJSON units (/api/v1/plans/{id}/units).
	InGeoJSON
	// InThemeJSON: the plan's thematic JSON (/api/v1/plans/{id}/theme).
	InThemeJSON
)

// Has reports whether o includes every output of in.
func (o Output) Has(in Output) bool { return o&in == in }

func joined(l []string) string { return strings.Join(l, "|") }

func holdingNames(hs []Holding) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Name
	}
	return out
}

func clusterNames(v *UnitView) []string {
	out := []string{}
	for _, c := range v.Clusters {
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out
}

// or is s, or else if s is empty.
func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// listField is a list field: flat |-joined, a list in JSON.
func listField(name, desc string, in Output, list func(u Unit, v *UnitView) []string) Field {
	return Field{Name: name, Type: "String", Description: desc, In: in,
		Value: func(u Unit, v *UnitView) any { return joined(list(u, v)) },
		List:  func(u Unit, v *UnitView) []string { return nonNil(list(u, v)) }}
}

const (
	everywhere = InUnits | InLabels | InOGC | InOGCUnits | InGeoJSON | InThemeJSON
	identity   = InUnits | InOGC | InOGCUnits | InGeoJSON
)

// UnitFields are every published property of a unit, in the order
// outputs list them.
var UnitFields = []Field{
	{"code", "String", "unit code (GB/T 2260 adcode, or a zone's code)", everywhere,
		func(u Unit, _ *UnitView) any { return u.Code }, nil},
	{"name", "String", "unit name", everywhere,
		func(u Unit, _ *UnitView) any { return u.Name }, nil},
	{"name_en", "String", "unit name in English", everywhere,
		func(u Unit, _ *UnitView) any { return u.NameEn }, nil},
	{"short", "String", "the name as labels give it at small scales: without its generic ending and ethnic groups (沙坪坝 for 沙坪坝区) where the rest stands as a name and no other unit shares it; a zone's whole name", InLabels,
		func(u Unit, _ *UnitView) any { return or(u.Short, u.Name) }, nil},
	{"short_en", "String", "the English name as labels give it at small scales (Shapingba for Shapingba District; a zone's whole name)", InLabels,
		func(u Unit, _ *UnitView) any { return or(u.ShortEn, u.NameEn) }, nil},
	{"kind", "String", "city, district or zone", everywhere,
		func(u Unit, _ *UnitView) any { return u.Kind }, nil},
	{"parent", "String", "the enclosing unit's code", identity | InThemeJSON,
		func(u Unit, _ *UnitView) any { return u.Parent }, nil},
	{"approximate", "Boolean", "true when the unit is known only by an approximate point or a derived polygon", identity | InLabels,
		func(u Unit, _ *UnitView) any { return u.Approximate }, nil},
	{"valid_to", "String", "the date the unit was abolished (YYYY-MM-DD), empty while in force", identity | InLabels,
		func(u Unit, _ *UnitView) any { return u.ValidTo }, nil},
	listField("successors", "names of the units an abolished unit passed to, |-separated", InUnits|InOGC|InOGCUnits,
		func(u Unit, _ *UnitView) []string {
			var out []string
			for _, l := range u.Successors {
				out = append(out, l.Name)
			}
			return out
		}),
	{"outline_before", "String", "for a unit in force that has since given part of its area to another unit or taken part of another's: the date of the latest such change (YYYY-MM-DD), its outline being the one from before; empty when none", identity,
		func(u Unit, _ *UnitView) any { return u.OutlineBefore() }, nil},
	{"area_km2", "Number", "area in km² (ellipsoidal)", InOGC | InOGCUnits | InGeoJSON,
		func(u Unit, _ *UnitView) any { return u.AreaKm2 }, nil},
	// role depends on the industry a tile is asked for: the tile sets it.
	{"role", "String", "with ?industry=: main, special or none for that industry", InThemeTiles | InThemeLabels, nil, nil},
	listField("main", "main industries (names), |-separated; with ?industry= in tiles", InThemeTiles|InThemeLabels|InOGC,
		func(_ Unit, v *UnitView) []string { return holdingNames(v.Main) }),
	listField("main_codes", "main industries (catalogue codes), |-separated", InOGC|InThemeJSON,
		func(_ Unit, v *UnitView) []string { m, _ := ByRole(v.Roles, nil); return m }),
	listField("special", "special industries (names), |-separated; with ?industry= in tiles", InThemeTiles|InOGC,
		func(_ Unit, v *UnitView) []string { return holdingNames(v.Special) }),
	listField("special_codes", "special industries (catalogue codes), |-separated", InOGC|InThemeJSON,
		func(_ Unit, v *UnitView) []string { _, s := ByRole(v.Roles, nil); return s }),
	{"main_count", "Number", "number of main industries; with ?industry= in tiles", InThemeTiles | InOGC,
		func(_ Unit, v *UnitView) any { return len(v.Main) }, nil},
	{"special_count", "Number", "number of special industries; with ?industry= in tiles", InThemeTiles | InOGC,
		func(_ Unit, v *UnitView) any { return len(v.Special) }, nil},
	{"industries", "Number", "number of industries the unit holds in either role", InThemeJSON,
		func(_ Unit, v *UnitView) any { return len(v.Roles) }, nil},
	{"assigned", "Boolean", "true when the plan gives the unit anything", InOGC | InThemeJSON,
		func(_ Unit, v *UnitView) any { return v.Assigned() }, nil},
	listField("clusters", "clusters the unit hosts (names), |-separated; with ?industry= in tiles", InThemeTiles|InOGC|InThemeJSON,
		func(_ Unit, v *UnitView) []string { return clusterNames(v) }),
	{"cluster_count", "Number", "number of clusters the unit hosts; with ?industry= in tiles", InThemeTiles,
		func(_ Unit, v *UnitView) any { return len(v.Clusters) }, nil},
	{"tier", "Number", "best catalogue tier of its main industries, 0 for none; with ?industry= in tiles", InThemeTiles | InThemeJSON,
		func(_ Unit, v *UnitView) any { return v.Tier }, nil},
	{"level", "String", "best level of the clusters it hosts; with ?industry= in tiles", InThemeTiles | InThemeJSON,
		func(_ Unit, v *UnitView) any { return string(v.Level) }, nil},
	listField("sources", "the sources of its industries, |-separated", InOGC,
		func(_ Unit, v *UnitView) []string {
			seen := map[string]bool{}
			var out []string
			for _, h := range append(append([]Holding(nil), v.Main...), v.Special...) {
				if h.Source != "" && !seen[h.Source] {
					seen[h.Source] = true
					out = append(out, h.Source)
				}
			}
			return out
		}),
	listField("violations", "ids of the plan rules the unit breaks, |-separated; with ?industry= in tiles", InThemeTiles|InOGC|InGeoJSON|InThemeJSON,
		func(_ Unit, v *UnitView) []string { return v.Violations }),
	{"violation_count", "Number", "number of rule violations naming the unit", InOGC,
		func(_ Unit, v *UnitView) any { return len(v.Violations) }, nil},
	{"errors", "Number", "errors among the violations naming the unit; with ?industry= in tiles", InThemeTiles | InThemeJSON,
		func(_ Unit, v *UnitView) any { return v.Errors }, nil},
	{"warnings", "Number", "warnings among the violations naming the unit; with ?industry= in tiles", InThemeTiles | InThemeJSON,
		func(_ Unit, v *UnitView) any { return v.Warnings }, nil},
}

// FieldsIn lists the fields published in out, in order.
func FieldsIn(out Output) []Field {
	var fs []Field
	for _, f := range UnitFields {
		if f.In.Has(out) {
			fs = append(fs, f)
		}
	}
	return fs
}

// Properties are the flat values of the fields published in out.
func Properties(out Output, u Unit, v *UnitView) map[string]any {
	fs := FieldsIn(out)
	m := make(map[string]any, len(fs))
	for _, f := range fs {
		if f.Value != nil {
			m[f.Name] = f.Value(u, v)
		}
	}
	return m
}

// JSONProperties are the values of the fields published in out, with
// lists as lists.
func JSONProperties(out Output, u Unit, v *UnitView) map[string]any {
	fs := FieldsIn(out)
	m := make(map[string]any, len(fs))
	for _, f := range fs {
		switch {
		case f.List != nil:
			m[f.Name] = f.List(u, v)
		case f.Value != nil:
			m[f.Name] = f.Value(u, v)
		}
	}
	return m
}
