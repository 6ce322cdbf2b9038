package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/indmap/indmap/internal/testpg"
	"github.com/jackc/pgx/v5"
)

// Several indmap servers on one PostgreSQL database, run as the real
// binary: what an operator behind a load balancer relies on.

const replicaToken = "replica-test-token-0123456789abcdef"

// pgServed is a PostgreSQL database holding what indmap init makes
// (copied from the init file with indmap copy).
func pgServed(t *testing.T, dsn string) string {
	t.Helper()
	if code, out, errOut := cli(t, nil, "copy", "--from", initDB(t), "--to", dsn); code != 0 {
		t.Fatalf("copy: %d\n%s%s", code, out, errOut)
	}
	return dsn
}

// replica starts `indmap serve` on db with writes enabled; args are
// added after the defaults (and win).
func replica(t *testing.T, db string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd, base, _ := startServerArgs(t, binary(t), db, []string{"INDMAP_TOKENS=" + replicaToken},
		append([]string{"--writes-per-minute", "10000"}, args...)...)
	return cmd, base
}

// put sends the plan file csv with If-Match etag; it returns the status
// and the new ETag (no t.Fatal: it runs on other goroutines).
func put(base, csv, etag string) (int, string, error) {
	req, _ := http.NewRequest("PUT", base+"/api/v1/plans/chongqing-2023/assignments?force=true", strings.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+replicaToken)
	req.Header.Set("If-Match", etag)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("ETag"), nil
}

func revisionNumbers(t *testing.T, base string) []int {
	t.Helper()
	var r struct{ Revisions []struct{ N int } }
	getJSON(t, base+"/api/v1/plans/chongqing-2023/revisions", &r)
	var ns []int
	for _, rv := range r.Revisions {
		ns = append(ns, rv.N)
	}
	return ns
}

// noGaps fails unless ns (newest first) counts down by one.
func noGaps(t *testing.T, ns []int) {
	t.Helper()
	for i, n := range ns {
		if n != ns[0]-i {
			t.Fatalf("revisions %v: not numbered without gaps", ns)
		}
	}
}

// TestReplicasIfMatch: 20 PUTs with the same If-Match, spread over 3
// replicas and sent at once: exactly one 200 and nineteen 412, and every
// replica lists the same revisions, numbered without gaps.
func TestReplicasIfMatch(t *testing.T) {
	dsn := pgServed(t, testpg.DB(t))
	var bases []string
	for range 3 {
		_, base := replica(t, dsn)
		bases = append(bases, base)
	}
	csv, etag := storedCSV(t, bases[0])
	for round := range 2 {
		codes := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Half the writers drop the last row: the content differs,
				// and whichever wins, the others must not land.
				body := csv
				if i%2 == 1 {
					body = csv[:strings.LastIndex(strings.TrimRight(csv, "\n"), "\n")+1]
				}
				code, _, err := put(bases[i%3], body, etag)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("writer %d: %v", i, err)
				}
				codes[code]++
			}()
		}
		close(start)
		wg.Wait()
		if codes[200] != 1 || codes[412] != 19 {
			t.Fatalf("round %d: statuses %v; want one 200 and nineteen 412", round, codes)
		}
		// The next round's If-Match is the new revision's, as a replica
		// sees it once the write's notification has reached it (replicas
		// catch up in milliseconds, not at once).
		before := etag
		for deadline := time.Now().Add(10 * time.Second); etag == before; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: replica %s still shows revision %s", round, bases[round%3], before)
			}
			_, etag = storedCSV(t, bases[round%3])
		}
	}
	want := revisionNumbers(t, bases[0])
	noGaps(t, want)
	if len(want) != 3 {
		t.Errorf("revisions %v: want 3 (the plan load and one per round)", want)
	}
	for _, b := range bases[1:] {
		if got := revisionNumbers(t, b); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s lists revisions %v, %s %v", b, got, bases[0], want)
		}
	}
}

// events follows a server's event stream and sends each data version it
// announces, with when it arrived.
func events(t *testing.T, base string) <-chan announced {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	out := make(chan announced, 256)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				if v, err := strconv.ParseInt(id, 10, 64); err == nil {
					out <- announced{v, time.Now()}
				}
			}
		}
		close(out)
	}()
	return out
}

// announced is a data version an event stream announced, and when it
// arrived.
type announced struct {
	version int64
	at      time.Time
}

// waitVersion waits until ch announces version v or later.
func waitVersion(ch <-chan announced, v int64, within time.Duration) bool {
	_, ok := arrival(ch, v, within)
	return ok
}

// arrival is when ch announced version v or later (waiting up to within).
func arrival(ch <-chan announced, v int64, within time.Duration) (time.Time, bool) {
	deadline := time.After(within)
	for {
		select {
		case got, ok := <-ch:
			if !ok {
				return time.Time{}, false
			}
			if got.version >= v {
				return got.at, true
			}
		case <-deadline:
			return time.Time{}, false
		}
	}
}

func dataVersion(t *testing.T, base string) int64 {
	t.Helper()
	var s struct {
		DataVersion int64  `json:"data_version"`
		Status      string `json:"status"`
	}
	getJSON(t, base+"/readyz", &s)
	return s.DataVersion
}

// TestReplicasSeeWritesAtOnce: a write through replica A reaches the
// event streams of B and C within 2 s (median and max logged over 50
// writes), with the replicas' own checks slowed to once an hour so that
// only PostgreSQL's notifications can tell them; and again after the
// listening connections were cut by the server.
func TestReplicasSeeWritesAtOnce(t *testing.T) {
	dsn := pgServed(t, testpg.DB(t))
	_, a := replica(t, dsn, "--reload-interval", "1h")
	_, b := replica(t, dsn, "--reload-interval", "1h")
	_, c := replica(t, dsn, "--reload-interval", "1h")
	evB, evC := events(t, b), events(t, c)
	csv, etag := storedCSV(t, a)
	writes := 50
	if testing.Short() {
		writes = 10
	}
	var lags []time.Duration
	for i := range writes {
		body := csv
		if i%2 == 1 {
			body = csv[:strings.LastIndex(strings.TrimRight(csv, "\n"), "\n")+1]
		}
		sent := time.Now()
		code, next, err := put(a, body, etag)
		if err != nil || code != 200 {
			t.Fatalf("write %d: %d %v", i, code, err)
		}
		etag = next
		v := dataVersion(t, a)
		for name, ch := range map[string]<-chan announced{"B": evB, "C": evC} {
			at, ok := arrival(ch, v, 2*time.Second)
			if !ok || at.Sub(sent) > 2*time.Second {
				t.Fatalf("write %d (data version %d) did not reach %s's event stream within 2 s of the PUT", i, v, name)
			}
			lags = append(lags, at.Sub(sent))
		}
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	t.Logf("PUT sent to A → event received from B and C, %d writes: median %v, max %v", writes, lags[len(lags)/2], lags[len(lags)-1])

	// Cut every listening connection: the replicas listen again, and the
	// next write still reaches them.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var cut int
	if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'`).Scan(&cut); err != nil || cut < 3 {
		t.Fatalf("cut %d listening connections, %v", cut, err)
	}
	time.Sleep(300 * time.Millisecond)
	if code, _, err := put(a, csv, etag); err != nil || code != 200 {
		t.Fatalf("write after the cut: %d %v", code, err)
	}
	v := dataVersion(t, a)
	for name, ch := range map[string]<-chan announced{"B": evB, "C": evC} {
		if !waitVersion(ch, v, 2*time.Second) {
			t.Errorf("after the listening connections were cut, a write did not reach %s within 2 s", name)
		}
	}
}

// TestReplicaKilledMidWrite: a replica killed with SIGKILL while writes
// stream through it loses no acknowledged write: every revision a 200
// named is in the database with the content sent, five times over.
func TestReplicaKilledMidWrite(t *testing.T) {
	dsn := pgServed(t, testpg.DB(t))
	_, other := replica(t, dsn, "--keep-revisions", "0")
	csv, _ := storedCSV(t, other)
	lines := strings.SplitAfter(strings.TrimRight(csv, "\n"), "\n")
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	acked := map[string]int{} // ETag → rows sent
	for run := range 5 {
		cmd, base := replica(t, dsn, "--keep-revisions", "0")
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, etag := storedCSVNoFatal(base)
				n := 2 + (run*7+i)%(len(lines)-2)
				code, next, err := put(base, strings.Join(lines[:n], "")+"\n", etag)
				if err != nil {
					return // killed
				}
				if code == 200 {
					acked[next] = n - 1
				}
			}
		}()
		time.Sleep(time.Duration(200+r.Intn(800)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		close(stop)
		<-done
	}
	if len(acked) < 5 {
		t.Fatalf("only %d writes acknowledged before the kills", len(acked))
	}
	for etag, rows := range acked {
		n := strings.Trim(etag, `"r`)
		var got struct{ Assignments []json.RawMessage }
		getJSON(t, other+"/api/v1/plans/chongqing-2023/assignments?format=json&revision="+n, &got)
		if len(got.Assignments) != rows {
			t.Errorf("acknowledged revision %s: %d assignments in the database, %d sent", n, len(got.Assignments), rows)
		}
	}
	noGaps(t, revisionNumbers(t, other))
	t.Logf("%d acknowledged writes over 5 kills, all kept", len(acked))
}

func storedCSVNoFatal(base string) (string, string) {
	resp, err := http.Get(base + "/api/v1/plans/chongqing-2023/assignments?format=csv")
	if err != nil {
		return "", ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.Header.Get("ETag")
}

// TestReplicaOutlivesTheDatabase: when PostgreSQL stops, a replica goes
// on serving what it has (reads 200, /readyz 200 "degraded"), answers
// writes 503 with a problem document, and when PostgreSQL is back it
// recovers by itself: writes succeed and other replicas hear of them.
func TestReplicaOutlivesTheDatabase(t *testing.T) {
	srv := testpg.Own(t)
	dsn := pgServed(t, srv.URL())
	_, a := replica(t, dsn, "--reload-interval", "100ms")
	_, b := replica(t, dsn, "--reload-interval", "1h")
	csv, etag := storedCSV(t, a)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var s struct{ Status, Error string }
		resp, body := getBody(t, a+"/readyz")
		json.Unmarshal(body, &s)
		if s.Status == "degraded" {
			if resp.StatusCode != 200 {
				t.Errorf("/readyz during the outage: %d %s", resp.StatusCode, body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz did not say the database is gone: %d %s", resp.StatusCode, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if resp, body := getBody(t, a+"/api/v1/units/500120"); resp.StatusCode != 200 || !bytes.Contains(body, []byte("璧山区")) {
		t.Errorf("read during the outage: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("PUT", a+"/api/v1/plans/chongqing-2023/assignments?force=true", strings.NewReader(csv))
	req.Header.Set("Authorization", "Bearer "+replicaToken)
	req.Header.Set("If-Match", etag)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var p struct{ Type, Detail string }
	if json.Unmarshal(pb, &p); resp.StatusCode != 503 || resp.Header.Get("Content-Type") != "application/problem+json" || p.Detail == "" {
		t.Errorf("write during the outage: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), pb)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	evB := events(t, b)
	putUntilAccepted(t, a, csv, etag, "the database came back")
	if !waitVersion(evB, dataVersion(t, a), 15*time.Second) {
		t.Error("after the outage, replica B did not hear of A's write")
	}
	var s struct{ Status string }
	getJSON(t, a+"/readyz", &s)
	if s.Status != "ready" {
		t.Errorf("after the outage /readyz says %q", s.Status)
	}
}

// TestReadOnlyReplica: serve --read-only on the primary itself (its
// notifications heard) and on a real hot standby (pg_basebackup,
// streaming replication; a standby cannot LISTEN, so the server follows
// by its checks): reads are served, writes refused with 503, and a write
// made through a replica of the primary is followed within 3 s.
func TestReadOnlyReplica(t *testing.T) {
	for _, onStandby := range []bool{false, true} {
		t.Run(map[bool]string{false: "primary", true: "standby"}[onStandby], func(t *testing.T) {
			primary := testpg.Own(t)
			dsn := pgServed(t, primary.URL())
			_, rw := replica(t, dsn)
			db, checks := dsn, "1h"
			if onStandby {
				db, checks = primary.Standby(t).URL(), "200ms"
			}
			_, ro := replica(t, db, "--read-only", "--reload-interval", checks)
			csv, etag := storedCSV(t, ro)
			if code, _, err := put(ro, csv, etag); err != nil || code != 503 {
				t.Errorf("write to a read-only replica: %d %v", code, err)
			}
			evRO := events(t, ro)
			if code, _, err := put(rw, csv, etag); err != nil || code != 200 {
				t.Fatalf("write to the primary's replica: %d %v", code, err)
			}
			if !waitVersion(evRO, dataVersion(t, rw), 3*time.Second) {
				t.Error("the read-only replica did not follow a write made on the primary within 3 s")
			}
			if got := revisionNumbers(t, ro); len(got) != 2 {
				t.Errorf("the read-only replica lists revisions %v", got)
			}
		})
	}
}

func getBody(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestReplicaWithAFrozenDatabase: a database that hangs without closing
// its connections (SIGSTOP; a partition looks the same) cannot cancel
// statements itself: a write waits at most --db-statement-timeout plus
// 5 s, then answers 503; /readyz says degraded and reads go on; when
// the database thaws, writes succeed again with nothing done twice.
func TestReplicaWithAFrozenDatabase(t *testing.T) {
	srv := testpg.Own(t)
	dsn := pgServed(t, srv.URL())
	_, a := replica(t, dsn, "--reload-interval", "200ms", "--db-statement-timeout", "2s")
	csv, etag := storedCSV(t, a)
	if err := srv.Freeze(); err != nil {
		t.Fatal(err)
	}
	thawed := false
	defer func() {
		if !thawed {
			srv.Thaw()
		}
	}()
	start := time.Now()
	code, _, err := put(a, csv, etag)
	if took := time.Since(start); err != nil || code != 503 || took > 15*time.Second {
		t.Errorf("write to a frozen database: %d %v after %v; want 503 within about 7 s", code, err, took)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var s struct{ Status string }
		getJSON(t, a+"/readyz", &s)
		if s.Status == "degraded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz says %q 20 s into the freeze", s.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if resp, _ := getBody(t, a+"/api/v1/units/500120"); resp.StatusCode != 200 {
		t.Errorf("read during the freeze: %d", resp.StatusCode)
	}
	if err := srv.Thaw(); err != nil {
		t.Fatal(err)
	}
	thawed = true
	putUntilAccepted(t, a, csv, etag, "the thaw")
	noGaps(t, revisionNumbers(t, a))
	if ns := revisionNumbers(t, a); ns[0] != 2 {
		t.Errorf("revisions %v after the freeze: the refused write was stored", ns)
	}
}

// putUntilAccepted retries a write until it is accepted, for 20 s after
// the database is back (when: what brought it back).
func putUntilAccepted(t *testing.T, base, csv, etag, when string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, _, err := put(base, csv, etag)
		if err == nil && code == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write accepted 20 s after %s: %d %v", when, code, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
