package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/paulmach/orb/encoding/mvt"
)

// TestConcurrentReadersSeeOneVersion rewrites a plan over and over while
// readers fetch units and tiles; every response must be consistent with
// the one data version it names. Run it under -race (make test does).
func TestConcurrentReadersSeeOneVersion(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}, WritesPerMinute: 100000})

	// Two plan contents told apart by 璧山区's number of main industries.
	bodies := map[int]string{
		1: "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,,\n",
		2: twoMains,
	}
	var mu sync.Mutex
	mains := map[int64]int{} // data version → 璧山区's mains
	v0, _ := st.DataVersion(context.Background())
	mains[v0] = 2 // the default plan: 2 mains

	type seen struct {
		version int64
		mains   int
		what    string
	}
	var got []seen
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := 0; r < 6; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if r%2 == 0 {
					resp, err := client.Get(srv.URL + "/api/v1/units/500120")
					if err != nil {
						t.Error(err)
						return
					}
					var f struct {
						Properties struct {
							Plans []struct{ Main []struct{ Code string } }
						}
					}
					json.NewDecoder(resp.Body).Decode(&f)
					resp.Body.Close()
					v, _ := strconv.ParseInt(resp.Header.Get("X-Data-Version"), 10, 64)
					mu.Lock()
					got = append(got, seen{v, len(f.Properties.Plans[0].Main), "unit"})
					mu.Unlock()
				} else {
					// The z9 tile over 璧山区 with what the plan says of it
					// (thematic tiles), for one industry or another, so the
					// cache is exercised too.
					url := srv.URL + "/tiles/chongqing-2023/9/407/211.mvt?industry=CQ-ICV"
					if i%2 == 0 {
						url = strings.Replace(url, "CQ-ICV", "CQ-EIM", 1)
					}
					resp, err := client.Get(url)
					if err != nil {
						t.Error(err)
						return
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					v, _ := strconv.ParseInt(resp.Header.Get("X-Data-Version"), 10, 64)
					ls, err := mvt.Unmarshal(b)
					if err != nil {
						t.Errorf("tile: %v", err)
						return
					}
					n := -1
					for _, f := range ls[0].Features {
						if f.Properties["code"] == "500120" {
							n = int(f.Properties["main_count"].(float64))
						}
					}
					mu.Lock()
					got = append(got, seen{v, n, "tile"})
					mu.Unlock()
				}
			}
		}(r)
	}
	for w := 0; w < 12; w++ {
		k := 1 + w%2
		resp, body := do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments", bodies[k], "Authorization", "Bearer "+token)
		if resp.StatusCode != 200 {
			t.Fatalf("write %d: %d %s", w, resp.StatusCode, body)
		}
		var res struct {
			DataVersion int64 `json:"data_version"`
		}
		json.Unmarshal(body, &res)
		mu.Lock()
		mains[res.DataVersion] = k
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(got) < 50 {
		t.Errorf("only %d reads", len(got))
	}
	bad := 0
	for _, s := range got {
		want, ok := mains[s.version]
		if !ok || s.mains != want {
			bad++
			if bad < 5 {
				t.Errorf("%s at version %d shows %d mains, version has %v", s.what, s.version, s.mains, want)
			}
		}
	}
	t.Logf("%d reads across %d versions, %d inconsistent", len(got), len(mains), bad)
}
