package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"path"
	"sync"
	"sync/atomic"

	"gocloud.dev/blob"
)

// Cache-Control of the two kinds of object.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// An Object is one file of a published site.
type Object struct {
	Key             string
	Body            []byte
	ContentType     string
	ContentEncoding string // "gzip" for a body stored compressed
	// Mutable objects (version.json, the entry HTML) are rewritten by
	// every publish and revalidated by readers; the others have their
	// content's hash in their key.
	Mutable bool
}

// CacheControl is the object's Cache-Control.
func (o Object) CacheControl() string {
	if o.Mutable {
		return cacheRevalidate
	}
	return cacheImmutable
}

// hashOf is the short content hash that immutable keys carry.
func hashOf(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// hashedKey is dir/name.HASH.ext for body.
func hashedKey(dir, name, ext string, body []byte) string {
	return path.Join(dir, name+"."+hashOf(body)+ext)
}

// contentType is a key's Content-Type by its extension.
func contentType(key string) string {
	switch path.Ext(key) {
	case ".pmtiles":
		return "application/vnd.pmtiles"
	case ".pbf":
		return "application/x-protobuf"
	case ".mjs", ".js":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json"
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compressible says whether a key's body is stored gzipped (text; not
// the archive, which is read by range, nor glyphs or tiles, which are
// compressed already or small).
func compressible(key string) bool {
	switch path.Ext(key) {
	case ".js", ".mjs", ".json", ".css", ".html", ".map":
		return true
	}
	return false
}

// newObject makes the object for key, typed by its extension.
func newObject(key string, body []byte, mutable bool) (Object, error) {
	return Object{Key: key, Body: body, ContentType: contentType(key), Mutable: mutable}, nil
}

// compressed is o stored gzipped, when it is text.
func compressed(o Object) (Object, error) {
	if !compressible(o.Key) || o.ContentEncoding != "" {
		return o, nil
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if _, err := zw.Write(o.Body); err != nil {
		return o, err
	}
	if err := zw.Close(); err != nil {
		return o, err
	}
	o.Body, o.ContentEncoding = b.Bytes(), "gzip"
	return o, nil
}

// Stats count what an upload did.
type Stats struct {
	Objects, Uploaded, Skipped int
	Bytes, UploadedBytes       int64
}

// Options tune an upload.
type Options struct {
	// Compress stores text gzipped with Content-Encoding: gzip (object
	// stores keep the header; a plain folder does not, so it gets the
	// text as it is).
	Compress bool
	// Progress is told after each object (for long uploads).
	Progress func(done, total int, uploadedBytes int64)
}

// Upload writes objs to the bucket: the immutable ones the bucket lacks
// (a key present holds the same content, its hash says so), several at
// once; then the mutable ones, with version last, so that readers, who
// start from version.json, see everything it names.
func Upload(ctx context.Context, b *blob.Bucket, objs []Object, version Object, opt Options) (Stats, error) {
	var st Stats
	var immutable, mutable []Object
	for _, o := range objs {
		st.Objects++
		st.Bytes += int64(len(o.Body))
		if o.Mutable {
			mutable = append(mutable, o)
		} else {
			immutable = append(immutable, o)
		}
	}
	st.Objects++
	st.Bytes += int64(len(version.Body))
	var done, uploaded, skipped atomic.Int64
	var upBytes atomic.Int64
	put := func(o Object) error {
		if opt.Compress {
			var err error
			if o, err = compressed(o); err != nil {
				return err
			}
		}
		err := b.WriteAll(ctx, o.Key, o.Body, &blob.WriterOptions{ContentType: o.ContentType,
			ContentEncoding: o.ContentEncoding, CacheControl: o.CacheControl()})
		if err != nil {
			return fmt.Errorf("upload %s: %w", o.Key, err)
		}
		uploaded.Add(1)
		upBytes.Add(int64(len(o.Body)))
		return nil
	}
	tell := func() {
		n := done.Add(1)
		if opt.Progress != nil {
			opt.Progress(int(n), st.Objects, upBytes.Load())
		}
	}
	jobs := make(chan Object)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range jobs {
				ok, err := b.Exists(ctx, o.Key)
				if err == nil && !ok {
					err = put(o)
				} else if err == nil {
					skipped.Add(1)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					cancel()
					continue
				}
				tell()
			}
		}()
	}
feed:
	for _, o := range immutable {
		select {
		case jobs <- o:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return st, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	for _, o := range append(mutable, version) {
		if err := put(o); err != nil {
			return st, err
		}
		tell()
	}
	st.Uploaded, st.Skipped, st.UploadedBytes = int(uploaded.Load()), int(skipped.Load()), upBytes.Load()
	return st, nil
}
