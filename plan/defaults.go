package plan

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// The default plans are copies of ../shared/data/plans: facts compiled
// from public sources, each row with its source.
//
//go:embed defaults/*.csv
var defaultFiles embed.FS

// Default plan ids.
const (
	ChongqingID = "chongqing-2023"
	ShandongID  = "shandong-clusters"
)

// Defaults holds the built-in plans and the zones they need.
type Defaults struct {
	Plans []Plan
	// Zones are Chongqing's functional zones: plan units without a
	// surveyed polygon.
	Zones []Unit
}

func rows(name string, cols ...string) ([]Row, error) {
	b, err := defaultFiles.ReadFile("defaults/" + name)
	if err != nil {
		return nil, err
	}
	return ReadCSV(bytes.NewReader(b), name, 0, cols...)
}

// LoadDefaults parses the embedded plan files.
func LoadDefaults() (Defaults, error) {
	var d Defaults
	cq := Plan{ID: ChongqingID, Title: "重庆 2023 产业地图", Kind: DistrictPicks,
		Region: "500000", UnitKinds: []string{KindDistrict, KindZone}, MaxMain: map[string]int{}}
	cat, err := rows("chongqing-33618-catalogue.csv", "code", "name", "tier", "tier_name", "confirmed")
	if err != nil {
		return d, err
	}
	for _, r := range cat {
		tier, err := strconv.Atoi(r.Get("tier"))
		if err != nil {
			return d, fmt.Errorf("chongqing-33618-catalogue.csv: line %d: tier %q", r.Line, r.Get("tier"))
		}
		cq.Catalogue = append(cq.Catalogue, Industry{Code: r.Get("code"), Name: r.Get("name"), Tier: tier,
			TierName: r.Get("tier_name"), Confirmed: r.Get("confirmed") == "yes"})
	}
	zones, err := rows("chongqing-zones.csv", "code", "name", "kind", "max_main", "hosts_2023", "approx_lon", "approx_lat", "note")
	if err != nil {
		return d, err
	}
	for _, r := range zones {
		lon, err1 := strconv.ParseFloat(r.Get("approx_lon"), 64)
		lat, err2 := strconv.ParseFloat(r.Get("approx_lat"), 64)
		maxMain, err3 := strconv.Atoi(r.Get("max_main"))
		if err1 != nil || err2 != nil || err3 != nil {
			return d, fmt.Errorf("chongqing-zones.csv: line %d: bad number", r.Line)
		}
		// The points are given to 0.01° (about 1 km), coarser than the
		// GCJ-02 offset, so they are taken as they are.
		p := orb.Point{lon, lat}
		d.Zones = append(d.Zones, Unit{Code: r.Get("code"), Name: r.Get("name"), Kind: KindZone, Parent: cq.Region,
			Approximate: true, Hosts: strings.Split(r.Get("hosts_2023"), ";"),
			Note: r.Get("kind") + ": " + r.Get("note"), Geom: p, Label: p, Seat: p})
		cq.MaxMain[r.Get("code")] = maxMain
	}
	b, _ := defaultFiles.ReadFile("defaults/chongqing-2023-reported.csv")
	picks, lines, err := ReadPicks(bytes.NewReader(b), "chongqing-2023-reported.csv", 0)
	if err != nil {
		return d, err
	}
	for i, a := range picks {
		in, ok := cq.Industry(a.Industry)
		if !ok {
			return d, fmt.Errorf("chongqing-2023-reported.csv: line %d: industry %q not in the catalogue", lines[i], a.Industry)
		}
		a.Industry = in.Code
		cq.Assignments = append(cq.Assignments, a)
	}

	sd := Plan{ID: ShandongID, Title: "山东 先进制造业集群", Kind: Clusters,
		Region: "370000", UnitKinds: []string{KindCity}, Groups: map[string]string{}}
	sectors, err := rows("shandong-sectors.csv", "sector", "scale_tier_2025", "note")
	if err != nil {
		return d, err
	}
	for _, r := range sectors {
		tier, err := strconv.Atoi(r.Get("scale_tier_2025"))
		if err != nil {
			return d, fmt.Errorf("shandong-sectors.csv: line %d: scale_tier_2025 %q", r.Line, r.Get("scale_tier_2025"))
		}
		// Sectors have no codes in the source; the name is the code.
		sd.Catalogue = append(sd.Catalogue, Industry{Code: r.Get("sector"), Name: r.Get("sector"), Tier: tier,
			TierName: r.Get("note"), Confirmed: true})
	}
	regions, err := rows("shandong-regions.csv", "code", "name", "economic_circle")
	if err != nil {
		return d, err
	}
	for _, r := range regions {
		sd.Groups[r.Get("code")] = r.Get("economic_circle")
	}
	b, _ = defaultFiles.ReadFile("defaults/shandong-clusters.csv")
	if sd.Clusters, _, err = ReadClusters(bytes.NewReader(b), "shandong-clusters.csv", 0); err != nil {
		return d, err
	}
	d.Plans = []Plan{cq, sd}
	return d, nil
}
