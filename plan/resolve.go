package plan

import (
	"fmt"
	"io"
	"strings"
)

// File is a planner's plan file read for one plan: assignments or
// clusters by the plan's kind, with what import noticed.
type File struct {
	Assignments []Assignment
	Clusters    []Cluster
	// Warnings are kept, not fatal: an industry outside the catalogue is
	// a rule violation for the validator to report, not bad input.
	Warnings []string
}

// ReadFile reads a plan file in the format of the plan's kind and maps
// it onto the plan: every unit code must be one of units (the plan's
// units), industries resolve to catalogue codes where they match.
func (p *Plan) ReadFile(r io.Reader, name string, maxBytes int64, units map[string]bool) (File, error) {
	var f File
	switch p.Kind {
	case DistrictPicks:
		as, lines, err := ReadPicks(r, name, maxBytes)
		if err != nil {
			return f, err
		}
		for i, a := range as {
			if !units[a.Unit] {
				return f, fmt.Errorf("%s: line %d: unit %s is not a unit of plan %s", name, lines[i], a.Unit, p.ID)
			}
			if in, ok := p.Industry(a.Industry); ok {
				a.Industry = in.Code
			} else {
				f.Warnings = append(f.Warnings, fmt.Sprintf("%s: line %d: industry %q is not in the catalogue of %s; stored as written", name, lines[i], a.Industry, p.ID))
			}
			f.Assignments = append(f.Assignments, a)
		}
	case Clusters:
		cs, lines, err := ReadClusters(r, name, maxBytes)
		if err != nil {
			return f, err
		}
		for i, c := range cs {
			for _, h := range c.Hosts {
				if !units[h] {
					return f, fmt.Errorf("%s: line %d: host %s of %s is not a unit of plan %s", name, lines[i], h, c.Name, p.ID)
				}
			}
			if in, ok := p.Industry(c.Industry); ok {
				c.Industry = in.Code
			} else {
				f.Warnings = append(f.Warnings, fmt.Sprintf("%s: line %d: sector %q is not a sector of %s; stored as written", name, lines[i], c.Industry, p.ID))
			}
			f.Clusters = append(f.Clusters, c)
		}
	default:
		return f, fmt.Errorf("plan %s has unknown kind %q", p.ID, p.Kind)
	}
	return f, nil
}

// CheckKind fails when a file's header says it is for another kind of plan.
func (p *Plan) CheckKind(name, header string) error {
	k, ok := FileKind(header)
	if !ok {
		return fmt.Errorf("%s: line 1: header is neither %s nor %s", name,
			strings.Join(PicksHeader, ","), strings.Join(ClustersHeader, ","))
	}
	if k != p.Kind {
		return fmt.Errorf("%s: a %s file, but plan %s is %s", name, k, p.ID, p.Kind)
	}
	return nil
}
