package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/tests3"
	"github.com/indmap/indmap/publish"
)

// fetch GETs u with hdr (pairs) and returns the answer and its body,
// gunzipped when stored compressed.
func fetch(t *testing.T, u string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if r, err = gzip.NewReader(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

var uploaded = regexp.MustCompile(`uploaded (\d+) \((\d+) bytes\), (\d+) already there`)

// TestPublishToS3: indmap publish into a real S3-compatible server
// (SeaweedFS): version.json, revalidated, names every object; each is
// there with its type, a year's caching and, for text, gzip; the
// archive answers HTTP range requests as the PMTiles reader makes them;
// publishing again uploads only version.json and the entry page; after
// a plan's write, only that plan's changed objects.
func TestPublishToS3(t *testing.T) {
	s3 := tests3.Start(t)
	site := s3.Bucket(t, "map") + "/cq"
	db := initDB(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "indmap-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "indmap-test-secret")
	pub := func() (int, int) {
		t.Helper()
		code, out, errOut := cli(t, nil, "publish", "--db", db, "--to", "s3://map/cq", "--endpoint", s3.Endpoint, "--region", "us-east-1", "--maxzoom", "8")
		m := uploaded.FindStringSubmatch(out)
		if code != 0 || m == nil {
			t.Fatalf("publish: %d\n%s%s", code, out, errOut)
		}
		n, _ := strconv.Atoi(m[1])
		skipped, _ := strconv.Atoi(m[3])
		return n, skipped
	}
	first, _ := pub()
	resp, body := fetch(t, site+"/version.json")
	var v publish.Version
	if err := json.Unmarshal(body, &v); err != nil || resp.Header.Get("Cache-Control") != "no-cache" ||
		resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("version.json: %d %v %v\n%s", resp.StatusCode, resp.Header, err, body)
	}
	cq := v.Files["chongqing-2023"]
	for key, typ := range map[string]string{v.Plans: "application/json", cq.Theme: "application/json", cq.Style: "application/json",
		cq.TileJSON: "application/json", v.Assets + "js/app.js": "text/javascript; charset=utf-8",
		v.Fonts + "Noto Sans Regular/0-255.pbf": "application/x-protobuf"} {
		resp, body := fetch(t, site+"/"+strings.ReplaceAll(key, " ", "%20"))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != typ || len(body) == 0 ||
			resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d %q %q (%d bytes)", key, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), len(body))
		}
	}
	resp, index := fetch(t, site+"/index.html")
	if resp.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(string(index), v.Assets) {
		t.Errorf("index.html: %v\n%.300s", resp.Header, index)
	}
	// The archive as the PMTiles reader reads it: the first 16 KiB, by
	// range, uncompressed.
	resp, head := fetch(t, site+"/"+cq.Tiles, "Range", "bytes=0-16383")
	if resp.StatusCode != http.StatusPartialContent || len(head) != 16384 || string(head[:7]) != "PMTiles" ||
		resp.Header.Get("Content-Type") != "application/vnd.pmtiles" || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("archive by range: %d %v (%d bytes)", resp.StatusCode, resp.Header, len(head))
	}

	again, skipped := pub()
	if again != 2 || skipped != first-2 {
		t.Errorf("second publish uploaded %d and skipped %d of %d: want only version.json and index.html", again, skipped, first)
	}
	// A plan's write, then a publish: the plan's changed objects only.
	csv := filepath.Join(t.TempDir(), "p.csv")
	os.WriteFile(csv, []byte("unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,test\n"), 0o644)
	if code, out, errOut := cli(t, nil, "import", "plan", csv, "--plan", "chongqing-2023", "--db", db, "--force"); code != 0 {
		t.Fatalf("import plan: %d\n%s%s", code, out, errOut)
	}
	changed, _ := pub()
	_, body = fetch(t, site+"/version.json")
	var after publish.Version
	json.Unmarshal(body, &after)
	// Every plan reads the one search file, which changed with the
	// plan's picks; another plan's other files did not.
	sdBefore, sdAfter := v.Files["shandong-clusters"], after.Files["shandong-clusters"]
	if sdAfter.Search != after.Files["chongqing-2023"].Search {
		t.Errorf("plans read different search files: %s, %s", sdAfter.Search, after.Files["chongqing-2023"].Search)
	}
	sdBefore.Search, sdAfter.Search = "", ""
	if changed < 3 || changed > 12 || after.Files["chongqing-2023"].Theme == cq.Theme || after.Assets != v.Assets || sdAfter != sdBefore {
		t.Errorf("publish after a plan's write uploaded %d objects; version.json:\n%s", changed, body)
	}
	if resp, theme := fetch(t, site+"/"+after.Files["chongqing-2023"].Theme); resp.StatusCode != 200 || !strings.Contains(string(theme), "CQ-ICV") {
		t.Errorf("new theme: %d %.300s", resp.StatusCode, theme)
	}
}

// TestPublishWatch: publish --watch publishes again after a plan's
// write made by another process, and stops cleanly on SIGTERM.
func TestPublishWatch(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the watch test runs the binary for seconds")
	}
	db := initDB(t)
	dir := t.TempDir()
	cmd := exec.Command(binary(t), "publish", "--db", db, "--to", "file://"+dir, "--maxzoom", "6", "--watch", "100ms")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	dataVersion := func() int64 {
		var v publish.Version
		b, err := os.ReadFile(filepath.Join(dir, "version.json"))
		if err != nil || json.Unmarshal(b, &v) != nil {
			return 0
		}
		return v.DataVersion
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 60 s:\n%s", what, out.String())
			}
		}
	}
	waitFor("the first publish", func() bool { return dataVersion() > 0 })
	first := dataVersion()
	csv := filepath.Join(t.TempDir(), "p.csv")
	os.WriteFile(csv, []byte("unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,test\n"), 0o644)
	if code, o, errOut := cli(t, nil, "import", "plan", csv, "--plan", "chongqing-2023", "--db", db, "--force"); code != 0 {
		t.Fatalf("import plan: %d\n%s%s", code, o, errOut)
	}
	waitFor("a publish of the write", func() bool { return dataVersion() > first })
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("publish --watch after SIGTERM: %v\n%s", err, out.String())
	}
}

// TestPublishRefusesBadFlags: a --server-url that is no http(s) URL and
// a missing --to are usage errors, said before anything is built.
func TestPublishRefusesBadFlags(t *testing.T) {
	db := initDB(t)
	for _, args := range [][]string{
		{"--to", "file://" + t.TempDir(), "--server-url", "javascript:alert(1)"},
		{"--to", "file://" + t.TempDir(), "--server-url", "indmap.example"},
		{"--server-url", "https://indmap.example"},
	} {
		code, out, errOut := cli(t, nil, append([]string{"publish", "--db", db}, args...)...)
		if code != 2 || !strings.Contains(errOut, "publish") || strings.Contains(out, "published") {
			t.Errorf("publish %v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}
