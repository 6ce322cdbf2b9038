package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/indmap/indmap/tiles"
)

func runExport(ctx context.Context, e *env, args []string) error {
	const use = "indmap export mbtiles|pmtiles --plan ID [--maxzoom N] OUT"
	if len(args) == 0 || (args[0] != "mbtiles" && args[0] != "pmtiles") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintf(e.stdout, "Usage: %s\n", use)
			return nil
		}
		return usageErr("export what? %s", use)
	}
	format := args[0]
	fs := newFlags(e, "export "+format+" --plan ID [--maxzoom N] OUT",
		"Writes a plan's vector tiles z0–maxzoom to one file for CDNs and offline use:\n"+
			"MBTiles 1.3 (SQLite) or PMTiles v3 (one file any static host serves with range requests).")
	db := dbFlag(e, fs)
	planID := fs.String("plan", "", "the plan's id")
	maxZoom := fs.Int("maxzoom", 12, "deepest zoom to write (tiles deeper than this are overzoomed by clients)")
	files, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if *planID == "" || len(files) != 1 {
		return usageErr("give --plan ID and one OUT file")
	}
	if *maxZoom < 0 || *maxZoom > tiles.MaxZoom {
		return usageErr("--maxzoom %d: want 0 to %d", *maxZoom, tiles.MaxZoom)
	}
	st, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	snap, err := st.Load(ctx)
	if err != nil {
		return err
	}
	ix := tiles.NewIndex(snap)
	if !ix.HasPlan(*planID) {
		return fmt.Errorf("no plan %q (have %s)", *planID, strings.Join(snap.PlanIDs(), ", "))
	}
	start := time.Now()
	write := ix.WriteMBTiles
	if format == "pmtiles" {
		write = ix.WritePMTiles
	}
	n, err := write(ctx, *planID, *maxZoom, files[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d tiles z0–%d of %s (data version %d) in %s\n", files[0], n, *maxZoom, *planID,
		snap.Version, time.Since(start).Round(time.Millisecond))
	return nil
}
