package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is what /metrics exposes, through Prometheus' Go client: one
// registry per handler (no global registry), the requests by route and
// their latency, the tile cache, the data version, the open streams and
// workbooks, and the Go runtime's and the process's own collectors.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
	// series holds each (route, method, status)'s counter and latency
	// observer once looked up: the label lookups cost more than the
	// counting, on every request. Routes, methods and statuses are few.
	series sync.Map
}

type seriesKey struct {
	route, method string
	status        int
}

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// newMetrics registers the handler's metrics; the gauges read h when
// scraped.
func newMetrics(h *handlers) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "indmap_http_requests_total",
			Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "indmap_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: latencyBuckets,
		}, []string{"route"}),
	}
	cache := func(pick func(bytes int64, entries int, hits, misses int64) float64) func() float64 {
		return func() float64 { return pick(h.tiles.Cache().Stats()) }
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "indmap_tile_cache_hits_total", Help: "Tiles answered from the cache."},
			cache(func(_ int64, _ int, hits, _ int64) float64 { return float64(hits) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "indmap_tile_cache_misses_total", Help: "Tiles rendered for want of a cached one."},
			cache(func(_ int64, _ int, _, misses int64) float64 { return float64(misses) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "indmap_tile_units_dropped_total", Help: "Units left out of a tile or a zoom for an outline that made no valid subdivision (each logged)."},
			func() float64 { return float64(h.tiles.DroppedUnits()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "indmap_tile_cache_bytes", Help: "Bytes held by the tile cache."},
			cache(func(bytes int64, _ int, _, _ int64) float64 { return float64(bytes) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "indmap_tile_cache_entries", Help: "Tiles held by the tile cache."},
			cache(func(_ int64, entries int, _, _ int64) float64 { return float64(entries) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "indmap_data_version", Help: "The data version served (0 before the first snapshot)."},
			func() float64 {
				// A scrape never waits for data: Snapshot answers at once.
				if snap, _ := h.data.Snapshot(context.Background()); snap != nil {
					return float64(snap.Version)
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "indmap_event_streams", Help: "Event streams open."},
			func() float64 { return float64(h.streams.count()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "indmap_workbooks_reading", Help: "Workbooks being read."},
			func() float64 { return float64(len(h.workbooks)) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "indmap_exports_built_total", Help: "Plan exports built (each is kept per revision and representation)."},
			func() float64 { return float64(h.exports.builtCount()) }),
	)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{DisableCompression: true}) // the gzip middleware compresses
	return m
}

func (m *metrics) observe(route, method string, status int, took time.Duration) {
	k := seriesKey{route, method, status}
	s, ok := m.series.Load(k)
	if !ok {
		s, _ = m.series.LoadOrStore(k, series{m.requests.WithLabelValues(route, method, strconv.Itoa(status)), m.latency.WithLabelValues(route)})
	}
	s.(series).requests.Inc()
	s.(series).latency.Observe(took.Seconds())
}
