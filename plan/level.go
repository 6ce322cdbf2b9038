package plan

import "sort"

// MapLevels says on which level of the map each of units lies: its
// kind, except that a city with none of units inside it is a county on
// the map (DataV marks 省直辖县级市 such as 济源 and 仙桃, the 兵团 cities
// and 东莞 as cities of a province). Units of one level are fitted
// together and are neighbours: apart, such a city and the counties
// around it overlap and leave gaps along every shared border.
func MapLevels(units []Unit) func(Unit) string {
	parents := map[string]bool{}
	for _, u := range units {
		parents[u.Parent] = true
	}
	return func(u Unit) string {
		if u.Kind == KindCity && !parents[u.Code] {
			return KindDistrict
		}
		return u.Kind
	}
}

// SortKindsChildrenFirst orders kinds by name, districts before cities:
// a city's outline is drawn from its counties (at import and per zoom),
// so theirs must be done first.
func SortKindsChildrenFirst(kinds []string) {
	sort.Slice(kinds, func(i, j int) bool {
		if (kinds[i] == KindCity) != (kinds[j] == KindCity) {
			return kinds[j] == KindCity
		}
		return kinds[i] < kinds[j]
	})
}
