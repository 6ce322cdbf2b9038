package tiles

// SharesGeometry reports whether ix and other hold the same geometry for
// a plan (built once, reused across data versions).
func (ix *Index) SharesGeometry(other *Index, planID string) bool {
	a, ok1 := ix.plans[planID]
	b, ok2 := other.plans[planID]
	return ok1 && ok2 && a.geom == b.geom
}

// OnDrop sets what hears of units left out of a tile or a zoom.
func (ix *Index) OnDrop(fn func(where string, codes []string)) { ix.onDrop = fn }
