package tiles

// SharesGeometry reports whether ix and other hold the same geometry for
// a plan (built once, reused across data versions).
func (ix *Index) SharesGeometry(other *Index, planID string) bool {
	a, ok1 := ix.plans[planID]
	b, ok2 := other.plans[planID]
	return ok1 && ok2 && a.geom == b.geom
}
