package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
	"github.com/labstack/echo/v4"
)

// tokenID names a token in logs and revisions without revealing it.
// It is keyed (HMAC-SHA256 with the server's token key), so that the id
// shown in revisions gives no offline test of a guessed token.
func tokenID(key []byte, token string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(token))
	return "token:" + hex.EncodeToString(m.Sum(nil)[:4])
}

// authorize checks the bearer token against every configured token in
// constant time and returns who writes: the token holder's configured
// name, else the token's id.
func (h *handlers) authorize(c echo.Context) (string, error) {
	if len(h.tokens) == 0 || h.store == nil {
		return "", problem(http.StatusForbidden, typeForbidden, "writes are disabled: the server has no tokens configured (INDMAP_TOKENS or --tokens-file)")
	}
	given, ok := bearer(c.Request().Header.Get("Authorization"))
	if !ok {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="indmap"`)
		return "", problem(http.StatusUnauthorized, typeUnauthorized, "writes need Authorization: Bearer TOKEN")
	}
	match := 0
	for _, t := range h.tokens {
		match |= subtle.ConstantTimeCompare([]byte(given), []byte(t))
	}
	if match != 1 {
		// Failures are throttled per client; a valid token is never
		// refused for others' failures from the same address (behind a
		// proxy that is not trusted, everyone shares one), and a token
		// of 16 or more random characters is not found by guessing at
		// any rate this allows.
		client := clientKey(c)
		if wait := h.authFailures.wait(client, time.Now(), 1); wait > 0 {
			return "", tooMany(c, wait, "too many failed token attempts from %s; retry in %ds", client, int(math.Ceil(wait.Seconds())))
		}
		h.authFailures.spend(client, time.Now(), 1)
		h.log.WarnContext(c.Request().Context(), "invalid token", "client", client)
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="indmap", error="invalid_token"`)
		return "", problem(http.StatusUnauthorized, typeUnauthorized, "the token is not valid")
	}
	id := tokenID(h.tokenKey, given)
	if name := h.authors[given]; name != "" {
		id = name
	}
	if wait, ok := h.writes.allow(id, time.Now()); !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return "", problem(http.StatusTooManyRequests, "/problems/rate-limited", "too many writes with this token; retry in %ds", int(math.Ceil(wait.Seconds())))
	}
	return id, nil
}

// bearer reads the token of an Authorization header; the scheme is
// case-insensitive (RFC 9110 §11.1).
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// refresh has the data watcher publish the data just written (version
// v), and waits for it, so that the next request (tiles included) sees
// it; it fails when the watcher could not.
func (h *handlers) refresh(ctx context.Context, v int64) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	snap, err := h.data.Refresh(ctx)
	if err == nil && (snap == nil || snap.Version < v) {
		err = fmt.Errorf("the server serves data version %d, not yet %d", versionOf(snap), v)
	}
	if err != nil {
		h.log.WarnContext(ctx, "refresh after a write failed", "data_version", v, "err", err)
	}
	return err
}

func versionOf(s *readmodel.Snapshot) int64 {
	if s == nil {
		return 0
	}
	return s.Version
}

type writeResult struct {
	Plan        string         `json:"plan"`
	Revision    store.Revision `json:"revision"`
	Forced      bool           `json:"forced"`
	Message     string         `json:"message"`
	Report      plan.Report    `json:"report"`
	DataVersion int64          `json:"data_version"`
}

// writablePlan authorizes a write, finds its plan and reads its
// If-Match.
func (h *handlers) writablePlan(c echo.Context) (string, *plan.Plan, *int, error) {
	author, err := h.authorize(c)
	if err != nil {
		return "", nil, nil, err
	}
	p, err := h.plan(c)
	if err != nil {
		return "", nil, nil, err
	}
	expect, err := h.ifMatch(c, p.ID)
	return author, p, expect, err
}

// ifMatch reads If-Match (RFC 9110 §13.1.1) as the revision the writer
// last saw: nil without the header (the write goes ahead, as before
// If-Match existed) or with "*". A tag that is no revision of ours, or
// a weak one (If-Match compares strongly), can never match: 412 at
// once. Among several of ours, the current one is expected when listed.
// The store checks the expectation inside the write's transaction.
func (h *handlers) ifMatch(c echo.Context, planID string) (*int, error) {
	header := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if header == "" || header == "*" {
		return nil, nil
	}
	var revs []int
	for _, tag := range splitTags(header) {
		if !validETag(tag) {
			return nil, problem(http.StatusBadRequest, typeBadHeader, "If-Match: %q is not an entity tag (want a quoted tag such as %s)", tag, store.RevisionETag(7))
		}
		if n, ok := store.ParseRevisionETag(tag); ok {
			revs = append(revs, n)
		}
	}
	ctx := c.Request().Context()
	cur, err := h.store.LatestRevision(ctx, planID)
	if err != nil && !errors.Is(err, store.ErrNoRevision) {
		return nil, err
	}
	if len(revs) == 0 {
		return nil, h.preconditionFailed(c, &store.ConflictError{Plan: planID, Expected: -1, Current: cur.N})
	}
	expect := revs[0]
	if slices.Contains(revs, cur.N) {
		expect = cur.N
	}
	return &expect, nil
}

// validETag checks an entity tag's syntax (RFC 9110 §8.8.3): optionally
// W/, then a quoted string of visible characters without quotes.
func validETag(tag string) bool {
	tag = strings.TrimPrefix(tag, "W/")
	if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' {
		return false
	}
	for _, r := range tag[1 : len(tag)-1] {
		if r == '"' || r < 0x21 || r == 0x7f {
			return false
		}
	}
	return true
}

// preconditionFailed is the 412 of a write whose If-Match names another
// revision than the current one: someone else saved in between. The
// answer carries the current revision (and its ETag), so a client can
// show who saved and diff against it.
func (h *handlers) preconditionFailed(c echo.Context, conflict *store.ConflictError) error {
	pr := problem(http.StatusPreconditionFailed, typePrecondition,
		"plan %s is at revision %d, not the one If-Match names; someone else saved in between; nothing was stored", conflict.Plan, conflict.Current)
	if rev, err := h.store.LatestRevision(c.Request().Context(), conflict.Plan); err == nil {
		pr.Current = &rev
		c.Response().Header().Set("ETag", rev.ETag)
	}
	return pr
}

// written answers a stored write: its revision (ETag for the next
// If-Match), its report and the data version it made.
func (h *handlers) written(c echo.Context, planID string, rev store.Revision, message string, report plan.Report) error {
	ctx := c.Request().Context()
	if err := h.refresh(ctx, rev.DataVersion); err != nil {
		// Stored for good, but not what this server serves: say so rather
		// than acknowledge a write readers do not see.
		c.Response().Header().Set("Retry-After", "5")
		return problem(http.StatusServiceUnavailable, "/problems/stored-not-served",
			"stored as revision %d (ETag %s), but this server cannot serve it yet: %v", rev.N, rev.ETag, err)
	}
	v := rev.DataVersion
	c.Response().Header().Set("ETag", rev.ETag)
	report, err := localized(c, report)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, writeResult{Plan: planID, Revision: rev, Forced: rev.Forced, Message: message, Report: report, DataVersion: v})
}

// writeError turns a refused write into its answer: 412 for a moved
// revision, 422 with the report for a plan with errors.
func (h *handlers) writeError(c echo.Context, err error) error {
	var conflict *store.ConflictError
	var invalid *readmodel.InvalidError
	switch {
	case errors.As(err, &conflict):
		return h.preconditionFailed(c, conflict)
	case errors.As(err, &invalid):
		report, lerr := localized(c, invalid.Report)
		if lerr != nil {
			return lerr
		}
		pr := problem(http.StatusUnprocessableEntity, typeInvalidPlan,
			"the plan breaks %d rules (errors); nothing was stored; fix them or send ?force=true", report.Errors)
		pr.Report = &report
		return pr
	case errors.Is(err, readmodel.ErrWrongKind):
		return problem(http.StatusBadRequest, typeBadBody, "%v", err)
	case errors.Is(err, store.ErrSchemaTooNew), errors.Is(err, store.ErrSchemaOld), errors.Is(err, store.ErrReadOnly), errors.Is(err, store.ErrFileChanged),
		errors.Is(err, store.ErrUnavailable):
		if !errors.Is(err, store.ErrReadOnly) { // a read-only server will not take writes later either
			c.Response().Header().Set("Retry-After", "60")
		}
		if errors.Is(err, store.ErrUnavailable) {
			h.log.Warn("write refused: database unavailable", "err", err)
		}
		return problem(http.StatusServiceUnavailable, "/problems/read-only", "writes are unavailable; nothing was stored: %s", publicError(err))
	}
	return err
}

// putAssignments serves PUT /api/v1/plans/{id}/assignments.
func (h *handlers) putAssignments(c echo.Context) error {
	author, p, expect, err := h.writablePlan(c)
	if err != nil {
		return err
	}
	force := false
	if s := c.QueryParam("force"); s != "" {
		if force, err = strconv.ParseBool(s); err != nil {
			return badParam("force", "want true or false, got %q", s)
		}
	}
	if _, err := answerLang(c); err != nil {
		return err
	}
	f, err := h.parseBody(c, h.maxBody, plan.WorkbookLimits{})
	if err != nil {
		return err
	}
	res, err := readmodel.WriteChecked(c.Request().Context(), h.store, snapshotOf(c), p, f.Parsed, f.Name, force,
		store.WriteMeta{Author: author, Expect: expect, Keep: h.keepRevisions})
	if err != nil {
		return h.writeError(c, err)
	}
	rev, report := res.Revision, res.Report
	h.log.InfoContext(c.Request().Context(), "plan written", "token", author, "plan", p.ID, "revision", rev.N,
		"assignments", rev.Assignments, "clusters", rev.Clusters, "errors", report.Errors, "warnings", report.Warnings, "forced", rev.Forced)
	msg := "stored"
	if rev.Forced {
		msg = "stored despite errors (force=true)"
	}
	return h.written(c, p.ID, rev, msg, report)
}

// revisions serves GET /api/v1/plans/{id}/revisions, newest first, with
// the newest one's ETag (If-Match for the next write).
func (h *handlers) revisions(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	if h.store == nil {
		return c.JSON(http.StatusOK, map[string]any{"plan": p.ID, "revisions": []store.Revision{}})
	}
	ctx := c.Request().Context()
	rs, err := h.store.Revisions(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(rs) > 0 {
		c.Response().Header().Set("ETag", rs[0].ETag)
	}
	// Each revision's counts are its report's as the plan's rules read it
	// now, as the stored plan's report is: a revision loaded with the
	// defaults was never checked, and rules and divisions change.
	snap := snapshotOf(c)
	stored, _ := snap.Report(p.ID)
	for i := range rs {
		if rs[i].N == stored.Revision {
			rs[i].Errors, rs[i].Warnings = stored.Errors, stored.Warnings
			continue
		}
		key := revisionKey{snap.Version, p.ID, rs[i].N}
		if n, ok := h.revisionCounts.get(key); ok {
			rs[i].Errors, rs[i].Warnings = n[0], n[1]
			continue
		}
		as, cs, err := h.store.RevisionContent(ctx, p.ID, rs[i].N)
		if err != nil {
			return err
		}
		if r, err := snap.Validate(p, plan.Parsed{Kind: p.Kind, Assignments: as, Clusters: cs}, ""); err == nil {
			rs[i].Errors, rs[i].Warnings = r.Errors, r.Warnings
			h.revisionCounts.put(key, [2]int{r.Errors, r.Warnings})
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": p.ID, "revisions": rs})
}

// revisionKey names a revision's check: its content never changes, the
// rules and divisions it is read against change with the data version.
type revisionKey struct {
	version  int64
	plan     string
	revision int
}

// revisionCounts keeps revisions' error and warning counts, so that a
// list of many kept revisions is checked once per data version, not on
// every request. Bounded: past maxRevisionCounts it starts afresh.
type revisionCounts struct {
	mu sync.Mutex
	m  map[revisionKey][2]int
}

const maxRevisionCounts = 1 << 14

func (rc *revisionCounts) get(k revisionKey) ([2]int, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n, ok := rc.m[k]
	return n, ok
}

func (rc *revisionCounts) put(k revisionKey, n [2]int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.m == nil || len(rc.m) >= maxRevisionCounts {
		rc.m = map[revisionKey][2]int{}
	}
	rc.m[k] = n
}

// restore serves POST /api/v1/plans/{id}/revisions/{n}/restore: the
// revision's content is written again, as a new revision (whatever its
// report says: it was accepted once).
func (h *handlers) restore(c echo.Context) error {
	author, p, expect, err := h.writablePlan(c)
	if err != nil {
		return err
	}
	n, err := revisionParam(c)
	if err != nil {
		return err
	}
	if _, err := answerLang(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	as, cs, err := h.store.RevisionContent(ctx, p.ID, n)
	if errors.Is(err, store.ErrNoRevision) {
		return notFound("%v", err)
	}
	if err != nil {
		return err
	}
	res, err := readmodel.WriteChecked(ctx, h.store, snapshotOf(c), p, plan.Parsed{Kind: p.Kind, Assignments: as, Clusters: cs},
		readmodel.StoredSubject(n), true, store.WriteMeta{Author: author, RestoredFrom: &n, Expect: expect, Keep: h.keepRevisions})
	if err != nil {
		return h.writeError(c, err)
	}
	h.log.InfoContext(ctx, "plan restored", "token", author, "plan", p.ID, "from", n, "revision", res.Revision.N)
	return h.written(c, p.ID, res.Revision, "restored revision "+strconv.Itoa(n), res.Report)
}
