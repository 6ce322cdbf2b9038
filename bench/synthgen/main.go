// Command synthgen writes the synthetic nationwide partition (see
// bench/synth) as a DataV-style GeoJSON file, a plan definition over it
// (a small catalogue, limits as Chongqing's) and a plan file giving
// every cell one main and one special industry, for timing `indmap
// import` and serving it:
//
//	go run ./bench/synthgen -out /tmp/synth
//	indmap init --db x.gpkg --boundaries /tmp/synth/boundaries
//	indmap import definition /tmp/synth/synthetic.plan.json --db x.gpkg
//	indmap import plan --plan synthetic /tmp/synth/picks.csv --db x.gpkg
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/indmap/indmap/bench/synth"
)

var industries = []string{"汽车", "电子", "材料", "装备", "医药", "食品"}

func definition() []byte {
	var b bytes.Buffer
	b.WriteString(`{"id": "synthetic", "title": "Synthetic nationwide partition", "title_en": "Synthetic nationwide partition",
 "kind": "district-picks", "region": "900000", "unit_kinds": ["district"],
 "rules": {"limits": {"main": 2, "special": 4}},
 "catalogue": [`)
	for i, name := range industries {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"code": "S%d", "name": "%s", "name_en": "Industry %d", "tier": 1, "tier_name": "合成", "tier_name_en": "Synthetic", "confirmed": true}`,
			i+1, name, i+1)
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// picks gives cell i industries i mod n (main) and i+1 mod n (special).
func picks(cells int) []byte {
	var b bytes.Buffer
	b.WriteString("unit_code,unit_name,role,industry,detail,source\n")
	for i := 1; i <= cells; i++ {
		code := 900000 + i
		fmt.Fprintf(&b, "%d,,main,%s,,https://example.org/synthetic\n", code, industries[i%len(industries)])
		fmt.Fprintf(&b, "%d,,special,%s,,https://example.org/synthetic\n", code, industries[(i+1)%len(industries)])
	}
	return b.Bytes()
}

func main() {
	out := flag.String("out", ".", "folder to write boundaries/synth.geojson, synthetic.plan.json and picks.csv into")
	scale := flag.Int("scale", 1, "times the vertices of the nationwide set (1, 2, 4, 8, 16…) over the same cells")
	flag.Parse()
	opt := synth.Nationwide
	for s := *scale; s > 1; s /= 2 {
		if s%2 != 0 {
			fmt.Fprintln(os.Stderr, "-scale: want a power of two")
			os.Exit(2)
		}
		opt.Detail++
	}
	b, st := synth.Generate(opt)
	if err := os.MkdirAll(filepath.Join(*out, "boundaries"), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, data := range map[string][]byte{"boundaries/synth.geojson": b, "synthetic.plan.json": definition(), "picks.csv": picks(st.Cells)} {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("%d cells, %d vertices, %d bytes\n", st.Cells, st.Vertices, len(b))
}
