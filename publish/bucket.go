// Package publish writes a map as a static site to object storage (any
// S3-compatible bucket) or a folder, for a CDN to serve to many readers
// with no indmap server on the read path: each plan's tiles as one
// PMTiles archive read by HTTP range requests, its theme, TileJSON and
// style, the glyphs, the page, and version.json, which names the rest.
//
// Every object but version.json and the page's entry HTML has its
// content's hash in its key, so it never changes once written and is
// cached for a year; a publish writes only keys the bucket lacks, and
// version.json last, so a reader sees the previous map or the new one,
// never half of each.
package publish

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// targets
	_ "gocloud.dev/blob/s3blob"   // s3:// targets
)

// Target says where a site is published.
type Target struct {
	// URL is s3://BUCKET[/PREFIX] or file://DIR (or a plain folder path).
	URL string
	// Endpoint and Region are an S3-compatible service's (Aliyun OSS,
	// Tencent COS, MinIO, SeaweedFS…); empty: AWS's defaults from the
	// environment (AWS_REGION, AWS_ENDPOINT_URL_S3, a profile).
	Endpoint, Region string
}

// Compress says whether text is stored gzipped: in an object store,
// which sends the stored Content-Encoding; not in a folder.
func (t Target) Compress() bool { return strings.HasPrefix(t.URL, "s3://") }

// Open opens the target's bucket, limited to its prefix. Credentials
// come from the usual AWS_* variables or profile.
func Open(ctx context.Context, t Target) (*blob.Bucket, error) {
	u, err := url.Parse(t.URL)
	if err != nil || u.Scheme == "" {
		abs, err := filepath.Abs(t.URL)
		if err != nil {
			return nil, err
		}
		u = &url.URL{Scheme: "file", Path: abs}
	}
	var open, prefix string
	switch u.Scheme {
	case "file":
		// No sidecar files of attributes: the folder is the site as a
		// web server would serve it.
		open = "file://" + u.Path + "?create_dir=true&metadata=skip"
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("%s: no bucket (want s3://BUCKET/PREFIX)", t.URL)
		}
		q := url.Values{}
		if t.Endpoint != "" {
			q.Set("endpoint", t.Endpoint)
			// Self-hosted S3 services are addressed by path, not by
			// bucket host names.
			q.Set("use_path_style", "true")
			if strings.HasPrefix(t.Endpoint, "http://") {
				q.Set("disable_https", "true")
			}
		}
		if t.Region != "" {
			q.Set("region", t.Region)
		}
		open = "s3://" + u.Host + "?" + q.Encode()
		prefix = strings.Trim(u.Path, "/")
	default:
		return nil, fmt.Errorf("%s: want s3://BUCKET/PREFIX or file://DIR", t.URL)
	}
	b, err := blob.OpenBucket(ctx, open)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", t.URL, err)
	}
	// Said now, not after building the site (minutes for a nation).
	if ok, err := b.IsAccessible(ctx); err != nil || !ok {
		b.Close()
		if err == nil {
			err = fmt.Errorf("the bucket does not exist")
		}
		return nil, fmt.Errorf("open %s: %w", t.URL, err)
	}
	if prefix != "" {
		b = blob.PrefixedBucket(b, prefix+"/")
	}
	return b, nil
}
