package api_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStyleValidates checks /styles/{plan}.json with MapLibre's own style
// validator (gl-style-validate from npm, which make installs), and that
// it frames the plan and follows ?industry= and ?lang=.
func TestStyleValidates(t *testing.T) {
	node, err := exec.LookPath("node")
	validator, _ := filepath.Abs("../node_modules/@maplibre/maplibre-gl-style-spec/dist/gl-style-validate.mjs")
	if err != nil {
		t.Skip("node not on PATH")
	}
	if _, err := os.Stat(validator); err != nil {
		t.Skip("gl-style-validate not installed (make assets runs npm ci)")
	}
	_, srv := newServer(t)
	dir := t.TempDir()
	for _, u := range []string{"/styles/chongqing-2023.json", "/styles/chongqing-2023.json?industry=智能网联新能源汽车&lang=en",
		"/styles/shandong-clusters.json?industry=动力装备", "/styles/henan-clusters.json"} {
		resp, body := get(t, srv.URL+u)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", u, resp.StatusCode, body)
		}
		f := filepath.Join(dir, "style.json")
		os.WriteFile(f, body, 0o644)
		out, err := exec.Command(node, validator, f).CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("%s: gl-style-validate: %v\n%s", u, err, out)
		}
		var style struct {
			Center  []float64
			Zoom    float64
			Sources map[string]struct{ URL string }
			Layers  []struct {
				ID     string
				Layout map[string]any
			}
		}
		json.Unmarshal(body, &style)
		if strings.HasPrefix(u, "/styles/chongqing-2023.json") {
			// Chongqing spans 105.3–110.2° E, 28.2–32.2° N.
			if len(style.Center) != 2 || style.Center[0] < 106.5 || style.Center[0] > 109 || style.Center[1] < 29 || style.Center[1] > 31.5 ||
				style.Zoom < 5 || style.Zoom > 7.5 {
				t.Errorf("%s: center %v zoom %v", u, style.Center, style.Zoom)
			}
		}
		src := style.Sources["indmap"].URL
		if strings.Contains(u, "industry=") != strings.Contains(src, "?industry=") {
			t.Errorf("%s: source %s", u, src)
		}
		regions := false
		for _, l := range style.Layers {
			if l.ID == "labels" && strings.Contains(u, "lang=en") != strings.Contains(toJSON(l.Layout["text-field"]), "name_en") {
				t.Errorf("%s: label text %v", u, l.Layout["text-field"])
			}
			regions = regions || l.ID == "regions-line"
		}
		// Only Shandong's tiles have regions (its economic circles).
		if regions != strings.Contains(u, "shandong") {
			t.Errorf("%s: regions layer %v", u, regions)
		}
	}
	if resp, body := get(t, srv.URL+"/styles/chongqing-2023.json?industry=造船"); resp.StatusCode != 400 || !strings.Contains(string(body), `"param":"industry"`) {
		t.Errorf("unknown industry: %d %s", resp.StatusCode, body)
	}
	var tj struct{ Tiles []string }
	getJSON(t, srv.URL+"/tiles/chongqing-2023.json?industry=智能网联新能源汽车", &tj)
	if len(tj.Tiles) != 1 || !strings.Contains(tj.Tiles[0], "industry=CQ-ICV") {
		t.Errorf("TileJSON with an industry: %v", tj.Tiles)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
