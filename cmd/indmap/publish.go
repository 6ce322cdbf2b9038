package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/indmap/indmap/publish"
	"github.com/indmap/indmap/tiles"
)

func runPublish(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "publish --to s3://BUCKET/PREFIX|file://DIR [--endpoint URL] [--region R] [--server-url URL] [--watch 10s]",
		"Writes the whole map as a static site for a CDN: each plan's tiles as one PMTiles archive,\n"+
			"its theme, TileJSON and styles, the glyphs, the page, and version.json, which names the\n"+
			"rest. Keys carry content hashes (cached for a year); only keys the bucket lacks are\n"+
			"uploaded, and version.json last, so readers never see a half-published map.\n"+
			"Credentials come from the AWS_* variables or a profile.")
	db := dbFlag(e, fs)
	to := fs.String("to", "", "s3://BUCKET/PREFIX or file://DIR")
	endpoint := fs.String("endpoint", e.getenv("AWS_ENDPOINT_URL_S3"), "S3-compatible endpoint, e.g. https://oss-cn-hangzhou.aliyuncs.com (default $AWS_ENDPOINT_URL_S3)")
	region := fs.String("region", e.getenv("AWS_REGION"), "bucket region (default $AWS_REGION)")
	maxZoom := fs.Int("maxzoom", 14, "deepest zoom of the archives")
	watch := fs.Duration("watch", 0, "keep running: read the data version this often (e.g. 10s) and publish again when it moves")
	serverURL := fs.String("server-url", "", "an indmap server's public URL: the published page's planner view links to it")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	if *to == "" {
		return usageErr("publish needs --to s3://BUCKET/PREFIX or file://DIR")
	}
	if *serverURL != "" {
		if u, err := url.Parse(*serverURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErr("--server-url %q: want an http(s) URL", *serverURL)
		}
	}
	if *maxZoom < 0 || *maxZoom > tiles.MaxZoom {
		return usageErr("--maxzoom %d: want 0 to %d", *maxZoom, tiles.MaxZoom)
	}
	target := publish.Target{URL: *to, Endpoint: *endpoint, Region: *region}
	bucket, err := publish.Open(ctx, target)
	if err != nil {
		return err
	}
	defer bucket.Close()
	st, err := openExisting(ctx, e, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	once := func() (int64, error) {
		start := time.Now()
		src, stop, err := publish.NewSource(ctx, st, *maxZoom, e.log)
		if err != nil {
			return 0, err
		}
		defer stop()
		src.ServerURL = *serverURL
		objs, version, err := publish.Build(ctx, src)
		if err != nil {
			return 0, err
		}
		built := time.Since(start)
		last := time.Now()
		stats, err := publish.Upload(ctx, bucket, objs, version, publish.Options{Compress: target.Compress(),
			Progress: func(done, total int, bytes int64) {
				if time.Since(last) > 2*time.Second || done == total {
					last = time.Now()
					fmt.Fprintf(e.stderr, "  %d/%d objects, %.1f MB uploaded\n", done, total, float64(bytes)/1e6)
				}
			}})
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(e.stdout, "published data version %d to %s in %s (built in %s): %d objects, %d bytes; uploaded %d (%d bytes), %d already there\n",
			src.Snapshot.Version, *to, time.Since(start).Round(time.Millisecond), built.Round(time.Millisecond), stats.Objects, stats.Bytes,
			stats.Uploaded, stats.UploadedBytes, stats.Skipped)
		return src.Snapshot.Version, nil
	}
	published, err := once()
	if err != nil || *watch <= 0 {
		return err
	}
	// Watching: the data version is read every interval; a change (a
	// planner's save, an import) is published as a whole once more. A
	// failed publish is logged and tried again at the next change.
	e.log.Info("watching for changes", "every", *watch)
	tick := time.NewTicker(*watch)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		v, err := st.Versions(ctx)
		if err != nil {
			e.log.Warn("publish --watch: reading the data version", "err", err)
			continue
		}
		if v.Data == published {
			continue
		}
		if n, err := once(); err != nil {
			e.log.Error("publish --watch: publishing", "data_version", v.Data, "err", err)
		} else {
			published = n
		}
	}
}
