package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/indmap/indmap/store"
)

func runCopy(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "copy --from DB --to DB [--force]",
		"Copies a whole database into another, in one transaction: units and their geometry, plans,\n"+
			"every revision, division changes, adjacency and the key that names write tokens. DB is a\n"+
			"GeoPackage file or a postgres:// URL, so this moves a GeoPackage into PostgreSQL (to run\n"+
			"several servers) and back. A database that holds data is replaced only with --force.")
	from := fs.String("from", "", "database to read (file or postgres:// URL)")
	to := fs.String("to", "", "database to write (file or postgres:// URL; created or migrated)")
	force := fs.Bool("force", false, "replace what --to holds")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	if *from == "" || *to == "" {
		return usageErr("copy needs --from and --to")
	}
	if *from == *to {
		return usageErr("--from and --to are the same database")
	}
	src, err := openExisting(ctx, e, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	return copyInto(ctx, e, src, *to, *force)
}

// copyInto copies src into the database at db (see store.Copy) and says
// what it copied.
func copyInto(ctx context.Context, e *env, src *store.Store, db string, force bool) error {
	start := time.Now()
	dst, err := openStore(ctx, e, db)
	if err != nil {
		return err
	}
	res, err := store.Copy(ctx, src, dst, force)
	if err != nil {
		dst.Close()
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	var parts []string
	for t, n := range res {
		parts = append(parts, fmt.Sprintf("%s %d", t, n))
	}
	sort.Strings(parts)
	fmt.Fprintf(e.stdout, "copied %s → %s in %s: %s\n", redacted(src.Path()), redacted(db), time.Since(start).Round(time.Millisecond), strings.Join(parts, ", "))
	return nil
}
