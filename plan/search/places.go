package search

import (
	"bytes"
	"embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/indmap/indmap/plan"
	"github.com/paulmach/orb"
)

// placeFiles holds the GeoNames extract make assets writes (see
// places/README.md); a build without it has no places.
//
//go:embed places
var placeFiles embed.FS

// PlacesCredit is the attribution the places' data asks for.
const PlacesCredit = "GeoNames (geonames.org), CC BY 3.0"

// DefaultPlaces returns the embedded GeoNames rows of China's places, or
// nil when the build carries none.
func DefaultPlaces() []byte {
	b, _ := placeFiles.ReadFile("places/cn.tsv")
	return b
}

// Place kinds, from GeoNames' feature codes.
const (
	PlaceCity         = "city"          // a province's or a prefecture's seat
	PlaceCountySeat   = "county_seat"   // a county's seat
	PlaceTown         = "town"          // a township's seat
	PlaceSettlement   = "settlement"    // any other populated place
	PlaceNeighborhood = "neighbourhood" // a section of a town or city
)

// placeKinds maps GeoNames' feature codes of populated places to kinds;
// historical, abandoned and destroyed places are left out.
var placeKinds = map[string]string{
	"PPLC": PlaceCity, "PPLA": PlaceCity, "PPLA2": PlaceCity, "PPLA3": PlaceCountySeat,
	"PPLA4": PlaceTown, "PPL": PlaceSettlement, "PPLL": PlaceSettlement, "PPLF": PlaceSettlement,
	"PPLR": PlaceSettlement, "PPLS": PlaceSettlement, "PPLG": PlaceSettlement, "PPLX": PlaceNeighborhood,
}

// ReadPlaces indexes GeoNames rows (the geoname table: tab-separated, id,
// name, ASCII name, alternate names, latitude, longitude, feature class
// and code, …) as places, found by their Chinese names anywhere and by
// their pinyin and English names from a word's start (places with no
// Chinese name are left out: the page would show only pinyin). names
// reads Chinese names as pinyin (see chineseName). at turns a row's
// WGS-84 point into the map's datum and says whether the place is wanted
// (within the data's extent). Airports (ReadAirports) are places too.
func ReadPlaces(b []byte, airports []Airport, at func(orb.Point) (orb.Point, bool), names *plan.Names) (*Index, error) {
	ix := &Index{}
	var hay strings.Builder
	for n, line := range bytes.Split(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		// The first eight columns, without splitting the line: most rows
		// lie outside the data's extent.
		var f [8][]byte
		rest, cols := line, 0
		for ; cols < len(f); cols++ {
			var ok bool
			if f[cols], rest, ok = bytes.Cut(rest, []byte("\t")); !ok {
				break
			}
		}
		if cols < len(f) {
			return nil, fmt.Errorf("places: line %d: %d columns, want the geoname table's 19", n+1, cols+1)
		}
		kind, ok := placeKinds[string(f[7])]
		if !ok || string(f[6]) != "P" {
			continue
		}
		lat, err1 := strconv.ParseFloat(string(f[4]), 64)
		lon, err2 := strconv.ParseFloat(string(f[5]), 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("places: line %d: latitude %q, longitude %q", n+1, f[4], f[5])
		}
		p, want := at(orb.Point{lon, lat})
		if !want {
			continue
		}
		id, name, ascii, alternates := string(f[0]), string(f[1]), string(f[2]), string(f[3])
		var han, latin []string
		for _, a := range strings.Split(alternates, ",") {
			switch a = strings.TrimSpace(a); {
			case a == "":
			case strings.IndexFunc(a, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0:
				han = append(han, a)
			case a == strings.ToLower(a):
				// GeoNames' pinyin forms (yu zui zhen); its other spellings
				// (Wade–Giles: Yü-tsui-chen) are left out.
				latin = append(latin, a)
			}
		}
		if len(han) == 0 {
			continue // no Chinese name: the page could show only pinyin
		}
		// Six decimals: a tenth of a metre, as precise as the rows.
		p = orb.Point{math.Round(p[0]*1e6) / 1e6, math.Round(p[1]*1e6) / 1e6}
		r := Result{Type: TypePlace, Kind: kind, Code: "geonames:" + id, Name: chineseName(han, ascii, names), NameEn: ascii,
			Lon: &p[0], Lat: &p[1], Label: &[2]float64{p[0], p[1]}, Source: PlacesCredit}
		keys := []key{words(ascii), words(name)}
		for _, h := range han {
			keys = append(keys, anywhere(h))
		}
		for _, l := range latin {
			keys = append(keys, words(l))
		}
		ix.add(&hay, r, keys...)
	}
	ix.addAirports(&hay, airports, at)
	ix.hay = hay.String()
	return ix, nil
}

// adminEndings end the official names of seats (长坪乡 beside 长坪).
var adminEndings = []string{"街道", "镇", "乡", "市", "县", "区"}

// chineseName picks the name a place is shown by among its Chinese
// names: one that reads as its ASCII name (GeoNames lists a county's
// name for its seat too: Bicheng is 璧城街道, not 璧山县), then one with
// an administrative ending (长坪乡 beside 长坪), then the shortest; the
// ASCII name when it has none.
func chineseName(han []string, ascii string, names *plan.Names) string {
	fa := Fold(ascii)
	// Names that all begin alike (平头, 平头乡) read alike: romanising
	// them (a third of reading the places) tells nothing.
	alike := true
	for _, h := range han {
		alike = alike && headOf(h) == headOf(han[0])
	}
	score := func(h string) int {
		s := 0
		if !alike && fa != "" && strings.HasPrefix(Fold(names.Romanise(h)), fa) {
			s += 2
		}
		for _, e := range adminEndings {
			if strings.HasSuffix(h, e) {
				s++
				break
			}
		}
		return s
	}
	best, bestScore := "", -1
	for _, h := range han {
		sc := score(h)
		if sc > bestScore || sc == bestScore && len([]rune(h)) < len([]rune(best)) {
			best, bestScore = h, sc
		}
	}
	if best == "" {
		return ascii
	}
	return best
}

// headOf is a name's first two characters.
func headOf(h string) string {
	r := []rune(h)
	return string(r[:min(2, len(r))])
}
