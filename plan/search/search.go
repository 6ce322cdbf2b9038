// Package search finds units and industries by what people type: part of
// a Chinese name (璧山), its pinyin without tones in any case (bishan,
// bish) or its English name (Bishan District). An Index is built once
// per data snapshot; a query folds its text once and compares it with
// keys folded in advance.
package search

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/indmap/indmap/plan"
	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

// Match says how a result matched: the whole of a name, its start, or
// somewhere inside it. Results are ranked in this order.
type Match int8

// Matches, best first.
const (
	Exact Match = iota
	Prefix
	Substring
)

// String names the match: exact, prefix or substring.
func (m Match) String() string {
	switch m {
	case Exact:
		return "exact"
	case Prefix:
		return "prefix"
	case Substring:
		return "substring"
	}
	return "none"
}

// MarshalText writes the match as its name.
func (m Match) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Result types.
const (
	TypeUnit     = "unit"
	TypeIndustry = "industry"
	TypeCluster  = "cluster" // a clusters plan's cluster, by its name
	TypeRegion   = "region"  // a plan's group of units (an economic circle)
	TypePlace    = "place"   // a point: typed as coordinates, or a town's (places.go)
)

// A Result is a unit, an industry, a cluster or a region that matched a
// query.
type Result struct {
	Type   string `json:"type"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Match  Match  `json:"match"`
	// Units: their kind, parent, a point to show them at and their
	// bounds ([minLon, minLat, maxLon, maxLat]); ValidTo when they were
	// abolished.
	Kind   string `json:"kind,omitempty"`
	Parent string `json:"parent,omitempty"`
	// ParentName tells apart units of one name (济南's and 枣庄's 市中区).
	ParentName   string      `json:"parent_name,omitempty"`
	ParentNameEn string      `json:"parent_name_en,omitempty"`
	Label        *[2]float64 `json:"label,omitempty"`
	BBox         []float64   `json:"bbox,omitempty"`
	ValidTo      string      `json:"valid_to,omitempty"`
	// Industries: the plan whose catalogue holds them, and their tier.
	// Clusters, regions and units found by a pick's wording: their plan.
	Plan       string `json:"plan,omitempty"`
	Tier       int    `json:"tier,omitempty"`
	TierName   string `json:"tier_name,omitempty"`
	TierNameEn string `json:"tier_name_en,omitempty"`
	// MatchedText is the text that matched when it is not the name (a
	// unit's own wording of a pick), and Industry the industry it, or a
	// cluster, is about.
	MatchedText string `json:"matched_text,omitempty"`
	// MatchedTextEn is indmap's English for it, where there is one.
	MatchedTextEn string `json:"matched_text_en,omitempty"`
	Industry      string `json:"industry,omitempty"`
	// Members are a cluster's hosts or a region's units.
	Members []string `json:"members,omitempty"`
	// OtherPlans, in a plan's search, names the plans that hold a result
	// found outside the plan.
	OtherPlans []string `json:"other_plans,omitempty"`
	// Places: the point, and where a named place comes from.
	Lon    *float64 `json:"lon,omitempty"`
	Lat    *float64 `json:"lat,omitempty"`
	Source string   `json:"source,omitempty"`
}

// coordinates is a query of two numbers: "29.6,106.5", "106.5 29.6",
// "29.6，106.5".
var coordinates = regexp.MustCompile(`^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,，\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$`)

// Place reads a query typed as coordinates: latitude first, as people
// in China write them ("29.6,106.5"), unless the first number cannot be
// a latitude, or is over 60 and larger than the second (then longitude
// first, "106.5,29.6", as GeoJSON has them: China lies east of 73°E and
// south of 54°N).
func Place(q string) (Result, bool) {
	m := coordinates.FindStringSubmatch(q)
	if m == nil {
		return Result{}, false
	}
	a, _ := strconv.ParseFloat(m[1], 64)
	b, _ := strconv.ParseFloat(m[2], 64)
	lat, lon := a, b
	if math.Abs(a) > 90 || (math.Abs(b) <= 90 && math.Abs(a) > math.Abs(b) && a > 60) {
		lat, lon = b, a
	}
	if math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return Result{}, false
	}
	name := strconv.FormatFloat(lat, 'f', -1, 64) + ", " + strconv.FormatFloat(lon, 'f', -1, 64)
	return Result{Type: TypePlace, Kind: TypePlace, Code: name, Name: name, NameEn: name, Match: Exact,
		Lon: &lon, Lat: &lat, Label: &[2]float64{lon, lat}}, true
}

type entry struct {
	Result
	sort string // folded English name: results are ordered by it
}

// A key is a folded text a result is found by, with the places (byte
// offsets) where a query in Latin letters may start matching: word and
// syllable starts, so that "ev" does not find "devices" nor "auto"
// "autonomous county" (generic words are not starts). nil starts: any
// place (Chinese text, where every character is a word).
type key struct {
	text   string
	starts []int
}

// An Index holds the searchable names of a snapshot's units and of every
// plan's catalogue, clusters, regions and the units' own wording of their
// picks. It is immutable. Every folded key is in one string, each after
// a 0 byte, so a query is a few fast substring searches rather than one
// per key.
type Index struct {
	entries []entry
	hay     string
	keyAt   []int // where each key starts in hay, ascending
	keyEnd  []int
	keyOf   []int   // the entry of each key
	starts  [][]int // each key's Latin starts (see key)
}

// New indexes units (with their English names filled), the plans'
// catalogues, clusters and groups, and the details of their
// assignments. bounds, when not nil, are the units' bounds (the snapshot
// has them); names romanises names for pinyin queries.
func New(units []plan.Unit, bounds []orb.Bound, plans []plan.Plan, names *plan.Names) *Index {
	ix := &Index{entries: make([]entry, 0, len(units))}
	var hay strings.Builder
	byCode := map[string]int{}
	for i, u := range units {
		byCode[u.Code] = i
	}
	bound := func(i int) (orb.Bound, bool) {
		if units[i].Geom == nil {
			return orb.Bound{}, false
		}
		if bounds != nil {
			return bounds[i], true
		}
		return units[i].Geom.Bound(), true
	}
	unitResult := func(i int) Result {
		u := units[i]
		r := Result{Type: TypeUnit, Code: u.Code, Name: u.Name, NameEn: u.NameEn, Kind: u.Kind, Parent: u.Parent, ValidTo: u.ValidTo}
		if j, ok := byCode[u.Parent]; ok {
			r.ParentName, r.ParentNameEn = units[j].Name, units[j].NameEn
		}
		if u.Label != (orb.Point{}) {
			r.Label = &[2]float64{u.Label[0], u.Label[1]}
		}
		if b, ok := bound(i); ok {
			r.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
		}
		return r
	}
	// members' label (the first's) and bounds, for clusters and regions.
	place := func(r *Result, codes []string) {
		var all orb.Bound
		n := 0
		for _, c := range codes {
			i, ok := byCode[c]
			if !ok {
				continue
			}
			if r.Label == nil && units[i].Label != (orb.Point{}) {
				r.Label = &[2]float64{units[i].Label[0], units[i].Label[1]}
			}
			if b, ok := bound(i); ok {
				if n == 0 {
					all = b
				} else {
					all = all.Union(b)
				}
				n++
			}
		}
		if n > 0 {
			r.BBox = []float64{all.Min[0], all.Min[1], all.Max[0], all.Max[1]}
		}
	}
	for i, u := range units {
		root, _, _ := strings.Cut(u.NameEn, " ")
		ix.add(&hay, unitResult(i), anywhere(u.Name), anywhere(names.Root(u.Name)), syllables(u.Name, names),
			words(u.NameEn), words(root))
	}
	for _, p := range plans {
		for _, in := range p.Catalogue {
			r := Result{Type: TypeIndustry, Code: in.Code, Name: in.Name, NameEn: in.NameEn, Plan: p.ID,
				Tier: in.Tier, TierName: in.TierName, TierNameEn: in.TierNameEn}
			ix.add(&hay, r, anywhere(in.Name), words(in.Code), syllables(in.Name, names), words(in.NameEn))
		}
		for _, a := range p.Assignments {
			i, ok := byCode[a.Unit]
			h := p.HoldingOf(a)
			if !ok || h.Detail == "" {
				continue
			}
			r := unitResult(i)
			r.Plan, r.Industry, r.MatchedText, r.MatchedTextEn = p.ID, a.Industry, h.Detail, h.DetailEn
			ix.add(&hay, r, anywhere(h.Detail))
		}
		for _, c := range p.Clusters {
			r := Result{Type: TypeCluster, Code: c.Name, Name: c.Name, NameEn: p.ClusterTitles[c.Name].TitleEn, Plan: p.ID, Industry: c.Industry, Members: c.Hosts}
			place(&r, c.Hosts)
			keys := []key{anywhere(c.Name), syllables(c.Name, names)}
			// A translated name is found by its English words (battery:
			// 枣庄市锂电集群); a descriptive one only repeats the sector's.
			if p.ClusterTitles[c.Name].Translated {
				keys = append(keys, words(r.NameEn))
			}
			ix.add(&hay, r, keys...)
		}
		members := map[string][]string{}
		for code, g := range p.Groups {
			members[g] = append(members[g], code)
		}
		groups := make([]string, 0, len(members))
		for g := range members {
			groups = append(groups, g)
		}
		sort.Strings(groups)
		for _, g := range groups {
			sort.Strings(members[g])
			r := Result{Type: TypeRegion, Code: g, Name: g, NameEn: p.GroupsEn[g], Plan: p.ID, Members: members[g]}
			place(&r, members[g])
			ix.add(&hay, r, anywhere(g), syllables(g, names), words(p.GroupsEn[g]))
		}
	}
	ix.hay = hay.String()
	return ix
}

// anywhere is a key matched at any place (Chinese text).
func anywhere(s string) key { return key{text: Fold(s)} }

// generic words are not where a Latin query may start matching: they
// name what a unit is, not which.
var generic = map[string]bool{"district": true, "county": true, "city": true, "autonomous": true,
	"area": true, "zone": true, "and": true, "of": true, "the": true, "banner": true, "prefecture": true}

// words is an English text (or a code) as a key matched from the start
// of any of its words but generic ones.
func words(s string) key {
	k := key{text: Fold(s), starts: []int{0}}
	off := 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		fw := Fold(w)
		if off > 0 && !generic[fw] {
			k.starts = append(k.starts, off)
		}
		off += len(fw)
	}
	return k
}

// syllables is a Chinese name's pinyin as a key matched from the start
// of any syllable of its proper part (璧山区: bi, shan; not qu).
func syllables(name string, names *plan.Names) key {
	k := key{text: Fold(names.Romanise(name)), starts: []int{0}}
	root := []rune(names.Root(name))
	off := 0
	for i, r := range []rune(name) {
		if i > 0 && i < len(root) {
			k.starts = append(k.starts, off)
		}
		off += len(Fold(names.Romanise(string(r))))
	}
	return k
}

func (ix *Index) add(hay *strings.Builder, r Result, keys ...key) {
	e := entry{Result: r, sort: Fold(r.NameEn)}
	if e.sort == "" {
		e.sort = Fold(r.Name)
	}
	seen := map[string]int{}
	for _, k := range keys {
		if k.text == "" {
			continue
		}
		if at, ok := seen[k.text]; ok {
			// The same text twice: the freer starts win.
			if k.starts == nil {
				ix.starts[at] = nil
			} else if ix.starts[at] != nil {
				ix.starts[at] = sortedUnion(ix.starts[at], k.starts)
			}
			continue
		}
		seen[k.text] = len(ix.keyAt)
		hay.WriteByte(0)
		ix.keyAt = append(ix.keyAt, hay.Len())
		hay.WriteString(k.text)
		ix.keyEnd = append(ix.keyEnd, hay.Len())
		ix.keyOf = append(ix.keyOf, len(ix.entries))
		ix.starts = append(ix.starts, k.starts)
	}
	ix.entries = append(ix.entries, e)
}

func sortedUnion(a, b []int) []int {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// latin reports whether a folded query is Latin letters and digits only.
func latin(fq string) bool {
	for i := 0; i < len(fq); i++ {
		if fq[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Query returns the results whose names match q, best first: by tier
// (tier says which results come first, lower first; a negative tier
// drops a result; nil: all alike), names before units' wording of their
// picks, then exact, prefix, substring; then by English name and code. One result per thing: a unit found by its
// name and by a pick's wording is given once, as best found. At most
// limit results, and how many matched in all. A q with nothing to match
// (only spaces or punctuation) matches nothing.
func (ix *Index) Query(q string, limit int, tier func(Result) int) ([]Result, int) {
	fq := Fold(q)
	out := []Result{}
	if fq == "" {
		return out, 0
	}
	lat := latin(fq)
	// best holds each entry's best match plus one (0: none yet).
	best := make([]Match, len(ix.entries))
	tiers := make([]int, len(ix.entries))
	var hits []int
	// Folded text has no 0 bytes, so a match never spans two keys.
	for pos := 0; ; {
		i := strings.Index(ix.hay[pos:], fq)
		if i < 0 {
			break
		}
		at := pos + i
		pos = at + 1
		k := sort.SearchInts(ix.keyAt, at+1) - 1
		if lat && ix.starts[k] != nil && !slices.Contains(ix.starts[k], at-ix.keyAt[k]) {
			continue
		}
		m := Substring
		if at == ix.keyAt[k] {
			m = Prefix
			if at+len(fq) == ix.keyEnd[k] {
				m = Exact
			}
		}
		switch e := ix.keyOf[k]; {
		case best[e] == 0:
			if tier != nil {
				if tiers[e] = tier(ix.entries[e].Result); tiers[e] < 0 {
					best[e] = -1 // refused
					continue
				}
			}
			hits = append(hits, e)
			best[e] = m + 1
		case m+1 < best[e]:
			best[e] = m + 1
		}
	}
	slices.SortFunc(hits, func(i, j int) int {
		a, b := &ix.entries[i], &ix.entries[j]
		// Names before a unit's wording of its picks.
		return cmp.Or(cmp.Compare(tiers[i], tiers[j]), cmp.Compare(viaWording(a), viaWording(b)), cmp.Compare(best[i], best[j]), strings.Compare(a.sort, b.sort),
			cmp.Compare(typeRank(a.Type), typeRank(b.Type)), strings.Compare(a.Plan, b.Plan), strings.Compare(a.Code, b.Code),
			strings.Compare(a.MatchedText, b.MatchedText))
	})
	type thing struct{ typ, code, plan string }
	seen := map[thing]bool{}
	n := 0
	for _, i := range hits {
		r := ix.entries[i].Result
		t := thing{r.Type, r.Code, ""}
		if r.Type != TypeUnit {
			t.plan = r.Plan
		}
		if seen[t] {
			continue
		}
		seen[t] = true
		n++
		if len(out) < limit {
			r.Match = best[i] - 1
			out = append(out, r)
		}
	}
	return out, n
}

// viaWording is 1 for a unit found by its wording of a pick, else 0.
func viaWording(e *entry) int {
	if e.MatchedText != "" {
		return 1
	}
	return 0
}

func typeRank(t string) int {
	switch t {
	case TypeUnit:
		return 0
	case TypeIndustry:
		return 1
	case TypeCluster:
		return 2
	}
	return 3
}

// Fold reduces text to what a search compares: letters and digits
// (Chinese characters included) in lower case, without tone marks or
// other accents, spaces or punctuation; ü and v, both ways people type
// ü, become u. "Xi'an" and "xian", "Bǐshān Qū" and "bishanqu" fold alike,
// and so do full-width letters, as Chinese input methods type them
// ("ｂｉｓｈ" is "bish"): compatibility decomposition (NFKD).
func Fold(s string) string {
	if ascii(s) {
		// Most keys (pinyin, English): no decomposition to do.
		b := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == 'v' || c == 'V':
				b = append(b, 'u')
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				b = append(b, c)
			case c >= 'A' && c <= 'Z':
				b = append(b, c+'a'-'A')
			}
		}
		return string(b)
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'v' || r == 'V':
			b.WriteByte('u')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Results are the index's things, in index order (copies).
func (ix *Index) Results() []Result {
	out := make([]Result, len(ix.entries))
	for i, e := range ix.entries {
		out[i] = e.Result
	}
	return out
}

// An Entry is one searchable thing with the folded keys it is found by,
// each key's Latin starts (nil: any) and the key results are ordered by:
// what a client needs to answer queries as Query does, with no server (a
// published map).
type Entry struct {
	Result
	Sort   string   `json:"sort"`
	Keys   []string `json:"keys"`
	Starts [][]int  `json:"starts"`
	// Plans are the plans the entry belongs to (filled by the snapshot).
	Plans []string `json:"plans"`
}

// Entries are the index's entries that tier accepts (a tier of 0 or
// more; all when tier is nil), in index order.
func (ix *Index) Entries(tier func(Result) int) []Entry {
	keys := make([][]string, len(ix.entries))
	starts := make([][][]int, len(ix.entries))
	for k, e := range ix.keyOf {
		keys[e] = append(keys[e], ix.hay[ix.keyAt[k]:ix.keyEnd[k]])
		starts[e] = append(starts[e], ix.starts[k])
	}
	out := []Entry{}
	for i, e := range ix.entries {
		if tier == nil || tier(e.Result) >= 0 {
			out = append(out, Entry{Result: e.Result, Sort: e.sort, Keys: keys[i], Starts: starts[i]})
		}
	}
	return out
}
