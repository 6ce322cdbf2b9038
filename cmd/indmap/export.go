package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/tiles"
)

func runExport(ctx context.Context, e *env, args []string) error {
	const use = "indmap export mbtiles|pmtiles --plan ID [--maxzoom N] OUT | indmap export plan --plan ID FILE.xlsx|FILE.csv|FILE.json"
	if len(args) > 0 && args[0] == "plan" {
		return exportPlan(ctx, e, args[1:])
	}
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
			"MBTiles 1.3 (SQLite) or PMTiles v3 (one file any static host serves with range requests);\n"+
			"identical tiles are stored once.")
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
	st, snap, err := loadExisting(ctx, e, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := snap.LookupPlan(*planID); err != nil {
		return err
	}
	ix := tiles.NewIndex(snap)
	start := time.Now()
	write := ix.WriteMBTiles
	if format == "pmtiles" {
		write = ix.WritePMTiles
	}
	sum, err := write(ctx, *planID, *maxZoom, files[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d tiles z0–%d of %s (data version %d): %d distinct, %d tile bytes stored of %d, %d bytes in all, in %s\n",
		files[0], sum.Tiles, *maxZoom, *planID, snap.Version, sum.Distinct, sum.DataBytes, sum.Bytes, sum.FileBytes,
		time.Since(start).Round(time.Millisecond))
	return nil
}

// exportPlan writes a plan's assignments (or clusters) as a planner's
// file: an .xlsx workbook (the contract sheet and a units × industries
// matrix), CSV in the contract's columns (cells safe for spreadsheets),
// or a JSON plan file; each reads back with indmap import plan.
func exportPlan(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export plan --plan ID [--revision N] [--format xlsx|csv|json] [--lang zh|en] FILE",
		"Writes a plan's assignments or clusters to FILE, in the format its extension names (or --format):\n"+
			".xlsx: a sheet in the CSV contract's columns (what indmap import plan reads back) and a\n"+
			"matrix sheet, units × industries grouped by tier, roles marked, labelled in --lang;\n"+
			".csv: the contract's columns; .json: a JSON plan file. Cells are text, never formulas.")
	db := dbFlag(e, fs)
	planID := fs.String("plan", "", "the plan's id")
	revision := fs.Int("revision", 0, "an older revision (default: the newest)")
	format := fs.String("format", "", "xlsx, csv or json (default: from FILE's extension)")
	langFlag := fs.String("lang", string(plan.DefaultLang), "language of the workbook's labels: zh or en")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *planID == "" || len(files) != 1 {
		return usageErr("give --plan ID and one FILE")
	}
	out := files[0]
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
	}
	if *format != "xlsx" && *format != "csv" && *format != "json" {
		return usageErr("format %q: want xlsx, csv or json (--format, or FILE's extension)", *format)
	}
	lang, ok := plan.ParseLang(*langFlag)
	if !ok {
		return usageErr("--lang %q: want zh or en", *langFlag)
	}
	st, snap, err := loadExisting(ctx, e, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	p, rev, err := readmodel.PlanAt(ctx, st, snap, *planID, *revision)
	if err != nil {
		return err
	}
	name := func(code string) string {
		u, _ := snap.Unit(code)
		return u.Name
	}
	err = writeFileAtomically(out, func(w io.Writer) error {
		switch *format {
		case "xlsx":
			return plan.WriteWorkbook(w, p, snap.PlanUnits(p), lang, rev.CreatedAt)
		case "csv":
			return plan.WriteCSV(w, p.ContractRows(name))
		}
		doc := p.FileJSON(name)
		doc["revision"] = rev.N
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: plan %s, revision %d: %d assignments, %d clusters\n", out, p.ID, rev.N, len(p.Assignments), len(p.Clusters))
	return nil
}

// writeFileAtomically writes path through a temporary file beside it, so
// that a failed export leaves no half-written file.
func writeFileAtomically(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".indmap-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
