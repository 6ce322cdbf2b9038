// Command tilelist prints tile paths for a load test: every tile z5–9
// over a bounding box, then a seeded random sample of tiles z10–12.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
)

func main() {
	plan := flag.String("plan", "chongqing-2023", "plan id")
	minLon := flag.Float64("min-lon", 105.28, "bounding box")
	minLat := flag.Float64("min-lat", 28.16, "bounding box")
	maxLon := flag.Float64("max-lon", 110.2, "bounding box")
	maxLat := flag.Float64("max-lat", 32.21, "bounding box")
	sample := flag.Int("sample", 5000, "random tiles z10–12")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	b := orb.Bound{Min: orb.Point{*minLon, *minLat}, Max: orb.Point{*maxLon, *maxLat}}
	for z := maptile.Zoom(5); z <= 9; z++ {
		set, err := tilecover.Geometry(b, z)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for t := range set {
			fmt.Printf("/tiles/%s/%d/%d/%d.mvt\n", *plan, t.Z, t.X, t.Y)
		}
	}
	r := rand.New(rand.NewSource(*seed))
	for i := 0; i < *sample; i++ {
		z := maptile.Zoom(10 + r.Intn(3))
		p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		t := maptile.At(p, z)
		fmt.Printf("/tiles/%s/%d/%d/%d.mvt\n", *plan, t.Z, t.X, t.Y)
	}
}
