package api_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/internal/testxlsx"
	"github.com/indmap/indmap/plan"
)

func picksFile(rows int, detail string) string {
	var b strings.Builder
	b.WriteString("unit_code,unit_name,role,industry,detail,source\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "500120,璧山区,main,CQ-ICV,%s,s\n", detail)
	}
	return b.String()
}

// slowPost starts a validation whose body is still arriving: its header
// row is sent; the caller writes the rest and closes pw, then reads the
// status from done.
func slowPost(url string) (pw *io.PipeWriter, done <-chan int) {
	pr, pw := io.Pipe()
	status := make(chan int, 1)
	go func() {
		resp, err := http.Post(url, "text/csv", pr)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	pw.Write([]byte("unit_code,unit_name,role,industry,detail,source\n"))
	return pw, status
}

// TestValidateLimits: validation is open to anyone, but one client gets a
// few at once, a processing budget per minute (429 with Retry-After past
// either), and bounded files (413).
func TestValidateLimits(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Limits: api.Limits{ValidateConcurrency: 1}})
	url := srv.URL + "/api/v1/plans/chongqing-2023/validate"

	// One validation is running (its body still arriving): a second one
	// from the same client is refused at once.
	pw, first := slowPost(url)
	// Wait until the server has admitted the first one.
	var resp *http.Response
	for i := 0; i < 200; i++ {
		resp, _ = post(t, url, "text/csv", twoMains)
		if resp.StatusCode == 429 {
			break
		}
	}
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a second validation at once: %d", resp.StatusCode)
	}
	pw.Write([]byte("500120,璧山区,main,CQ-ICV,,s\n"))
	pw.Close()
	if code := <-first; code != 200 {
		t.Errorf("the first validation: %d", code)
	}
	if resp, _ := post(t, url, "text/csv", twoMains); resp.StatusCode != 200 {
		t.Errorf("after the first one ended: %d", resp.StatusCode)
	}

	// 20,000 rows take far more than a 2 ms budget: the client waits.
	_, srvB := serve(t, st, api.Config{Limits: api.Limits{ValidateSecondsPerMinute: 0.002}})
	urlB := srvB.URL + "/api/v1/plans/chongqing-2023/validate"
	if resp, b := post(t, urlB, "text/csv", picksFile(20_000, "x")); resp.StatusCode != 200 {
		t.Fatalf("a large validation: %d %.200s", resp.StatusCode, b)
	}
	resp, body := post(t, urlB, "text/csv", twoMains)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "budget") {
		t.Errorf("over the budget: %d %s", resp.StatusCode, body)
	}

	// A validation still running counts against the budget as it runs: a
	// second one, admitted by the concurrency limit, is refused once the
	// first has used the client's minute (200 ms here; the second ones
	// cost a few milliseconds each, far less).
	_, srvC := serve(t, st, api.Config{Limits: api.Limits{ValidateConcurrency: 2, ValidateSecondsPerMinute: 0.2}})
	urlC := srvC.URL + "/api/v1/plans/chongqing-2023/validate"
	pwC, firstC := slowPost(urlC)
	var second *http.Response
	var secondBody []byte
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if second, secondBody = post(t, urlC, "text/csv", twoMains); second.StatusCode == 429 {
			break
		}
	}
	if second.StatusCode != 429 || !strings.Contains(string(secondBody), "budget") {
		t.Errorf("a second validation while the first has used the budget: %d %s", second.StatusCode, secondBody)
	}
	pwC.Write([]byte("500120,璧山区,main,CQ-ICV,,s\n"))
	pwC.Close()
	<-firstC

	// Size and records: 413, whatever the budget.
	_, srv2 := serve(t, st, api.Config{Limits: api.Limits{ValidateMaxBytes: 1 << 20, MaxRecords: 1000}})
	url2 := srv2.URL + "/api/v1/plans/chongqing-2023/validate"
	for name, body := range map[string]string{
		"2 MiB":         picksFile(1, strings.Repeat("x", 2<<20)),
		"1,001 records": picksFile(1001, ""),
		"1,001 as JSON": `{"assignments": [` + strings.TrimSuffix(strings.Repeat(`{"unit_code": "500120", "role": "main", "industry": "CQ-ICV"},`, 1001), ",") + `]}`,
	} {
		if resp, b := post(t, url2, "text/csv", body); resp.StatusCode != 413 {
			t.Errorf("%s: %d %.200s", name, resp.StatusCode, b)
		}
	}
	if resp, b := post(t, url2, "text/csv", picksFile(1000, "")); resp.StatusCode != 200 {
		t.Errorf("1,000 records: %d %.200s", resp.StatusCode, b)
	}
}

// TestFailedTokensThrottled: past the failures allowed per minute a
// client gets 429 before its token is even looked at, the right one
// included; other clients are not affected (a trusted proxy names them).
func TestFailedTokensThrottled(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}, Limits: api.Limits{AuthFailuresPerMinute: 3},
		TrustedProxies: loopback(t)})
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	for i, want := range []int{401, 401, 401, 429} {
		resp, _ := do(t, "PUT", url, twoMains, "Authorization", "Bearer guess", "X-Forwarded-For", "203.0.113.7")
		if resp.StatusCode != want || want == 429 && resp.Header.Get("Retry-After") == "" {
			t.Errorf("attempt %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	// Others' failures from the same address (everyone behind one proxy)
	// never lock out a valid token; more wrong ones stay throttled.
	if resp, b := do(t, "PUT", url, twoMains, "Authorization", "Bearer "+token, "X-Forwarded-For", "203.0.113.7"); resp.StatusCode != 200 {
		t.Errorf("the right token from a throttled address: %d %s", resp.StatusCode, b)
	}
	if resp, _ := do(t, "PUT", url, twoMains, "Authorization", "Bearer guess2", "X-Forwarded-For", "203.0.113.7"); resp.StatusCode != 429 {
		t.Errorf("a wrong token after the limit: %d", resp.StatusCode)
	}
	// An IPv6 client is its /64: another address in it is still throttled,
	// another /64 is not.
	for i, want := range []int{401, 401, 401, 429} {
		resp, _ := do(t, "PUT", url, twoMains, "Authorization", "Bearer guess", "X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x", i+1))
		if resp.StatusCode != want {
			t.Errorf("IPv6 attempt %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if resp, _ := do(t, "PUT", url, twoMains, "Authorization", "Bearer guess", "X-Forwarded-For", "2001:db8:1:3::1"); resp.StatusCode != 401 {
		t.Errorf("another /64: %d", resp.StatusCode)
	}
	// Another client, and the scheme in any case (RFC 9110 §11.1).
	if resp, b := do(t, "PUT", url, twoMains, "Authorization", "bearer "+token, "X-Forwarded-For", "198.51.100.1"); resp.StatusCode != 200 {
		t.Errorf("lower-case scheme from another client: %d %s", resp.StatusCode, b)
	}
}

// TestDuplicatesBeyondLimitsAndRetention: repeating a pick beyond the
// unit's limit is an error (422, nothing stored); a plan keeps the
// configured number of revisions.
func TestDuplicatesBeyondLimitsAndRetention(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}, KeepRevisions: 2, WritesPerMinute: 100})
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	auth := "Bearer " + token
	resp, body := do(t, "PUT", url, picksFile(10_000, ""), "Authorization", auth)
	if resp.StatusCode != 422 || !strings.Contains(string(body), "main-limit") {
		t.Errorf("10,000 identical rows: %d %.300s", resp.StatusCode, body)
	}
	for i := 0; i < 3; i++ {
		if resp, body := do(t, "PUT", url, twoMains, "Authorization", auth); resp.StatusCode != 200 {
			t.Fatalf("write %d: %d %s", i, resp.StatusCode, body)
		}
	}
	var revs struct{ Revisions []struct{ N int } }
	getJSON(t, srv.URL+"/api/v1/plans/chongqing-2023/revisions", &revs)
	if len(revs.Revisions) != 2 {
		t.Fatalf("revisions kept: %+v", revs)
	}
	oldest := revs.Revisions[1].N - 1
	if resp, _ := do(t, "POST", fmt.Sprintf("%s/api/v1/plans/chongqing-2023/revisions/%d/restore", srv.URL, oldest), "", "Authorization", auth); resp.StatusCode != 404 {
		t.Errorf("restoring a dropped revision: %d", resp.StatusCode)
	}
}

// TestCSVOutputIsSafe: cells a spreadsheet would run as formulas come out
// with a leading apostrophe (OWASP's advice); plain numbers stay.
func TestCSVOutputIsSafe(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}})
	evil := []string{`=HYPERLINK("http://x.example","y")`, `=1+cmd|'/C calc'!A0`, "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"unit_code", "unit_name", "role", "industry", "detail", "source"})
	for i, e := range evil {
		role := "special"
		if i < 2 {
			role = "main"
		}
		industry := []string{"CQ-ICV", "CQ-EIM", "CQ-ADM", "CQ-IEM", "CQ-FAP", "CQ-SIS", "CQ-NDS"}[i]
		w.Write([]string{"500120", "璧山区", role, industry, e, e})
	}
	w.Flush()
	if resp, body := do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments?force=true", b.String(), "Authorization", "Bearer "+token); resp.StatusCode != 200 {
		t.Fatalf("write: %d %s", resp.StatusCode, body)
	}
	for i, e := range evil[:2] {
		industry := []string{"CQ-ICV", "CQ-EIM"}[i]
		_, body := get(t, srv.URL+"/api/v1/plans/chongqing-2023/sites?industry="+industry+"&format=csv")
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %v %s", industry, err, body)
		}
		head := map[string]int{}
		for k, h := range rows[0] {
			head[h] = k
		}
		row := rows[1]
		if row[head["detail"]] != "'"+e || row[head["sources"]] != "'"+e {
			t.Errorf("%s: detail %q, sources %q", industry, row[head["detail"]], row[head["sources"]])
		}
		if d := row[head["area_km2"]]; strings.HasPrefix(d, "'") {
			t.Errorf("a number was quoted: %q", d)
		}
	}
	// Every cell of every CSV answer is safe.
	for _, u := range []string{"/api/v1/industries?plan=chongqing-2023&format=csv", "/api/v1/plans/chongqing-2023/sites?industry=CQ-SIS&format=csv"} {
		_, body := get(t, srv.URL+u)
		rows, _ := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !isNumber(cell) {
					t.Errorf("%s: unsafe cell %q", u, cell)
				}
			}
		}
	}
}

var number = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

func isNumber(s string) bool { return number.MatchString(s) }

// loopback trusts the test client's address as a proxy.
func loopback(t *testing.T) []*net.IPNet {
	var out []*net.IPNet
	for _, c := range []string{"127.0.0.0/8", "::1/128"} {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// TestAnonymousWorkbooks: a workbook anyone sends is held to smaller
// limits than a planner's: large shared strings (which cost memory far
// beyond their size) are refused before they are read.
func TestAnonymousWorkbooks(t *testing.T) {
	st := testdb.Seeded(t, "chongqing-districts")
	_, srv := serve(t, st, api.Config{Store: st, Tokens: []string{token}})
	rows := [][]string{plan.PicksHeader}
	// 20,000 distinct details of 250 characters: shared strings of 5 MB.
	for i := 0; i < 20_000; i++ {
		rows = append(rows, []string{"500120", "璧山区", "main", "CQ-ICV", fmt.Sprintf("%06d %s", i, strings.Repeat("d", 243)), "s"})
	}
	book := testxlsx.Book(t, testxlsx.Sheet{Name: "picks", Rows: rows})
	resp, body := do(t, "POST", srv.URL+"/api/v1/plans/chongqing-2023/validate", string(book), "Content-Type", plan.XLSXType)
	if resp.StatusCode != 413 || !strings.Contains(string(body), "shared strings") {
		t.Errorf("validate: %d %.300s", resp.StatusCode, body)
	}
	// A planner's write may send it (and is refused for its rules).
	resp, body = do(t, "PUT", srv.URL+"/api/v1/plans/chongqing-2023/assignments", string(book), "Content-Type", plan.XLSXType, "Authorization", "Bearer "+token)
	if resp.StatusCode != 422 {
		t.Errorf("write: %d %.300s", resp.StatusCode, body)
	}
}
