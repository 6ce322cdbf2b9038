package publish

import (
	"context"
	"log/slog"
	"time"

	"github.com/indmap/indmap/api"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/static"
	"github.com/indmap/indmap/tiles/glyphs"
)

// publicBase is the public URL the in-process server answers with; the
// site's builder rewrites links under it into links into the site.
const publicBase = "https://indmap.invalid"

// NewSource loads data (a store) once, with its tile index, and serves
// it in process to Build; stop ends the loader.
func NewSource(ctx context.Context, data readmodel.Source, maxZoom int, log *slog.Logger) (src Source, stop func(), err error) {
	live := readmodel.NewLive(data, time.Hour, log)
	ts := api.NewTileServer(api.Config{Data: live, Log: log})
	live.Prepare(ts.Prepare)
	lctx, cancel := context.WithCancel(ctx)
	live.Start(lctx)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	if err := live.WaitReady(ctx); err != nil {
		return Source{}, nil, err
	}
	snap, err := live.Snapshot(ctx)
	if err != nil {
		return Source{}, nil, err
	}
	ix, err := ts.Index(ctx)
	if err != nil {
		return Source{}, nil, err
	}
	// The in-process requests are not worth a log line each.
	quiet := slog.New(slog.NewTextHandler(discard{}, nil))
	h := api.New(api.Config{Data: live, Tiles: ts, Log: quiet, Static: static.FS, Fonts: glyphs.Embedded(), PublicURL: publicBase})
	return Source{Snapshot: snap, Index: ix, Handler: h, BaseURL: publicBase, Static: static.FS, MaxZoom: maxZoom}, cancel, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
