package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
)

// unusable ends validate with exit code 2: the input could not be checked.
func unusable(err error) error { return exitError{code: 2, err: err} }

func runValidate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "validate --plan ID [FILE.csv|FILE.json] [--as-of DATE] [--format text|json]",
		"Checks a plan against its rules: the stored plan, or a file against the plan's units and\n"+
			"rules without storing it. The units are the divisions in force on the plan's as-of date,\n"+
			"or on --as-of DATE (a row naming a unit abolished by then is a retired-unit error).\n"+
			"Exit 0 when valid, 1 when there are errors, 2 when the input cannot be checked (bad file,\n"+
			"unknown plan, no database).")
	db := dbFlag(e, fs)
	planID := fs.String("plan", "", "the plan's id")
	format := fs.String("format", "text", "text or json")
	maxBytes := fs.Int64("max-bytes", geo.DefaultMaxBytes, "largest file read")
	asOfFlag := fs.String("as-of", "", "check against the divisions in force on this date (YYYY-MM-DD; default: the plan's as-of date)")
	files, err := parse(fs, args)
	if err != nil {
		return unusable(err)
	}
	asOf := ""
	if *asOfFlag != "" {
		if asOf, err = plan.ParseDate(*asOfFlag); err != nil {
			return unusable(usageErr("--as-of: %v", err))
		}
	}
	if *planID == "" || len(files) > 1 || (*format != "text" && *format != "json") {
		return unusable(usageErr("give --plan ID, at most one FILE, and --format text or json"))
	}
	st, err := openExisting(ctx, *db)
	if err != nil {
		return unusable(err)
	}
	defer st.Close()
	snap, err := st.Load(ctx)
	if err != nil {
		return unusable(err)
	}
	p, ok := snap.Plan(*planID)
	if !ok {
		return unusable(fmt.Errorf("no plan %q (have %s)", *planID, strings.Join(snap.PlanIDs(), ", ")))
	}
	report, _ := snap.Report(p.ID)
	if asOf != "" && len(files) == 0 {
		report, _ = snap.Validate(p, plan.Parsed{Kind: p.Kind, Assignments: p.Assignments, Clusters: p.Clusters}, asOf)
	}
	if len(files) == 1 {
		f, err := os.Open(files[0])
		if err != nil {
			return unusable(err)
		}
		parsed, err := plan.ParseFile(f, files[0], *maxBytes)
		f.Close()
		if err != nil {
			return unusable(err)
		}
		if report, err = snap.Validate(p, parsed, asOf); err != nil {
			return unusable(fmt.Errorf("%s: %w", files[0], err))
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(report)
	} else {
		err = report.WriteText(e.stdout)
	}
	if err != nil {
		return err
	}
	if !report.Valid {
		return exitError{code: 1}
	}
	return nil
}
