package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/indmap/indmap/geo"
)

// A Definition describes a plan as data: what it is, which units it
// covers, optionally its catalogue, and its rules. A new province's plan
// of a known kind is a definition file, not code.
type Definition struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	TitleEn string `json:"title_en,omitempty"`
	Kind    Kind   `json:"kind"`
	// AsOf is the date the plan is drawn on (YYYY-MM-DD, YYYY-MM or
	// YYYY): its units are those in force that day.
	AsOf string `json:"as_of,omitempty"`
	// Region is any ancestor of the plan's units (a province, a city, or
	// 100000 for the whole country); UnitKinds the kinds it holds.
	Region    string   `json:"region"`
	UnitKinds []string `json:"unit_kinds"`
	// Display gives the zooms at which a kind shows on the map (kinds
	// not named show at every zoom).
	Display   map[string]KindDisplay `json:"display,omitempty"`
	Catalogue []Industry             `json:"catalogue,omitempty"`
	Rules     Profile                `json:"rules"`
	// Files name the plan's data files, read relative to the definition
	// (see Load).
	Files *Files `json:"files,omitempty"`
}

// ReadDefinition reads a plan definition in JSON, refusing unknown fields
// so that a misspelt key is an error, not a rule silently left out.
func ReadDefinition(r io.Reader, name string, maxBytes int64) (Definition, error) {
	var d Definition
	b, err := readText(r, name, maxBytes)
	if err != nil {
		return d, err
	}
	if err := geo.CheckDepth(b, 16); err != nil {
		return d, fmt.Errorf("%s: %w", name, err)
	}
	if err := geo.CheckDuplicateKeys(b); err != nil {
		return d, fmt.Errorf("%s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("%s: %w", name, jsonLineError(b, err))
	}
	if err := d.check(); err != nil {
		return d, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

func (d *Definition) check() error {
	switch {
	case d.ID == "":
		return fmt.Errorf("no id")
	case d.Title == "":
		return fmt.Errorf("plan %s: no title", d.ID)
	case d.Region == "":
		return fmt.Errorf("plan %s: no region (an ancestor code of its units)", d.ID)
	case len(d.UnitKinds) == 0:
		return fmt.Errorf("plan %s: no unit_kinds", d.ID)
	}
	for i, k := range d.UnitKinds {
		if k == "county" {
			// County-level units (区/县/县级市) are DataV's districts.
			d.UnitKinds[i] = KindDistrict
			continue
		}
		if k != KindCity && k != KindDistrict && k != KindZone {
			return fmt.Errorf("plan %s: unit kind %q (want city, district (or county) or zone)", d.ID, k)
		}
	}
	if d.AsOf != "" {
		if _, err := ParseDate(d.AsOf); err != nil {
			return fmt.Errorf("plan %s: as_of: %w", d.ID, err)
		}
	}
	for kind, z := range d.Display {
		if !slices.Contains(d.UnitKinds, kind) {
			return fmt.Errorf("plan %s: display: %q is not one of its unit_kinds", d.ID, kind)
		}
		if z.MinZoom < 0 || z.MaxZoom < 0 || z.MaxZoom > 0 && z.MaxZoom < z.MinZoom {
			return fmt.Errorf("plan %s: display %s: zooms %d–%d", d.ID, kind, z.MinZoom, z.MaxZoom)
		}
	}
	seen := map[string]bool{}
	for _, in := range d.Catalogue {
		if in.Code == "" || in.Name == "" {
			return fmt.Errorf("plan %s: catalogue entry without code or name", d.ID)
		}
		if seen[in.Code] {
			return fmt.Errorf("plan %s: catalogue code %s twice", d.ID, in.Code)
		}
		seen[in.Code] = true
	}
	if err := d.Rules.Check(d.Kind); err != nil {
		return fmt.Errorf("plan %s: rules: %w", d.ID, err)
	}
	return nil
}

// Apply sets p's identity and rules from the definition; the catalogue
// too when the definition has one. Assignments stay.
func (d Definition) Apply(p *Plan) {
	p.ID, p.Title, p.Kind, p.Region, p.UnitKinds, p.Rules = d.ID, d.Title, d.Kind, d.Region, d.UnitKinds, d.Rules
	p.AsOf, p.Display, p.TitleEn = d.AsOf, d.Display, d.TitleEn
	if len(d.Catalogue) > 0 {
		p.Catalogue = d.Catalogue
	}
}
