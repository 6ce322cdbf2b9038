package api

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// metrics counts requests and their latency by route, for /metrics.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64 // route, method, code
	hist     map[string]*histogram
}

var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type histogram struct {
	counts []uint64
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, hist: map[string]*histogram{}}
}

func (m *metrics) observe(route, method string, status int, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{route, method, fmt.Sprint(status)}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.hist[route] = h
	}
	s := took.Seconds()
	for i, b := range latencyBuckets {
		if s <= b {
			h.counts[i]++
		}
	}
	h.sum += s
	h.n++
}

// write renders the counters in Prometheus' text format.
func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP indmap_http_requests_total HTTP requests by route, method and status.")
	fmt.Fprintln(w, "# TYPE indmap_http_requests_total counter")
	keys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return strings.Join(keys[i][:], " ") < strings.Join(keys[j][:], " ") })
	for _, k := range keys {
		fmt.Fprintf(w, "indmap_http_requests_total{route=%q,method=%q,code=%q} %d\n", k[0], k[1], k[2], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP indmap_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE indmap_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.hist))
	for r := range m.hist {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.hist[r]
		for i, b := range latencyBuckets {
			fmt.Fprintf(w, "indmap_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", r, b, h.counts[i])
		}
		fmt.Fprintf(w, "indmap_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, h.n)
		fmt.Fprintf(w, "indmap_http_request_duration_seconds_sum{route=%q} %g\n", r, h.sum)
		fmt.Fprintf(w, "indmap_http_request_duration_seconds_count{route=%q} %d\n", r, h.n)
	}
}
