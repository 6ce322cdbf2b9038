package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Live hands out the current snapshot and moves to a new one when the
// data version changes, whoever changed it (this process, a CLI import,
// another server on the same file): no restart is needed. It checks the
// version at most once per interval, on the request path, so an idle
// server does no work.
type Live struct {
	st       *Store
	interval time.Duration
	cur      atomic.Pointer[Snapshot]
	checked  atomic.Int64 // unix nanoseconds of the last version check
	mu       sync.Mutex   // one reload at a time
}

// NewLive loads the first snapshot.
func NewLive(ctx context.Context, st *Store, interval time.Duration) (*Live, error) {
	l := &Live{st: st, interval: interval}
	snap, err := st.Load(ctx)
	if err != nil {
		return nil, err
	}
	l.cur.Store(snap)
	l.checked.Store(time.Now().UnixNano())
	return l, nil
}

// Snapshot returns the newest snapshot. On a failed reload it keeps
// serving the previous one and returns it with the error.
func (l *Live) Snapshot(ctx context.Context) (*Snapshot, error) {
	cur := l.cur.Load()
	if time.Now().UnixNano()-l.checked.Load() < int64(l.interval) {
		return cur, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur = l.cur.Load(); time.Now().UnixNano()-l.checked.Load() < int64(l.interval) {
		return cur, nil
	}
	return l.refresh(ctx)
}

// Refresh checks the data version now and reloads when it moved.
func (l *Live) Refresh(ctx context.Context) (*Snapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refresh(ctx)
}

func (l *Live) refresh(ctx context.Context) (*Snapshot, error) {
	cur := l.cur.Load()
	v, err := l.st.DataVersion(ctx)
	if err != nil {
		return cur, err
	}
	l.checked.Store(time.Now().UnixNano())
	if v == cur.Version {
		return cur, nil
	}
	next, err := l.st.Load(ctx)
	if err != nil {
		return cur, err
	}
	l.cur.Store(next)
	return next, nil
}
