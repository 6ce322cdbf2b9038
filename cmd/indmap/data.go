package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/indmap/indmap/geo"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
)

func runInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "init [--db FILE] [--boundaries DIR]",
		"Creates a database in one step: imports every boundary file (*.geojson, *.json) of DIR and\n"+
			"its subfolders, loads the default plans (重庆 2023 产业地图, 山东 and 河南 先进制造业集群)\n"+
			"and the known changes of divisions. The file appears only when all of it succeeded.")
	db := dbFlag(e, fs)
	dir := fs.String("boundaries", e.getenv("INDMAP_BOUNDARIES"), "folder of DataV boundary files (default $INDMAP_BOUNDARIES)")
	crsName := fs.String("crs", "gcj02", "datum of the boundary files: gcj02 or wgs84")
	force := fs.Bool("force", false, "replace an existing database")
	maxBytes := fs.Int64("max-bytes", geo.DefaultMaxBytes, "largest boundary file read")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	crs, err := geo.ParseCRS(*crsName)
	if err != nil {
		return usageErr("%v", err)
	}
	if *dir == "" {
		return usageErr("no boundary folder: give --boundaries DIR or set INDMAP_BOUNDARIES (indmap fetch boundaries downloads them)")
	}
	pg := store.IsURL(*db)
	if _, err := os.Stat(*db); err == nil && !*force && !pg {
		return fmt.Errorf("%s exists; use --force to replace it, or indmap import to change it", *db)
	}
	files, err := boundaryFiles(*dir)
	if err != nil {
		return err
	}
	start := time.Now()
	tmp := fmt.Sprintf("%s.init-%d", *db, os.Getpid())
	if pg {
		// Built in a GeoPackage first, then copied in one transaction:
		// the database changes only when all of it succeeded.
		dir, err := os.MkdirTemp("", "indmap-init-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		tmp = filepath.Join(dir, "init.gpkg")
	}
	defer removeDB(tmp)
	st, err := store.Open(ctx, tmp)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := importBoundaries(ctx, e, st, files, geo.ReadOptions{CRS: crs, MaxBytes: *maxBytes}); err != nil {
		return err
	}
	if err := loadDefaults(ctx, e, st); err != nil {
		return err
	}
	if pg {
		if err := copyInto(ctx, e, st, *db, *force); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "filled %s in %s\n", redacted(*db), time.Since(start).Round(time.Millisecond))
		return nil
	}
	if err := st.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, *db); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s in %s\n", *db, time.Since(start).Round(time.Millisecond))
	return nil
}

// removeDB deletes a database file and its SQLite side files.
func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

// boundaryFiles lists the boundary files of dir and its subfolders (one
// folder per province, say), in path order.
func boundaryFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if n := d.Name(); !d.IsDir() && (strings.HasSuffix(n, ".geojson") || strings.HasSuffix(n, ".json")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boundaries: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("boundaries: no .geojson or .json files in %s", dir)
	}
	sort.Strings(files)
	return files, nil
}

// importMemoryLimit is the soft memory limit of a boundary import.
const importMemoryLimit = 200 << 20

// importBoundaries reads every file first, so a bad file stops the import
// before anything is written, then stores them in one transaction. The
// store computes the import without holding the write lock; when another
// writer changed the units meanwhile, the files are read and the import
// computed once more, then it fails.
func importBoundaries(ctx context.Context, e *env, st *store.Store, files []string, opt geo.ReadOptions) error {
	// A nationwide import works on some 200 MB of Go heap; left alone, the
	// collector lets the heap grow to twice that. GOMEMLIMIT, when set,
	// wins.
	if e.getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
	}
	for attempt := 1; ; attempt++ {
		all, err := readBoundaries(e, files, opt, attempt == 1)
		if err != nil {
			return err
		}
		res, err := st.ImportBoundaries(ctx, all, geo.DefaultAdjacency)
		if errors.Is(err, store.ErrMoved) && attempt == 1 {
			fmt.Fprintf(e.stdout, "the stored boundaries changed while this import was computed (%v); computing it again\n", err)
			continue
		}
		if errors.Is(err, store.ErrMoved) {
			return fmt.Errorf("%w twice: another import is writing boundaries; nothing was stored, run it again when that one is done", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "stored %d new and %d replaced units (%d unchanged, %d zone points replaced by polygons); %d neighbour pairs; computed in %s, written in %s (the write lock held that long)\n",
			res.Added, res.Replaced, res.Unchanged, res.ZonesReplaced, res.Neighbours, res.Computed.Round(time.Millisecond), res.Locked.Round(time.Millisecond))
		return nil
	}
}

// readBoundaries reads boundary files, saying what each holds and what
// was repaired (when say).
func readBoundaries(e *env, files []string, opt geo.ReadOptions, say bool) ([]geo.Boundary, error) {
	var all []geo.Boundary
	for _, f := range files {
		bs, err := geo.ReadDataVFile(f, opt)
		if err != nil {
			return nil, err
		}
		if say {
			fmt.Fprintf(e.stdout, "%s: %d units\n", f, len(bs))
			for _, b := range bs {
				for _, note := range b.Repairs.Fixed {
					fmt.Fprintf(e.stdout, "  repaired %s %s: %s\n", b.Code, b.Name, note)
				}
				for _, note := range b.Repairs.Unfixed {
					fmt.Fprintf(e.stdout, "  NOT REPAIRED %s %s: %s\n", b.Code, b.Name, note)
				}
			}
		}
		all = append(all, bs...)
	}
	return all, nil
}

func loadDefaults(ctx context.Context, e *env, st *store.Store) error {
	d, err := plan.LoadDefaults()
	if err != nil {
		return fmt.Errorf("default plans: %w", err)
	}
	if err := st.PutZones(ctx, d.Zones); err != nil {
		return err
	}
	for _, p := range d.Plans {
		if err := st.PutPlan(ctx, p); err != nil {
			return fmt.Errorf("plan %s: %w", p.ID, err)
		}
		fmt.Fprintf(e.stdout, "plan %s (%s): %d industries, %d assignments, %d clusters\n",
			p.ID, p.Title, len(p.Catalogue), len(p.Assignments), len(p.Clusters))
	}
	return putChanges(ctx, e, st, d.Changes)
}

// putChanges stores division changes and says what they drew.
func putChanges(ctx context.Context, e *env, st *store.Store, changes []plan.DivisionChange) error {
	drawn, err := st.PutDivisionChanges(ctx, changes)
	if err != nil {
		return fmt.Errorf("division changes: %w", err)
	}
	fmt.Fprintf(e.stdout, "%d division changes; derived (approximate) polygons for %s\n", len(changes), strings.Join(drawn, ", "))
	return nil
}

func runImport(ctx context.Context, e *env, args []string) error {
	const what3 = "indmap import boundaries FILE... | indmap import plan FILE --plan ID | indmap import definition FILE.json | indmap import changes FILE.csv"
	if len(args) == 0 || (args[0] != "boundaries" && args[0] != "plan" && args[0] != "definition" && args[0] != "changes") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintf(e.stdout, "Usage: %s\n", what3)
			return nil
		}
		return usageErr("import what? %s", what3)
	}
	what, args := args[0], args[1:]
	switch what {
	case "definition":
		return importDefinition(ctx, e, args)
	case "changes":
		return importChanges(ctx, e, args)
	}
	if what == "boundaries" {
		fs := newFlags(e, "import boundaries FILE... [--crs gcj02|wgs84]",
			"Imports DataV GeoJSON boundary files in one transaction: units with the same code\n"+
				"(an approximate zone point too) are replaced, and the adjacency graph is rebuilt.")
		db := dbFlag(e, fs)
		crsName := fs.String("crs", "gcj02", "datum of the files: gcj02 or wgs84")
		maxBytes := fs.Int64("max-bytes", geo.DefaultMaxBytes, "largest file read")
		files, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return usageErr("no boundary files given")
		}
		crs, err := geo.ParseCRS(*crsName)
		if err != nil {
			return usageErr("%v", err)
		}
		st, err := openStore(ctx, e, *db)
		if err != nil {
			return err
		}
		defer st.Close()
		return importBoundaries(ctx, e, st, files, geo.ReadOptions{CRS: crs, MaxBytes: *maxBytes})
	}
	return importPlan(ctx, e, args)
}

func importPlan(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import plan FILE --plan ID [--force] [--format text|json] [--lang zh|en]",
		"Replaces a plan's assignments with a planner's file (CSV, JSON or .xlsx), atomically. The file\n"+
			"is validated first, as PUT /api/v1/plans/{id}/assignments does: a file that breaks a rule of\n"+
			"severity error is refused (exit 1, its report on stdout, nothing stored) unless --force.\n"+
			"District picks: "+strings.Join(plan.PicksHeader, ",")+"\n"+
			"Clusters:       "+strings.Join(plan.ClustersHeader, ","))
	db := dbFlag(e, fs)
	planID := fs.String("plan", "", "the plan's id (see GET /api/v1/plans)")
	maxBytes := fs.Int64("max-bytes", geo.DefaultMaxBytes, "largest file read")
	force := fs.Bool("force", false, "store the file even when it breaks rules of severity error")
	out := reportFlags(fs)
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 || *planID == "" {
		return usageErr("give one FILE and --plan ID")
	}
	if err := out.check(); err != nil {
		return err
	}
	st, err := openExisting(ctx, e, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := os.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > *maxBytes {
		return fmt.Errorf("%s: %w (%d > %d bytes)", files[0], geo.ErrTooLarge, info.Size(), *maxBytes)
	}
	res, err := readmodel.ImportPlanFile(ctx, st, *planID, f, files[0], readmodel.ImportOptions{Limits: plan.Limits{MaxBytes: *maxBytes}, Force: *force})
	if errors.Is(err, readmodel.ErrInvalid) {
		if werr := out.write(e, res.Report); werr != nil {
			return werr
		}
		return fmt.Errorf("%s: %d errors: nothing stored (--force stores it anyway)", files[0], res.Report.Errors)
	}
	if err != nil {
		return err
	}
	if out.format == "json" || !res.Report.Valid {
		if err := out.write(e, res.Report); err != nil {
			return err
		}
	}
	if out.format == "text" {
		r := res.Revision
		fmt.Fprintf(e.stdout, "plan %s: stored %d assignments, %d clusters as revision %d (%d errors, %d warnings)\n",
			*planID, r.Assignments, r.Clusters, r.N, r.Errors, r.Warnings)
	}
	return nil
}

func runFetch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "boundaries" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(e.stdout, "Usage: indmap fetch boundaries [--out DIR] [--base-url URL]\n")
			return nil
		}
		return usageErr("fetch what? indmap fetch boundaries [--out DIR]")
	}
	fs := newFlags(e, "fetch boundaries [--out DIR]",
		"Downloads the boundaries of the default plans from DataV.GeoAtlas ({adcode}_full.json for\n"+
			"500000, 370000 and each Shandong city) into DIR, in GCJ-02, for indmap init.")
	out := fs.String("out", "data/boundaries", "folder to write the files to")
	base := fs.String("base-url", geo.DataVBaseURL, "DataV boundary service")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	files, err := geo.Fetcher{BaseURL: *base}.Fetch(ctx, *out)
	if err != nil {
		return errors.Join(err, errors.New("no network? put DataV exports in a folder and pass it to indmap init --boundaries"))
	}
	for _, f := range files {
		fmt.Fprintf(e.stdout, "%s: %d features\n", f.Path, f.Features)
	}
	return nil
}

func importDefinition(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import definition FILE.json",
		"Creates a plan, or changes a stored plan's title, date, units, display and rules (and\n"+
			"catalogue, when the file has one), from a plan definition file. Assignments stay, unless\n"+
			"the definition names data files (\"files\", read beside it), which then replace the\n"+
			"plan's catalogue, zones, groups and assignments or clusters. Example:\n"+
			`  {"id": "chongqing-2023", "title": "重庆 2023 产业地图", "kind": "district-picks",`+"\n"+
			`   "as_of": "2023-11", "region": "500000", "unit_kinds": ["district", "zone"],`+"\n"+
			`   "rules": {"limits": {"main": 2, "special": 4}, "unit_limits": {"cq-gaoxin": {"main": 3}},`+"\n"+
			`             "rules": {"unit-unassigned": "off"}}}`)
	db := dbFlag(e, fs)
	maxBytes := fs.Int64("max-bytes", geo.DefaultMaxBytes, "largest file read")
	def, path, err := readOneFile(fs, args, *maxBytes, "give one definition FILE.json", plan.ReadDefinition)
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, e, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if def.Files != nil {
		// A whole plan from data files, read beside the definition.
		dir := filepath.Dir(path)
		p, zones, err := plan.Load(def, func(name string) ([]byte, error) {
			// Data files are read from the definition's folder only.
			f, err := os.Open(filepath.Join(dir, filepath.Clean("/"+name)))
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return geo.ReadAllLimited(f, *maxBytes)
		})
		if err != nil {
			return err
		}
		if err := st.PutZones(ctx, zones); err != nil {
			return err
		}
		if err := st.PutPlan(ctx, p); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "plan %s (%s): stored with %d industries, %d assignments, %d clusters, %d zones\n",
			p.ID, p.Title, len(p.Catalogue), len(p.Assignments), len(p.Clusters), len(zones))
		return nil
	}
	created, err := st.PutDefinition(ctx, def)
	if err != nil {
		return err
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(e.stdout, "plan %s (%s): %s\n", def.ID, def.Title, verb)
	return nil
}

func importChanges(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import changes FILE.csv",
		"Stores changes of administrative divisions, facts with sources: a unit that ended is valid\n"+
			"until the change's date, and a successor with no surveyed polygon is drawn from its\n"+
			"predecessors (approximate). Columns: "+strings.Join(plan.DivisionChangesHeader, ","))
	db := dbFlag(e, fs)
	maxBytes := fs.Int64("max-bytes", geo.DefaultMaxBytes, "largest file read")
	changes, _, err := readOneFile(fs, args, *maxBytes, "give one FILE.csv", plan.ReadDivisionChanges)
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, e, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	return putChanges(ctx, e, st, changes)
}

// readOneFile parses the flags of a command that takes one file, and
// reads the file with read.
func readOneFile[T any](fs *flag.FlagSet, args []string, maxBytes int64, usage string,
	read func(io.Reader, string, int64) (T, error)) (T, string, error) {
	var zero T
	files, err := parse(fs, args)
	if err != nil {
		return zero, "", err
	}
	if len(files) != 1 {
		return zero, "", usageErr("%s", usage)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return zero, "", err
	}
	defer f.Close()
	v, err := read(f, files[0], maxBytes)
	return v, files[0], err
}

// openExisting opens a database that must already exist (commands other
// than init and import boundaries never create one), migrating an older
// schema in place (and saying so).
func openExisting(ctx context.Context, e *env, db string) (*store.Store, error) {
	if store.IsURL(db) {
		if err := hasData(ctx, db); err != nil {
			return nil, err
		}
		return openStore(ctx, e, db)
	}
	if _, err := os.Stat(db); err != nil {
		return nil, fmt.Errorf("%s: %w (create it with indmap init)", db, err)
	}
	return openStore(ctx, e, db)
}

// hasData fails for a PostgreSQL database without indmap's tables (a
// mistyped name, an empty database): commands other than init, import
// and copy --to never create them, as they never create a file.
func hasData(ctx context.Context, db string) error {
	have, _, err := store.Inspect(ctx, db)
	if err != nil {
		return err
	}
	if have == 0 {
		return fmt.Errorf("%s holds no indmap data (create it with indmap init, or indmap copy --to it)", redacted(db))
	}
	return nil
}

// openStore opens (or creates) a database and says which migrations
// opening it ran.
func openStore(ctx context.Context, e *env, db string) (*store.Store, error) {
	return openStoreWith(ctx, e, db, store.Options{})
}

// openStoreWith is openStore with options (a server's pool and timeouts).
func openStoreWith(ctx context.Context, e *env, db string, o store.Options) (*store.Store, error) {
	st, err := store.OpenWith(ctx, db, o)
	if err != nil {
		return nil, err
	}
	for _, m := range st.Migrated {
		if st.Migrated[0].Version > 4 { // an upgrade, not a new database
			e.log.Info("migrated", "db", redacted(db), "schema", m.Version, "migration", m.Name)
		}
	}
	return st, nil
}

// loadExisting opens an existing database and loads its snapshot; the
// caller closes the store.
func loadExisting(ctx context.Context, e *env, db string) (*store.Store, *readmodel.Snapshot, error) {
	st, err := openExisting(ctx, e, db)
	if err != nil {
		return nil, nil, err
	}
	snap, err := readmodel.Load(ctx, st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, snap, nil
}
