package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
)

type versionEvent struct {
	DataVersion     int64             `json:"data_version"`
	GeometryVersion string            `json:"geometry_version"`
	Plans           map[string]string `json:"plans"`
}

// readEvents sends the events of an SSE stream to ch until it ends.
func readEvents(t *testing.T, resp *http.Response, ch chan<- versionEvent) {
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev versionEvent
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Errorf("event %q: %v", data, err)
			continue
		}
		ch <- ev
	}
	close(ch)
}

// TestEvents: the stream opens with the current version, and a write is
// announced at once with its plan's new content tag and the same
// geometry version.
func TestEvents(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}, Limits: api.Limits{StreamsPerClient: 1}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	events := make(chan versionEvent, 4)
	go readEvents(t, resp, events)
	first := <-events
	if first.DataVersion == 0 || first.GeometryVersion == "" || first.Plans["chongqing-2023"] == "" {
		t.Fatalf("first event %+v", first)
	}
	// A second stream from the same client is refused (limit 1).
	if r, _ := get(t, srv.URL+"/api/v1/events"); r.StatusCode != 429 {
		t.Errorf("second stream: %d", r.StatusCode)
	}
	start := time.Now()
	if r, body := do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments", twoMains, "Authorization", "Bearer "+token); r.StatusCode != 200 {
		t.Fatalf("write: %d %s", r.StatusCode, body)
	}
	select {
	case ev := <-events:
		if ev.DataVersion != first.DataVersion+1 || ev.GeometryVersion != first.GeometryVersion ||
			ev.Plans["chongqing-2023"] == first.Plans["chongqing-2023"] || ev.Plans["shandong-clusters"] != first.Plans["shandong-clusters"] {
			t.Errorf("after the write: %+v (before %+v)", ev, first)
		}
		t.Logf("announced %v after the write was sent", time.Since(start))
	case <-time.After(2 * time.Second):
		t.Fatal("no event within 2 s of the write")
	}
}

// TestEventsEndAtShutdown: closing the server's Closing channel ends every
// event stream at once; past the server-wide limit a stream is refused.
func TestEventsEndAtShutdown(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	closing := make(chan struct{})
	_, srv := serve(t, st, api.Config{Closing: closing, Limits: api.Limits{Streams: 1}})
	resp, err := http.Get(srv.URL + "/api/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan versionEvent, 4)
	go readEvents(t, resp, events)
	<-events
	if r, _ := get(t, srv.URL+"/api/v1/events"); r.StatusCode != 503 || r.Header.Get("Retry-After") == "" {
		t.Errorf("past the server's limit: %d", r.StatusCode)
	}
	if _, body := get(t, srv.URL+"/metrics"); !strings.Contains(string(body), "indmap_event_streams 1") || !strings.Contains(string(body), "go_goroutines ") {
		t.Errorf("metrics lack the stream gauge or the runtime's:\n%s", body)
	}
	close(closing)
	select {
	case _, open := <-events:
		if open {
			t.Error("an event after shutdown began")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the shutdown")
	}
}
