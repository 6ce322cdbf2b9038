// Package tests3 gives tests a real S3-compatible server: SeaweedFS'
// weed (built by .ci/run and make s3-test from its Go module), found at
// $INDMAP_WEED or as weed on PATH, started on free loopback ports in a
// temporary folder and stopped when the test ends. It allows anonymous
// requests, as a public bucket behind a CDN does. Where there is no
// weed the test is skipped, unless INDMAP_REQUIRE_S3 is set (CI), when
// it fails; under -short no server is started.
package tests3

import (
	"bytes"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Server is a running S3-compatible server.
type Server struct {
	// Endpoint is its S3 API's URL (http://127.0.0.1:PORT).
	Endpoint string
}

// Binary is the weed binary, or "" when there is none.
func Binary() string {
	if p := os.Getenv("INDMAP_WEED"); p != "" {
		return p
	}
	p, _ := exec.LookPath("weed")
	return p
}

// Start starts a server for the test.
func Start(t testing.TB) *Server {
	t.Helper()
	required := os.Getenv("INDMAP_REQUIRE_S3") != ""
	if testing.Short() && !required {
		t.Skip("-short: no S3 server (make test starts one where weed is built)")
	}
	bin := Binary()
	if bin == "" {
		if required {
			t.Fatal("no weed binary (set INDMAP_WEED; .ci/run builds it)")
		}
		t.Skip("no S3 server: build SeaweedFS' weed and set INDMAP_WEED (see .ci/run)")
	}
	dir := t.TempDir()
	ports := freePorts(t, 4)
	s3 := ports[3]
	cmd := exec.Command(bin, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir="+dir,
		"-master.port="+strconv.Itoa(ports[0]), "-volume.port="+strconv.Itoa(ports[1]),
		"-filer", "-filer.port="+strconv.Itoa(ports[2]),
		"-s3", "-s3.port="+strconv.Itoa(s3), "-s3.port.iceberg=0", "-s3.port.lance=0")
	cmd.Dir = dir
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	srv := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", s3)}
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Ready once a bucket can be made and listed.
		if resp, err := http.Get(srv.Endpoint + "/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return srv
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("weed did not answer on %s:\n%s", srv.Endpoint, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Bucket makes a bucket and returns its public URL.
func (s *Server) Bucket(t testing.TB, name string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, s.Endpoint+"/"+name, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s.Endpoint + "/" + name
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("create bucket %s: %v %v", name, err, resp)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// freePorts finds n loopback ports p, each with p+10000 free too (weed's
// gRPC ports).
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	free := func(p int) bool {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return false
		}
		l.Close()
		return true
	}
	var out []int
	seen := map[int]bool{}
	for tries := 0; len(out) < n && tries < 1000; tries++ {
		p := 20000 + rand.Intn(10000)
		if !seen[p] && free(p) && free(p+10000) {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) < n {
		t.Fatal("no free ports for weed")
	}
	return out
}
