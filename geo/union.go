package geo

import (
	"github.com/paulmach/orb"
)

// Union returns the area covered by any of the multipolygons, as one
// multipolygon: exteriors are noded and merged (shared borders cancel),
// and an input's hole stays a hole unless another input fills it. Meant
// for neighbours whose shared borders match, as a partition's do.
func Union(mps ...orb.MultiPolygon) orb.MultiPolygon {
	var shells, holes []orb.Ring
	for _, mp := range mps {
		for _, p := range mp {
			if len(p) == 0 {
				continue
			}
			shells = append(shells, p[0])
		}
	}
	var uShells []orb.Ring
	for _, r := range unionRings(shells) {
		if PlanarArea(r) > 0 {
			uShells = append(uShells, r)
		} else {
			holes = append(holes, r)
		}
	}
	for i, mp := range mps {
		for _, p := range mp {
			for _, h := range p[1:] {
				if !filledByOther(mps, i, LabelPoint(orb.Polygon{h})) {
					holes = append(holes, h)
				}
			}
		}
	}
	var log RepairLog
	out := orb.MultiPolygon(assignHoles(uShells, holes, &log, 0))
	for _, p := range out {
		for k, r := range p {
			if (k == 0) != (PlanarArea(r) > 0) {
				Reverse(r)
			}
		}
	}
	return out
}

func filledByOther(mps []orb.MultiPolygon, skip int, pt orb.Point) bool {
	for j, mp := range mps {
		if j != skip && Contains(mp, pt) {
			return true
		}
	}
	return false
}
