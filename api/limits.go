package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Limits bound what one client may cost the server. A client is an IP
// address: the connection's peer, or the address a trusted proxy names
// in X-Forwarded-For.
type Limits struct {
	// ValidateConcurrency is how many validations one client may run at
	// once (default 2); more get 429.
	ValidateConcurrency int
	// ValidateSecondsPerMinute is the processing time (parsing and
	// checking) one client's validations may take per minute (default
	// 10 s); past it, 429 with Retry-After until the budget refills.
	ValidateSecondsPerMinute float64
	// ValidateMaxBytes bounds a file sent to validate (default 8 MiB;
	// 413 past it).
	ValidateMaxBytes int64
	// MaxRecords bounds the records of a plan file sent to validate or
	// to a write (default 50,000; 413 past it).
	MaxRecords int
	// AuthFailuresPerMinute is how many failed token attempts one client
	// may make per minute (default 10); past it, a wrong token is 429 (a
	// valid one is still admitted).
	AuthFailuresPerMinute int
	// StreamsPerClient bounds one client's open event streams (default 4;
	// a client is an IPv4 address or an IPv6 /64),
	// Streams all of them (default 1,000).
	StreamsPerClient int
	Streams          int
	// WorkbookParses bounds the .xlsx files read at once, server-wide
	// (default 2): reading one takes memory far beyond its size.
	WorkbookParses int
}

// DefaultLimits are the limits a zero Limits field takes.
var DefaultLimits = Limits{ValidateConcurrency: 2, ValidateSecondsPerMinute: 10, ValidateMaxBytes: 8 << 20,
	MaxRecords: 50_000, AuthFailuresPerMinute: 10, StreamsPerClient: 4, Streams: 1000, WorkbookParses: 2}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.ValidateConcurrency <= 0 {
		l.ValidateConcurrency = d.ValidateConcurrency
	}
	if l.ValidateSecondsPerMinute <= 0 {
		l.ValidateSecondsPerMinute = d.ValidateSecondsPerMinute
	}
	if l.ValidateMaxBytes <= 0 {
		l.ValidateMaxBytes = d.ValidateMaxBytes
	}
	if l.MaxRecords <= 0 {
		l.MaxRecords = d.MaxRecords
	}
	if l.AuthFailuresPerMinute <= 0 {
		l.AuthFailuresPerMinute = d.AuthFailuresPerMinute
	}
	if l.StreamsPerClient <= 0 {
		l.StreamsPerClient = d.StreamsPerClient
	}
	if l.Streams <= 0 {
		l.Streams = d.Streams
	}
	if l.WorkbookParses <= 0 {
		l.WorkbookParses = d.WorkbookParses
	}
	return l
}

// ipExtractor finds the client's address: the peer's, unless the peer is
// one of the trusted proxies, whose X-Forwarded-For is then believed.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// clientKey names the client that per-client limits count (ClientKey of
// its address).
func clientKey(c echo.Context) string { return ClientKey(c.RealIP()) }

// ClientKey names the client at an address for per-client limits: an
// IPv4 address, or the /64 of an IPv6 one (one subscriber's network
// holds a whole /64, so single IPv6 addresses cost nothing to vary).
func ClientKey(addr string) string {
	ip := net.ParseIP(addr)
	switch {
	case ip == nil:
		return addr
	case ip.To4() != nil:
		return ip.To4().String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// tooMany is a 429 with Retry-After in whole seconds.
func tooMany(c echo.Context, wait time.Duration, format string, args ...any) *Problem {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return problem(http.StatusTooManyRequests, "/problems/rate-limited", format, args...)
}

// workbookSlot waits up to workbookWait for one of the server's slots for
// reading a workbook; busy past it, 503 with Retry-After.
func (h *handlers) workbookSlot(c echo.Context) (release func(), err error) {
	timer := time.NewTimer(workbookWait)
	defer timer.Stop()
	select {
	case h.workbooks <- struct{}{}:
		return func() { <-h.workbooks }, nil
	case <-timer.C:
		c.Response().Header().Set("Retry-After", "5")
		return nil, problem(http.StatusServiceUnavailable, "/problems/busy", "other workbooks are being read; retry shortly")
	case <-c.Request().Context().Done():
		return nil, c.Request().Context().Err()
	}
}

const workbookWait = 10 * time.Second

// clientLimiter bounds validations per client: how many at once, and how
// much processing time per minute.
type clientLimiter struct {
	mu      sync.Mutex
	max     int
	running map[string]*inflight
	budget  *rateLimit // seconds of processing
}

// inflight is a client's validations running now: how many, and the sum
// of their start times (so their cost so far is n·now − sum).
type inflight struct {
	n     int
	start float64 // Σ start, seconds since the Unix epoch
}

func newClientLimiter(l Limits) *clientLimiter {
	return &clientLimiter{max: l.ValidateConcurrency, running: map[string]*inflight{}, budget: newRateLimit(l.ValidateSecondsPerMinute, 10)}
}

// acquire admits one validation of client, or says why not. What the
// client's running validations have cost so far counts against its
// budget at once (not only when they end), so a second request cannot
// ride on a first that has already used the minute. The caller reports
// the time it took to done.
func (l *clientLimiter) acquire(c echo.Context, client string) (done func(took time.Duration), err error) {
	now := time.Now()
	sec := float64(now.UnixNano()) / 1e9
	l.mu.Lock()
	defer l.mu.Unlock()
	run := l.running[client]
	var spent float64
	if run != nil {
		spent = float64(run.n)*sec - run.start
	}
	if wait := l.budget.wait(client, now, 1e-3+spent); wait > 0 {
		return nil, tooMany(c, wait, "validations from %s used their processing budget; retry in %ds", client, int(math.Ceil(wait.Seconds())))
	}
	if run != nil && run.n >= l.max {
		return nil, tooMany(c, time.Second, "%d validations from %s are already running", run.n, client)
	}
	if run == nil {
		run = &inflight{}
		l.running[client] = run
	}
	run.n++
	run.start += sec
	return func(took time.Duration) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.budget.spend(client, time.Now(), took.Seconds())
		if run.n--; run.n <= 0 {
			delete(l.running, client)
		} else {
			run.start -= sec
		}
	}, nil
}

// rateLimit is a token bucket per key: perMin tokens a minute, refilled
// steadily, holding at most perMin. Full buckets are forgotten once there
// are many, so the map stays small.
type rateLimit struct {
	mu      sync.Mutex
	perMin  float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newRateLimit makes a limit of perMinute (def where perMinute ≤ 0).
func newRateLimit(perMinute, def float64) *rateLimit {
	if perMinute <= 0 {
		perMinute = def
	}
	return &rateLimit{perMin: perMinute, buckets: map[string]*bucket{}}
}

const maxBuckets = 4096

// refill brings key's bucket up to now; r.mu is held.
func (r *rateLimit) refill(key string, now time.Time) *bucket {
	b := r.buckets[key]
	if b == nil {
		if len(r.buckets) >= maxBuckets {
			for k, o := range r.buckets {
				if o.tokens+now.Sub(o.last).Minutes()*r.perMin >= r.perMin {
					delete(r.buckets, k)
				}
			}
		}
		b = &bucket{tokens: r.perMin, last: now}
		r.buckets[key] = b
	}
	b.tokens = math.Min(r.perMin, b.tokens+now.Sub(b.last).Minutes()*r.perMin)
	b.last = now
	return b
}

// wait says how long until key's bucket holds need tokens (0: now).
func (r *rateLimit) wait(key string, now time.Time, need float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.refill(key, now)
	if b.tokens >= need {
		return 0
	}
	return time.Duration((need - b.tokens) / r.perMin * float64(time.Minute))
}

// spend takes cost tokens from key's bucket (it may go below zero: a
// debt paid back before the next admission).
func (r *rateLimit) spend(key string, now time.Time, cost float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refill(key, now).tokens -= cost
}

// allow takes one token from key's bucket, or says how long to wait.
func (r *rateLimit) allow(key string, now time.Time) (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.refill(key, now)
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / r.perMin * float64(time.Minute)), false
	}
	b.tokens--
	return 0, true
}
