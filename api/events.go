package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/indmap/indmap/readmodel"
	"github.com/labstack/echo/v4"
)

// Server-Sent Events: GET /api/v1/events announces each data version the
// watcher publishes, with what it changed, so that an open page re-reads
// just that.

// versionEvent is one announcement.
type versionEvent struct {
	DataVersion int64 `json:"data_version"`
	// GeometryVersion moves only when boundaries change (tile geometry).
	GeometryVersion string `json:"geometry_version"`
	// Plans gives each plan's content tag; a changed tag means its
	// thematic data changed.
	Plans map[string]string `json:"plans"`
}

func eventOf(snap *readmodel.Snapshot) versionEvent {
	ev := versionEvent{DataVersion: snap.Version, GeometryVersion: snap.GeometryVersion, Plans: map[string]string{}}
	for i := range snap.Plans {
		ev.Plans[snap.Plans[i].ID] = snap.PlanTag(snap.Plans[i].ID)
	}
	return ev
}

// streams counts open event streams per client, to bound them.
type streams struct {
	mu         sync.Mutex
	max, total int // per client, all
	opened     int
	per        map[string]int
}

// open takes a stream for client, or says which limit stops it.
func (s *streams) open(client string) (ok, full bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opened >= s.total {
		return false, true
	}
	if s.per[client] >= s.max {
		return false, false
	}
	s.per[client]++
	s.opened++
	return true, false
}

func (s *streams) close(client string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opened--
	if s.per[client]--; s.per[client] <= 0 {
		delete(s.per, client)
	}
}

// count is the number of open streams.
func (s *streams) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// eventWriteTimeout bounds each event's write: a client that stopped
// reading is dropped instead of holding its stream.
const eventWriteTimeout = 30 * time.Second

// eventHeartbeat keeps proxies from closing an idle stream.
const eventHeartbeat = 20 * time.Second

// events serves GET /api/v1/events: the current version at once, then
// every new one; a comment line every 20 s keeps the connection alive.
func (h *handlers) events(c echo.Context) error {
	client := clientKey(c)
	if ok, full := h.streams.open(client); !ok {
		if full {
			c.Response().Header().Set("Retry-After", "30")
			return problem(http.StatusServiceUnavailable, "/problems/busy", "the server has %d event streams open; retry later", h.streams.total)
		}
		return tooMany(c, 10*time.Second, "%d event streams from %s are open already", h.streams.max, client)
	}
	defer h.streams.close(client)
	ctx := c.Request().Context()
	updates, unsubscribe := h.data.Subscribe()
	defer unsubscribe()
	w := c.Response()
	// The stream outlives the server's write timeout; each write has its
	// own deadline instead.
	rc := http.NewResponseController(w.Writer)
	deadline := func() { _ = rc.SetWriteDeadline(time.Now().Add(eventWriteTimeout)) }
	deadline()
	hdr := w.Header()
	hdr.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	w.WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	send := func(snap *readmodel.Snapshot) error {
		b, err := json.Marshal(eventOf(snap))
		if err != nil {
			return err
		}
		deadline()
		if _, err := fmt.Fprintf(w, "id: %d\nevent: version\ndata: %s\n\n", snap.Version, b); err != nil {
			return err
		}
		w.Flush()
		return nil
	}
	if snap, _ := h.data.Snapshot(ctx); snap != nil {
		if err := send(snap); err != nil {
			return nil
		}
	}
	beat := time.NewTicker(eventHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.closing:
			return nil
		case <-beat.C:
			deadline()
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			w.Flush()
		case <-updates:
			snap, _ := h.data.Snapshot(ctx)
			if snap == nil {
				continue
			}
			if err := send(snap); err != nil {
				return nil
			}
		}
	}
}
