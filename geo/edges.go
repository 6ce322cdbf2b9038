package geo

import (
	"math"
	"math/bits"

	"github.com/paulmach/orb"
)

// edgeRef is one edge of a ring, by its place k in ring order, with a
// hash of its ends.
type edgeRef struct {
	h uint64
	k int32
}

// edgeOwners finds each distinct edge's owners (the shapes whose rings
// run along it) and, for the k-th edge in ring order, at[k], its entry
// in own. A map keyed by the edge's four floats costs a float hash and
// a few cache misses per edge (most of an index build nationwide);
// spreading the edges into buckets of a few by a hash of their ends (a
// counting sort) and ordering each bucket groups them in a few passes
// over flat arrays.
func edgeOwners(shapes []orb.MultiPolygon) (own []owners, at []int32) {
	m := 0
	for _, mp := range shapes {
		for _, poly := range mp {
			for _, r := range poly {
				m += max(len(r)-1, 0)
			}
		}
	}
	// Edge k runs from es[k][0] to es[k][1] round shape[k]; both ends
	// in one place, as comparing them reads them at random.
	es, shape := make([][2]orb.Point, 0, m), make([]int32, 0, m)
	for si, mp := range shapes {
		for _, poly := range mp {
			for _, r := range poly {
				for i := 0; i+1 < len(r); i++ {
					es = append(es, [2]orb.Point{r[i], r[i+1]})
					shape = append(shape, int32(si))
				}
			}
		}
	}
	at = make([]int32, m)
	if m == 0 {
		return nil, at
	}
	// Buckets of about four edges, by the hash's top bits.
	shift := uint(64 - max(1, bits.Len(uint(m/4))))
	start := make([]int32, 1<<(64-shift)+1)
	hs := make([]uint64, m)
	for k := range m {
		hs[k] = edgeHash(es[k][0], es[k][1])
		start[hs[k]>>shift+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	refs := make([]edgeRef, m)
	for k, h := range hs {
		i := h >> shift
		refs[start[i]] = edgeRef{h, int32(k)}
		start[i]++
	}
	hs = nil
	same := func(i, j int32) bool {
		x, y := &es[i], &es[j]
		return (x[0] == y[0] && x[1] == y[1]) || (x[0] == y[1] && x[1] == y[0])
	}
	// first[k] is the first occurrence, in ring order, of edge k.
	first := make([]int32, m)
	distinct := 0
	lo := 0
	for _, hi := range start[:len(start)-1] {
		bucket := refs[lo:hi]
		lo = int(hi)
		// Insertion sort by hash, then ring order: buckets hold a few.
		for i := 1; i < len(bucket); i++ {
			for j := i; j > 0 && (bucket[j].h < bucket[j-1].h || (bucket[j].h == bucket[j-1].h && bucket[j].k < bucket[j-1].k)); j-- {
				bucket[j], bucket[j-1] = bucket[j-1], bucket[j]
			}
		}
		for i, r := range bucket {
			first[r.k] = r.k
			for j := i - 1; j >= 0 && bucket[j].h == r.h; j-- {
				if o := bucket[j].k; same(o, r.k) {
					first[r.k] = first[o]
				}
			}
			if first[r.k] == r.k {
				distinct++
			}
		}
	}
	// Owners in ring order: the first shape, the second, then any more.
	own = make([]owners, 0, distinct)
	for k := range m {
		si := shape[k]
		if f := first[k]; f != int32(k) {
			e := at[f]
			at[k] = e
			switch o := &own[e]; {
			case o.a == si || o.b == si || (len(o.more) > 0 && o.more[len(o.more)-1] == int(si)):
			case o.b < 0:
				o.b = si
			default:
				o.more = append(o.more, int(si))
			}
			continue
		}
		at[k] = int32(len(own))
		own = append(own, owners{a: si, b: -1})
	}
	return own, at
}

// edgeHash hashes an edge's ends alike in both directions (-0 as 0, as
// == compares them).
func edgeHash(p, q orb.Point) uint64 {
	hp, hq := pointHash(p), pointHash(q)
	if hq < hp {
		hp, hq = hq, hp
	}
	return mix(hp*0x9e3779b97f4a7c15 ^ hq)
}

func pointHash(p orb.Point) uint64 {
	return mix(math.Float64bits(p[0]+0)*0xff51afd7ed558ccd ^ math.Float64bits(p[1]+0))
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
