//go:build ignore

// vulnfilter reads govulncheck -format json on stdin and fails when a
// vulnerability is reachable from indmap's code in a module other than
// the standard library; standard-library findings (fixed by upgrading
// the machine's Go) are printed as warnings.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

type message struct {
	Finding *struct {
		OSV   string `json:"osv"`
		Trace []struct {
			Module   string `json:"module"`
			Function string `json:"function"`
		} `json:"trace"`
	} `json:"finding"`
}

func main() {
	dec := json.NewDecoder(os.Stdin)
	modules, std := map[string]bool{}, map[string]bool{}
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "vulnfilter:", err)
			os.Exit(2)
		}
		f := m.Finding
		if f == nil || len(f.Trace) == 0 || f.Trace[0].Function == "" {
			continue // not reachable from our code
		}
		if mod := f.Trace[0].Module; mod == "stdlib" || mod == "toolchain" {
			std[f.OSV] = true
		} else {
			modules[f.OSV+" in "+mod] = true
		}
	}
	for _, k := range sorted(std) {
		fmt.Println("warning (standard library; upgrade Go):", k)
	}
	for _, k := range sorted(modules) {
		fmt.Println("vulnerable:", k)
	}
	if len(modules) > 0 {
		os.Exit(1)
	}
}

func sorted(set map[string]bool) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
