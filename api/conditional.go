package api

import (
	"hash/fnv"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// Conditional requests (RFC 9110 §13). A handler that knows the version
// of what it serves tags the request with it (tagVersion); when it then
// answers 200, the answer gets an ETag naming that version and the
// representation (media type and language), and a matching If-None-Match
// turns it into a 304. The decision is taken when the handler writes its
// status, so an error (a missing unit, a bad parameter) is never a 304.
// The ETags are weak: the same data is sent gzipped or not.

const versionKey = "etag-version"

// originKey holds the origin an answer's links were built from (see
// baseURL): the ETag names it, so two origins' answers never share one.
const originKey = "etag-origin"

// tagVersion says the answer to this request is of data version v.
func tagVersion(c echo.Context, v int64) { c.Set(versionKey, "v"+strconv.FormatInt(v, 10)) }

// revalidated marks an answer made from data version v: clients keep it
// only to revalidate (no-cache), it says its version (X-Data-Version)
// and its ETag names it.
func revalidated(c echo.Context, v int64) {
	hdr := c.Response().Header()
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Data-Version", strconv.FormatInt(v, 10))
	tagVersion(c, v)
}

// conditional applies If-None-Match to GET and HEAD answers that carry an
// ETag: one the handler set itself (tiles, static files), or one made
// here for a handler that called tagVersion.
func conditional(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			return next(c)
		}
		res := c.Response()
		w := &notModifiedWriter{ResponseWriter: res.Writer}
		res.Before(func() {
			if res.Status != http.StatusOK {
				return
			}
			etag := res.Header().Get("ETag")
			if etag == "" {
				version, _ := c.Get(versionKey).(string)
				if version == "" {
					return
				}
				etag = `W/"` + version + "-" + representation(res.Header()) + `"`
			}
			if origin, _ := c.Get(originKey).(string); origin != "" && strings.HasSuffix(etag, `"`) {
				f := fnv.New32a()
				f.Write([]byte(origin))
				etag = strings.TrimSuffix(etag, `"`) + "-o" + strconv.FormatUint(uint64(f.Sum32()), 36) + `"`
			}
			res.Header().Set("ETag", etag)
			if noneMatch(req.Header.Get("If-None-Match"), etag) {
				return
			}
			res.Status = http.StatusNotModified
			w.discard = true
			for _, k := range []string{"Content-Length", "Content-Type", "Content-Encoding"} {
				res.Header().Del(k)
			}
		})
		res.Writer = w
		return next(c)
	}
}

// notModifiedWriter drops the body of an answer turned into a 304.
type notModifiedWriter struct {
	http.ResponseWriter
	discard bool
}

func (w *notModifiedWriter) Write(b []byte) (int, error) {
	if w.discard {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *notModifiedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// representation names a response's representation for its ETag: the
// media type's subtype (json, geo+json, csv, html …) and the language.
func representation(h http.Header) string {
	typ, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || typ == "" {
		typ = "none"
	}
	_, sub, _ := strings.Cut(typ, "/")
	rep := sub
	if strings.ContainsAny(sub, `"\ `) || len(sub) > 40 {
		f := fnv.New32a()
		f.Write([]byte(typ))
		rep = strconv.FormatUint(uint64(f.Sum32()), 36)
	}
	if lang := h.Get("Content-Language"); lang != "" {
		rep += "-" + strings.ToLower(lang)
	}
	return rep
}

// noneMatch reports whether If-None-Match lets the request through, i.e.
// none of its entity tags matches etag by weak comparison; "*" matches
// any current representation. An absent header lets everything through.
func noneMatch(header, etag string) bool {
	header = strings.TrimSpace(header)
	if header == "" {
		return true
	}
	if header == "*" {
		return false
	}
	want := opaqueTag(etag)
	for _, t := range splitTags(header) {
		if t == "*" || opaqueTag(t) == want {
			return false
		}
	}
	return true
}

// opaqueTag strips the weakness indicator: weak comparison ignores it.
func opaqueTag(t string) string { return strings.TrimPrefix(strings.TrimSpace(t), "W/") }

// splitTags splits a list of entity tags at the commas between them (a
// comma inside a quoted tag is part of it).
func splitTags(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				if t := strings.TrimSpace(s[start:i]); t != "" {
					out = append(out, t)
				}
				start = i + 1
			}
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}
