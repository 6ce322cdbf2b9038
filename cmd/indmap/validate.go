package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
)

// unusable ends validate with exit code 2: the input could not be checked.
func unusable(err error) error { return exitError{code: 2, err: err} }

// reportOutput is how a command prints a report: --format and --lang.
type reportOutput struct {
	format string
	lang   string
}

// reportFlags adds --format text|json and --lang zh|en to fs.
func reportFlags(fs *flag.FlagSet) *reportOutput {
	o := &reportOutput{}
	fs.StringVar(&o.format, "format", "text", "report as text or json")
	fs.StringVar(&o.lang, "lang", string(plan.DefaultLang), "language of the report's titles and messages: zh or en")
	return o
}

func (o *reportOutput) check() error {
	if o.format != "text" && o.format != "json" {
		return usageErr("--format %q: want text or json", o.format)
	}
	if _, ok := plan.ParseLang(o.lang); !ok {
		return usageErr("--lang %q: want zh or en", o.lang)
	}
	return nil
}

// write prints a report, errors first, in the chosen format and
// language.
func (o *reportOutput) write(e *env, r plan.Report) error {
	lang, _ := plan.ParseLang(o.lang)
	r = r.Localize(lang)
	if o.format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.WriteText(e.stdout)
}

func runValidate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "validate --plan ID [FILE.csv|FILE.json|FILE.xlsx] [--as-of DATE] [--format text|json] [--lang zh|en]",
		"Checks a plan against its rules: the stored plan, or a file against the plan's units and\n"+
			"rules without storing it, with the verdict and severities the API gives. Errors come first.\n"+
			"The units are the divisions in force on the plan's as-of date, or on --as-of DATE (a row\n"+
			"naming a unit abolished by then is a retired-unit error).\n"+
			"Exit 0 when valid, 1 when there are errors, 2 when the input cannot be checked (bad file,\n"+
			"unknown plan, no database).")
	db := dbFlag(e, fs)
	planID := fs.String("plan", "", "the plan's id")
	maxBytes := fs.Int64("max-bytes", geo.DefaultMaxBytes, "largest file read")
	asOfFlag := fs.String("as-of", "", "check against the divisions in force on this date (YYYY-MM-DD; default: the plan's as-of date)")
	out := reportFlags(fs)
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
	if *planID == "" || len(files) > 1 {
		return unusable(usageErr("give --plan ID and at most one FILE"))
	}
	if err := out.check(); err != nil {
		return unusable(err)
	}
	st, snap, err := loadExisting(ctx, e, *db)
	if err != nil {
		return unusable(err)
	}
	defer st.Close()
	p, err := snap.LookupPlan(*planID)
	if err != nil {
		return unusable(err)
	}
	report, _ := snap.Report(p.ID)
	if asOf != "" && len(files) == 0 {
		stored := report
		report, _ = snap.Validate(p, plan.Parsed{Kind: p.Kind, Assignments: p.Assignments, Clusters: p.Clusters}, asOf)
		report.Subject, report.Revision = stored.Subject, stored.Revision
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
		report.Subject = files[0]
	}
	if err := out.write(e, report); err != nil {
		return err
	}
	if !report.Valid {
		return exitError{code: 1}
	}
	return nil
}
