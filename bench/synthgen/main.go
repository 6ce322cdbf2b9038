// Command synthgen writes the synthetic nationwide partition (see
// bench/synth) as a DataV-style GeoJSON file and a plan definition over
// it, for timing `indmap import` and serving it:
//
//	go run ./bench/synthgen -out /tmp/synth
//	indmap import boundaries /tmp/synth/synth.geojson --db x.gpkg
//	indmap import definition /tmp/synth/synthetic.plan.json --db x.gpkg
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/indmap/indmap/bench/synth"
)

const definition = `{"id": "synthetic", "title": "Synthetic nationwide partition", "kind": "district-picks",
 "region": "900000", "unit_kinds": ["district"], "rules": {"limits": {"main": 2, "special": 4}}}
`

func main() {
	out := flag.String("out", ".", "folder to write synth.geojson and synthetic.plan.json into")
	flag.Parse()
	b, st := synth.Generate(synth.Nationwide)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, data := range map[string][]byte{"synth.geojson": b, "synthetic.plan.json": []byte(definition)} {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("%d cells, %d vertices, %d bytes\n", st.Cells, st.Vertices, len(b))
}
