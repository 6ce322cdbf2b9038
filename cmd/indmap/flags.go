package main

import (
	"flag"
	"fmt"
	"strings"
)

// newFlags makes a command's flag set; its help prints summary first.
func newFlags(e *env, name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: indmap %s\n\n%s\n\nOptions:\n", name, summary)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// dbFlag adds --db with its default from $INDMAP_DB.
func dbFlag(e *env, fs *flag.FlagSet) *string {
	def := e.getenv("INDMAP_DB")
	if def == "" {
		def = "indmap.gpkg"
	}
	return fs.String("db", def, "GeoPackage file or postgres:// URL (default from $INDMAP_DB)")
}

// parse parses flags placed anywhere among the arguments (Go's flag
// package stops at the first positional one) and returns the positional
// arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func joinLines(lines []string, indent string) string {
	return indent + strings.Join(lines, "\n"+indent)
}
