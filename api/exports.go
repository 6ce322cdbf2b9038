package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/indmap/indmap/tiles"
)

// exports builds the plans' files (JSON, CSV, workbooks) once per
// revision, representation and unit names, keeps them in a bounded LRU,
// and builds at most a few at once: an export of 50,000 picks costs
// seconds of CPU and hundreds of megabytes, and anyone may ask for it.
type exports struct {
	cache  *tiles.Cache
	builds chan struct{}
	wait   time.Duration

	mu       sync.Mutex
	inflight map[string]*exportBuild
	built    int64 // exports built, for /metrics
}

type exportBuild struct {
	done chan struct{}
	body []byte
	err  error
}

// Export cache budget and builds at once.
const (
	exportCacheBytes = 64 << 20
	exportBuilds     = 2
)

// errExportsBusy: every build slot stayed taken for the wait.
var errExportsBusy = problem(http.StatusServiceUnavailable, "/problems/busy", "other exports are being built; retry shortly")

func newExports() *exports {
	return &exports{cache: tiles.NewCache(exportCacheBytes), builds: make(chan struct{}, exportBuilds),
		wait: 10 * time.Second, inflight: map[string]*exportBuild{}}
}

// get returns the export named key, built by build unless it is cached
// or being built (then it waits for that build). The body is whole
// before anything is sent, so a status is never sent for a body that
// could not be made.
func (x *exports) get(ctx context.Context, key string, build func(io.Writer) error) ([]byte, error) {
	for {
		if b, ok := x.cache.Get(key); ok {
			return b, nil
		}
		x.mu.Lock()
		b, ok := x.inflight[key]
		if !ok {
			break // x.mu held: this request builds it
		}
		x.mu.Unlock()
		select {
		case <-b.done:
			// The request that built it went away: try again.
			if errors.Is(b.err, context.Canceled) || errors.Is(b.err, context.DeadlineExceeded) {
				continue
			}
			return b.body, b.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &exportBuild{done: make(chan struct{})}
	x.inflight[key] = call
	x.mu.Unlock()
	defer func() {
		x.mu.Lock()
		delete(x.inflight, key)
		x.mu.Unlock()
		close(call.done)
	}()
	timer := time.NewTimer(x.wait)
	defer timer.Stop()
	select {
	case x.builds <- struct{}{}:
	case <-timer.C:
		call.err = errExportsBusy
		return nil, call.err
	case <-ctx.Done():
		call.err = ctx.Err()
		return nil, call.err
	}
	defer func() { <-x.builds }()
	var buf bytes.Buffer
	if call.err = build(&buf); call.err != nil {
		return nil, call.err
	}
	call.body = buf.Bytes()
	x.cache.Put(key, call.body)
	x.mu.Lock()
	x.built++
	x.mu.Unlock()
	return call.body, nil
}

// builtCount is how many exports were built.
func (x *exports) builtCount() int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.built
}
