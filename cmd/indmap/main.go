// Command indmap serves regional industry plans as a map: it imports
// boundaries and plans into a GeoPackage and serves them over HTTP.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `indmap: industry plans of Chinese regions as a map.

Usage:
  indmap init     [--db FILE] [--boundaries DIR] [--crs gcj02|wgs84]
  indmap serve    [--db FILE] [--addr :8080]
  indmap import boundaries FILE... [--db FILE] [--crs gcj02|wgs84]
  indmap import plan FILE --plan ID [--force] [--db FILE]
  indmap import definition FILE.json [--db FILE]
  indmap fetch boundaries [--out DIR] [--base-url URL]
  indmap validate --plan ID [FILE.csv|FILE.json|FILE.xlsx] [--format text|json] [--lang zh|en]
  indmap export mbtiles|pmtiles --plan ID [--maxzoom N] OUT
  indmap export plan --plan ID [--revision N] [--lang zh|en] FILE.xlsx|FILE.csv|FILE.json
  indmap migrate  [--db FILE] [--dry-run]
  indmap copy     --from DB --to DB [--force]
  indmap publish  --to s3://BUCKET/PREFIX|file://DIR [--endpoint URL] [--region R] [--server-url URL] [--watch 10s]

Every command that touches data takes --db (default $INDMAP_DB, else
indmap.gpkg): a GeoPackage file, or a postgres:// URL of a PostgreSQL
database with PostGIS, which any number of servers can share. Run "indmap COMMAND --help" for a command's options.
`

// errUsage marks errors that are the caller's words, not the data's.
var errUsage = errors.New("usage")

// exitError ends the program with a code of its own.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

type command struct {
	name string
	run  func(ctx context.Context, env *env, args []string) error
}

// env is what a command talks to, passed in so tests can run commands.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	getenv         func(string) string
}

var commands = []command{
	{"init", runInit},
	{"serve", runServe},
	{"import", runImport},
	{"fetch", runFetch},
	{"validate", runValidate},
	{"export", runExport},
	{"migrate", runMigrate},
	{"copy", runCopy},
	{"publish", runPublish},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run dispatches a command line and returns the exit code: 0 done, 1 the
// command failed, 2 bad usage.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		var ee exitError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ee):
			if ee.err != nil {
				fmt.Fprintf(e.stderr, "indmap %s: %v\n", c.name, ee.err)
			}
			return ee.code
		case errors.Is(err, errUsage):
			fmt.Fprintf(e.stderr, "indmap %s: %v\n", c.name, err)
			return 2
		}
		fmt.Fprintf(e.stderr, "indmap %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(e.stderr, "indmap: unknown command %q\n\n%s", args[0], usage)
	return 2
}
