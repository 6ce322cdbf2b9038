package readmodel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/indmap/indmap/store"
)

// ErrNotReady is returned while the first snapshot is still loading.
var ErrNotReady = errors.New("data not loaded yet")

// A Preparer builds what depends on a snapshot (the tile index, say)
// before the snapshot is published, so that readers never see a new
// snapshot without it.
type Preparer func(ctx context.Context, snap *Snapshot) error

// A Source is where the data comes from: a store.
type Source interface {
	Path() string // names the data in messages
	Versions(ctx context.Context) (store.Versions, error)
	Load(ctx context.Context, haveGeometry int64) (*store.Data, error)
}

// Live hands out the current snapshot. One watcher goroutine (Run)
// checks the data version every interval, or at once when asked
// (Refresh), and when it moved, whoever moved it (this process, a CLI
// import, another server on the same file), loads the next snapshot,
// runs the preparers, swaps it in atomically and announces it. Requests
// only read an atomic pointer: no loading ever happens on their path.
type Live struct {
	st       Source
	interval time.Duration
	log      *slog.Logger

	cur     atomic.Pointer[Snapshot]
	lastErr atomic.Pointer[error]

	mu        sync.Mutex
	preparers []Preparer
	subs      map[chan int64]struct{}
	asks      chan chan error
	pokes     chan struct{}
	started   bool
	ready     chan struct{} // closed once the first snapshot is published
}

// NewLive makes a watcher of st's data that checks the version every
// interval once started. Register preparers, then start it with Run or
// Start.
func NewLive(st Source, interval time.Duration, log *slog.Logger) *Live {
	if log == nil {
		log = slog.Default()
	}
	if interval <= 0 {
		interval = time.Second
	}
	return &Live{st: st, interval: interval, log: log, subs: map[chan int64]struct{}{},
		asks: make(chan chan error), pokes: make(chan struct{}, 1), ready: make(chan struct{})}
}

// Prepare registers fn to run on every new snapshot before it is
// published. Call it before the watcher starts.
func (l *Live) Prepare(fn Preparer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.preparers = append(l.preparers, fn)
}

// Start runs the watcher in the background until ctx ends.
func (l *Live) Start(ctx context.Context) {
	go l.Run(ctx)
}

// Run is the watcher: it loads the first snapshot, then follows the data
// version until ctx ends. A failed or panicking load is logged and
// retried at the next tick; the previous snapshot goes on being served.
func (l *Live) Run(ctx context.Context) {
	l.mu.Lock()
	if l.started {
		l.mu.Unlock()
		return
	}
	l.started = true
	l.mu.Unlock()
	tick := time.NewTicker(l.interval)
	defer tick.Stop()
	// A failed check is tried again within a second even when checks
	// are rare (a server told of writes by its database): the first
	// query after a database restart fails on a connection the restart
	// cut.
	var retry <-chan time.Time
	again := func(err error) error {
		retry = nil
		if err != nil {
			retry = time.After(min(l.interval, time.Second))
		}
		return err
	}
	again(l.check(ctx))
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			again(l.check(ctx))
		case <-retry:
			again(l.check(ctx))
		case done := <-l.asks:
			done <- again(l.check(ctx))
		case <-l.pokes:
			again(l.check(ctx))
		}
	}
}

// Snapshot returns the current snapshot, or ErrNotReady before the first
// one is loaded.
func (l *Live) Snapshot(context.Context) (*Snapshot, error) {
	if s := l.cur.Load(); s != nil {
		return s, nil
	}
	return nil, ErrNotReady
}

// Ready reports whether a snapshot has been published.
func (l *Live) Ready() bool { return l.cur.Load() != nil }

// WaitReady waits until the first snapshot is published.
func (l *Live) WaitReady(ctx context.Context) error {
	select {
	case <-l.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Err is the last reload's error (nil when it succeeded): the server is
// then serving its previous snapshot.
func (l *Live) Err() error {
	if p := l.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// Refresh asks the watcher to check the data version now and waits until
// it has (and has published any new snapshot): a write calls it so that
// the next request sees what it wrote.
func (l *Live) Refresh(ctx context.Context) (*Snapshot, error) {
	done := make(chan error, 1)
	select {
	case l.asks <- done:
	case <-ctx.Done():
		return l.cur.Load(), ctx.Err()
	}
	select {
	case err := <-done:
		return l.cur.Load(), err
	case <-ctx.Done():
		return l.cur.Load(), ctx.Err()
	}
}

// Poke asks the watcher to check the data version now, without waiting
// (the database said it changed). Pokes while one is pending are one.
func (l *Live) Poke() {
	select {
	case l.pokes <- struct{}{}:
	default:
	}
}

// Subscribe returns a channel that receives each newly published data
// version (a slow reader misses versions, never blocks the watcher), and
// a function that ends the subscription.
func (l *Live) Subscribe() (<-chan int64, func()) {
	ch := make(chan int64, 1)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		delete(l.subs, ch)
		l.mu.Unlock()
	}
}

// check loads and publishes a new snapshot when the data version moved.
// A file whose schema is not this indmap's is not read at all: the
// previous snapshot goes on being served and the error is reported.
func (l *Live) check(ctx context.Context) (err error) {
	cur := l.cur.Load()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reload panicked: %v", r)
			l.log.Error("reload panicked", "panic", r, "stack", string(debug.Stack()))
		}
		if err != nil {
			prev := l.lastErr.Swap(&err)
			if prev != nil && (*prev).Error() == err.Error() {
				return // said already: a watcher that retries every second does not say it every second
			}
			if l.cur.Load() == nil {
				l.log.Warn("loading the data failed; nothing to serve yet", "err", err)
			} else {
				l.log.Warn("reload failed; serving the previous data", "data_version", l.cur.Load().Version, "err", err)
			}
		} else if prev := l.lastErr.Swap(nil); prev != nil {
			l.log.Info("data readable again", "after", (*prev).Error())
		}
	}()
	v, err := l.st.Versions(ctx)
	if err != nil {
		return fmt.Errorf("data version: %w", err)
	}
	if v.Schema != store.SchemaVersion {
		return fmt.Errorf("data version %d: %w", v.Data, &store.SchemaError{Have: v.Schema, Want: store.SchemaVersion, Path: l.st.Path()})
	}
	if cur != nil && v.Data == cur.Version {
		return nil
	}
	start := time.Now()
	var have int64
	if cur != nil {
		have = cur.stored
	}
	d, err := l.st.Load(ctx, have)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	next, err := Build(d, cur)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	l.mu.Lock()
	preparers := append([]Preparer(nil), l.preparers...)
	l.mu.Unlock()
	for _, prep := range preparers {
		if err := prep(ctx, next); err != nil {
			return fmt.Errorf("prepare version %d: %w", next.Version, err)
		}
	}
	l.log.Info("data loaded", "data_version", next.Version, "geometry", map[bool]string{true: "reloaded", false: "kept"}[d.Geometry != nil],
		"units", len(next.Units), "plans", len(next.Plans), "took", time.Since(start).Round(time.Millisecond))
	// Publish and announce under the lock, so that a subscriber is either
	// told of this version or subscribes after it is current.
	l.mu.Lock()
	l.cur.Store(next)
	if cur == nil {
		close(l.ready)
	}
	for ch := range l.subs {
		select {
		case ch <- next.Version:
		default:
			// The reader has a version pending; replace it with this one.
			select {
			case <-ch:
			default:
			}
			ch <- next.Version
		}
	}
	l.mu.Unlock()
	return nil
}
