package geo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// DataVBaseURL serves DataV.GeoAtlas boundaries as {adcode}_full.json.
const DataVBaseURL = "https://geo.datav.aliyun.com/areas_v3/bound"

// A Fetcher downloads DataV boundary files.
type Fetcher struct {
	Client   *http.Client
	BaseURL  string
	MaxBytes int64
}

// FetchedFile is a boundary file written by Fetch.
type FetchedFile struct {
	Path     string
	Features int
}

// Fetch downloads the boundaries indmap's default plans need, in GCJ-02
// as DataV serves them, into dir under the names of the shared data:
// Chongqing's districts (500000_full), Shandong's cities (370000_full) and
// the counties of every Shandong city (each city's _full, merged). Each
// response is checked as a boundary file before anything is written, and
// each file is written whole or not at all.
func (f Fetcher) Fetch(ctx context.Context, dir string) ([]FetchedFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []FetchedFile
	cq, err := f.get(ctx, "500000")
	if err != nil {
		return nil, err
	}
	cities, err := f.get(ctx, "370000")
	if err != nil {
		return nil, err
	}
	var counties []json.RawMessage
	for _, city := range cities.bounds {
		c, err := f.get(ctx, city.Code)
		if err != nil {
			return nil, err
		}
		counties = append(counties, c.features...)
	}
	for _, file := range []struct {
		name     string
		features []json.RawMessage
	}{
		{"chongqing-districts.gcj02.geojson", cq.features},
		{"shandong-cities.gcj02.geojson", cities.features},
		{"shandong-counties.gcj02.geojson", counties},
	} {
		path := filepath.Join(dir, file.name)
		if err := writeCollection(path, file.features); err != nil {
			return out, err
		}
		out = append(out, FetchedFile{Path: path, Features: len(file.features)})
	}
	return out, nil
}

type fetched struct {
	features []json.RawMessage
	bounds   []Boundary
}

func (f Fetcher) get(ctx context.Context, adcode string) (fetched, error) {
	url := strings.TrimRight(f.BaseURL, "/") + "/" + adcode + "_full.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fetched{}, err
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fetched{}, fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fetched{}, fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	body, err := ReadAllLimited(resp.Body, f.MaxBytes)
	if err != nil {
		return fetched{}, fmt.Errorf("fetch %s: %w", url, err)
	}
	// Reading it as WGS84 skips the datum work: this only checks the file.
	bs, err := ReadDataV(bytes.NewReader(body), url, ReadOptions{CRS: WGS84, MaxBytes: f.MaxBytes})
	if err != nil {
		return fetched{}, err
	}
	var fc datavFile
	if err := json.Unmarshal(body, &fc); err != nil {
		return fetched{}, fmt.Errorf("fetch %s: %w", url, err)
	}
	return fetched{features: fc.Features, bounds: bs}, nil
}

// writeCollection writes a FeatureCollection through a temporary file
// and a rename, so a failed run leaves no half-written file.
func writeCollection(path string, features []json.RawMessage) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fetch-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := tmp
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","crs_note":"GCJ-02, as served by DataV.GeoAtlas","features":[`); err != nil {
		tmp.Close()
		return err
	}
	for i, f := range features {
		if i > 0 {
			io.WriteString(w, ",\n")
		}
		if _, err := w.Write(f); err != nil {
			tmp.Close()
			return err
		}
	}
	if _, err := io.WriteString(w, "]}\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
