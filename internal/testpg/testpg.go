// Package testpg gives tests a real PostgreSQL/PostGIS database: on the
// server named by INDMAP_TEST_PG (a connection URL to a database whose
// user may create databases), else on a throwaway cluster it starts
// from the machine's PostgreSQL binaries (Debian's postgresql-15 and
// postgresql-15-postgis-3) in a temporary directory, on a free port, and
// stops with Stop. Where neither is possible the test is skipped, unless
// INDMAP_REQUIRE_PG is set (CI), when it fails. Under -short no cluster
// is started (INDMAP_TEST_PG is still used).
package testpg

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var cluster struct {
	once  sync.Once
	admin string // URL of the admin database
	dir   string // the throwaway cluster's directory ("" for INDMAP_TEST_PG)
	bin   string
	err   error
	n     atomic.Int64

	templateOnce sync.Once
	templateErr  error
}

// template is the database each test's is copied from: PostGIS created
// once (a second per database otherwise).
func template() string { return fmt.Sprintf("indmap_template_%d", os.Getpid()) }

func makeTemplate(ctx context.Context, admin *pgx.Conn) error {
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+template()); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, dbURL(template()))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis")
	return err
}

// dbURL is the URL of database name on the cluster.
func dbURL(name string) string {
	u, _ := url.Parse(cluster.admin)
	u.Path = "/" + name
	return u.String()
}

// Available reports whether tests can have a PostgreSQL database: false
// under -short (unless INDMAP_TEST_PG or INDMAP_REQUIRE_PG is set) or
// when no server can be found or started; a test fails instead when
// INDMAP_REQUIRE_PG is set.
func Available(t testing.TB) bool {
	t.Helper()
	if testing.Short() && os.Getenv("INDMAP_TEST_PG") == "" && os.Getenv("INDMAP_REQUIRE_PG") == "" {
		return false
	}
	cluster.once.Do(start)
	if cluster.err != nil {
		if os.Getenv("INDMAP_REQUIRE_PG") != "" {
			t.Fatalf("PostgreSQL: %v", cluster.err)
		}
		return false
	}
	return true
}

// DB creates a fresh database with PostGIS for the test and returns its
// connection URL; it is dropped when the test ends.
func DB(t testing.TB) string {
	t.Helper()
	if testing.Short() && os.Getenv("INDMAP_TEST_PG") == "" && os.Getenv("INDMAP_REQUIRE_PG") == "" {
		t.Skip("-short: no throwaway PostgreSQL cluster (make test and make pg-test start one; INDMAP_TEST_PG names a running server)")
	}
	cluster.once.Do(start)
	if cluster.err != nil {
		if os.Getenv("INDMAP_REQUIRE_PG") != "" {
			t.Fatalf("PostgreSQL: %v", cluster.err)
		}
		t.Skipf("no PostgreSQL (set INDMAP_TEST_PG, or install postgresql-15-postgis-3): %v", cluster.err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, cluster.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	cluster.templateOnce.Do(func() { cluster.templateErr = makeTemplate(ctx, admin) })
	if cluster.templateErr != nil {
		t.Fatal(cluster.templateErr)
	}
	name := fmt.Sprintf("indmap_test_%d_%d", os.Getpid(), cluster.n.Add(1))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template()); err != nil {
		t.Fatal(err)
	}
	dsn := dbURL(name)
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, cluster.admin)
		if err != nil {
			return
		}
		defer admin.Close(ctx)
		admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return dsn
}

// Stop stops the throwaway cluster, if one was started (call it from
// TestMain after the tests).
func Stop() {
	if cluster.dir == "" {
		if cluster.admin != "" && cluster.templateErr == nil {
			ctx := context.Background()
			if admin, err := pgx.Connect(ctx, cluster.admin); err == nil {
				admin.Exec(ctx, "DROP DATABASE IF EXISTS "+template()+" WITH (FORCE)")
				admin.Close(ctx)
			}
		}
		return
	}
	asPostgres(filepath.Join(cluster.bin, "pg_ctl"), "-D", filepath.Join(cluster.dir, "data"), "-m", "immediate", "-w", "stop").Run()
	os.RemoveAll(cluster.dir)
}

func start() {
	if dsn := os.Getenv("INDMAP_TEST_PG"); dsn != "" {
		cluster.admin = dsn
		return
	}
	cluster.bin, cluster.err = binDir()
	if cluster.err != nil {
		return
	}
	cluster.err = startCluster()
}

// binDir is the newest PostgreSQL's binaries in Debian's layout, or
// those on PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("initdb not found")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// asPostgres runs a PostgreSQL program, as the postgres user when this
// process is root (initdb and the server refuse to run as root).
func asPostgres(prog string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", prog}, args...)...)
	}
	return exec.Command(prog, args...)
}

func startCluster() error {
	srv, err := newServer(cluster.bin)
	if srv != nil {
		cluster.dir = srv.dir
	}
	if err != nil {
		return err
	}
	cluster.admin = srv.admin()
	return nil
}

// A Server is a throwaway PostgreSQL server that a test may stop and
// start (a database outage); it is removed when the test ends.
type Server struct {
	bin, dir string
	port     int
}

// Own starts a server for the test alone, with a database "indmap" that
// has PostGIS, and returns it (skipped or failed as DB is).
func Own(t testing.TB) *Server {
	t.Helper()
	if !Available(t) {
		t.Skip("no PostgreSQL")
	}
	bin := cluster.bin
	if bin == "" { // INDMAP_TEST_PG: a server of the caller's; this one is started here
		var err error
		if bin, err = binDir(); err != nil {
			t.Skipf("no PostgreSQL binaries to start a server of the test's own: %v", err)
		}
	}
	srv, err := newServer(bin)
	if srv != nil {
		t.Cleanup(func() { srv.Stop(); os.RemoveAll(srv.dir) })
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, srv.admin())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE indmap"); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION postgis"); err != nil {
		t.Fatal(err)
	}
	return srv
}

// URL is the connection URL of the server's database "indmap".
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/indmap?sslmode=disable", s.port)
}

func (s *Server) admin() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Stop stops the server (fast shutdown: sessions are disconnected).
func (s *Server) Stop() error {
	if out, err := asPostgres(filepath.Join(s.bin, "pg_ctl"), "-D", filepath.Join(s.dir, "data"), "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

// Freeze stops the server's processes (SIGSTOP) without closing their
// connections: a database that hangs, as in a network partition.
func (s *Server) Freeze() error { return s.signal("-STOP") }

// Thaw lets frozen processes go on (SIGCONT).
func (s *Server) Thaw() error { return s.signal("-CONT") }

func (s *Server) signal(sig string) error {
	b, err := os.ReadFile(filepath.Join(s.dir, "data", "postmaster.pid"))
	if err != nil {
		return err
	}
	pid := strings.SplitN(string(b), "\n", 2)[0]
	kids, _ := exec.Command("pgrep", "-P", pid).Output()
	pids := append(strings.Fields(string(kids)), pid)
	if out, err := exec.Command("kill", append([]string{sig}, pids...)...).CombinedOutput(); err != nil {
		return fmt.Errorf("kill %s: %v %s", sig, err, out)
	}
	return nil
}

// Start starts the stopped server again, on its port, and waits until
// it answers.
func (s *Server) Start() error {
	// fsync off: a throwaway cluster for tests (the durability tests of
	// a store kill indmap, not the database server).
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c full_page_writes=off -c max_connections=200", s.port, s.dir)
	if out, err := asPostgres(filepath.Join(s.bin, "pg_ctl"), "-D", filepath.Join(s.dir, "data"), "-o", opts, "-l", filepath.Join(s.dir, "log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, s.admin())
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("the cluster does not answer: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Standby makes a hot standby of the server (pg_basebackup with
// streaming replication, on a port of its own) and starts it; its URL
// is read-only. It is removed when the test ends.
func (s *Server) Standby(t testing.TB) *Server {
	t.Helper()
	dir, err := os.MkdirTemp("", "indmap-pg-standby-")
	if err != nil {
		t.Fatal(err)
	}
	sb := &Server{bin: s.bin, dir: dir}
	t.Cleanup(func() { sb.Stop(); os.RemoveAll(dir) })
	if err := chownToPostgres(dir); err != nil {
		t.Fatal(err)
	}
	if sb.port, err = freePort(); err != nil {
		t.Fatal(err)
	}
	if out, err := asPostgres(filepath.Join(s.bin, "pg_basebackup"), "-D", filepath.Join(dir, "data"), "-R", "-X", "stream", "-c", "fast",
		"-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-U", "postgres").CombinedOutput(); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	return sb
}

func chownToPostgres(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs a postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

func newServer(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "indmap-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir}
	if err := chownToPostgres(dir); err != nil {
		return s, err
	}
	data := filepath.Join(dir, "data")
	if out, err := asPostgres(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		return s, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	if s.port, err = freePort(); err != nil {
		return s, err
	}
	return s, s.Start()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Admin is the admin database's URL (for tests that stop and start the
// server or create roles); "" before DB was first called.
func Admin() string { return cluster.admin }
