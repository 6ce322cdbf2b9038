package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/indmap/indmap/geo"
)

// A Definition describes a plan as data: what it is, which units it
// covers, optionally its catalogue, and its rules. A new province's plan
// of a known kind is a definition file, not code.
type Definition struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Kind      Kind       `json:"kind"`
	Region    string     `json:"region"`
	UnitKinds []string   `json:"unit_kinds"`
	Catalogue []Industry `json:"catalogue,omitempty"`
	Rules     Profile    `json:"rules"`
}

// ReadDefinition reads a plan definition in JSON, refusing unknown fields
// so that a misspelt key is an error, not a rule silently left out.
func ReadDefinition(r io.Reader, name string, maxBytes int64) (Definition, error) {
	var d Definition
	b, err := readText(r, name, maxBytes)
	if err != nil {
		return d, err
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
		return fmt.Errorf("plan %s: no region (the parent code of its units)", d.ID)
	case len(d.UnitKinds) == 0:
		return fmt.Errorf("plan %s: no unit_kinds", d.ID)
	}
	for _, k := range d.UnitKinds {
		if k != KindCity && k != KindDistrict && k != KindZone {
			return fmt.Errorf("plan %s: unit kind %q (want city, district or zone)", d.ID, k)
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
	if len(d.Catalogue) > 0 {
		p.Catalogue = d.Catalogue
	}
}
