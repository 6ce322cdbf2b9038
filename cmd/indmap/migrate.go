package main

import (
	"context"
	"fmt"

	"github.com/indmap/indmap/store"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate [--db FILE] [--dry-run]",
		"Brings a database made by an older indmap to this one's schema, in place and in one\n"+
			"transaction: every unit, plan and revision is kept. Opening a file for writing (serve,\n"+
			"import) migrates it too; --dry-run only says what would be done. A file written by a\n"+
			"newer indmap is refused and left as it is.")
	db := dbFlag(e, fs)
	dry := fs.Bool("dry-run", false, "say what would be done, change nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	inspect, open := store.Inspect, func(ctx context.Context, db string) ([]store.Step, error) {
		st, err := store.Open(ctx, db)
		if err != nil {
			return nil, err
		}
		return st.Migrated, st.Close()
	}
	have, steps, err := inspect(ctx, *db)
	if err != nil {
		return err
	}
	if len(steps) == 0 {
		fmt.Fprintf(e.stdout, "%s: schema %d, current; nothing to do\n", redacted(*db), have)
		return nil
	}
	verb := "would run"
	if !*dry {
		if steps, err = open(ctx, *db); err != nil {
			return err
		}
		verb = "ran"
	}
	fmt.Fprintf(e.stdout, "%s: schema %d → %d; %s %d migrations:\n", redacted(*db), have, store.SchemaVersion, verb, len(steps))
	for _, s := range steps {
		fmt.Fprintf(e.stdout, "  %d: %s\n", s.Version, s.Name)
	}
	return nil
}

// redacted is a --db value fit to print: a PostgreSQL connection
// string without its password.
func redacted(db string) string { return store.Redact(db) }
