package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
	"github.com/labstack/echo/v4"
)

// tokenID names a token in logs and revisions without revealing it.
func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "token:" + hex.EncodeToString(sum[:4])
}

// authorize checks the bearer token against every configured token in
// constant time and returns the token's id.
func (h *handlers) authorize(c echo.Context) (string, error) {
	if len(h.tokens) == 0 || h.store == nil {
		return "", problem(http.StatusForbidden, typeForbidden, "writes are disabled: the server has no tokens configured (INDMAP_TOKENS or --tokens-file)")
	}
	client := c.RealIP()
	if wait := h.authFailures.wait(client, time.Now(), 1); wait > 0 {
		return "", tooMany(c, wait, "too many failed token attempts from %s; retry in %s", client, wait.Round(time.Second))
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
		h.authFailures.spend(client, time.Now(), 1)
		h.log.WarnContext(c.Request().Context(), "invalid token", "client", client)
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="indmap", error="invalid_token"`)
		return "", problem(http.StatusUnauthorized, typeUnauthorized, "the token is not valid")
	}
	id := tokenID(given)
	if wait, ok := h.writes.allow(id, time.Now()); !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return "", problem(http.StatusTooManyRequests, "/problems/rate-limited", "too many writes with this token; retry in %s", wait.Round(time.Second))
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

// refresh has the data watcher publish the data just written, and waits
// for it, so that the next request (tiles included) sees it.
func (h *handlers) refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := h.data.Refresh(ctx); err != nil {
		h.log.WarnContext(ctx, "refresh after a write failed", "err", err)
	}
}

type writeResult struct {
	Plan        string         `json:"plan"`
	Revision    store.Revision `json:"revision"`
	Forced      bool           `json:"forced"`
	Message     string         `json:"message"`
	Report      plan.Report    `json:"report"`
	DataVersion int64          `json:"data_version"`
}

// writablePlan authorizes a write and finds its plan.
func (h *handlers) writablePlan(c echo.Context) (string, *plan.Plan, error) {
	author, err := h.authorize(c)
	if err != nil {
		return "", nil, err
	}
	p, err := h.plan(c)
	return author, p, err
}

// putAssignments serves PUT /api/v1/plans/{id}/assignments.
func (h *handlers) putAssignments(c echo.Context) error {
	author, p, err := h.writablePlan(c)
	if err != nil {
		return err
	}
	force := false
	if s := c.QueryParam("force"); s != "" {
		if force, err = strconv.ParseBool(s); err != nil {
			return badParam("force", "want true or false, got %q", s)
		}
	}
	parsed, err := h.parseBody(c, h.maxBody)
	if err != nil {
		return err
	}
	snap := snapshotOf(c)
	report, err := snap.Validate(p, parsed, "")
	if err != nil {
		return problem(http.StatusBadRequest, typeBadBody, "body: %v", err)
	}
	if !report.Valid && !force {
		pr := problem(http.StatusUnprocessableEntity, typeInvalidPlan,
			"the plan breaks %d rules (errors); nothing was stored; fix them or send ?force=true", report.Errors)
		pr.Report = &report
		return pr
	}
	as, cs := p.Normalize(parsed)
	rev, err := h.store.WriteAssignments(c.Request().Context(), p.ID, as, cs, store.WriteMeta{
		Author: author, Errors: report.Errors, Warnings: report.Warnings, Forced: force && !report.Valid, Keep: h.keepRevisions})
	if err != nil {
		return err
	}
	h.log.InfoContext(c.Request().Context(), "plan written", "token", author, "plan", p.ID, "revision", rev.N,
		"assignments", len(as), "clusters", len(cs), "errors", report.Errors, "warnings", report.Warnings, "forced", rev.Forced)
	h.refresh(c.Request().Context())
	msg := "stored"
	if rev.Forced {
		msg = "stored despite errors (force=true)"
	}
	v, _ := h.store.DataVersion(c.Request().Context())
	return c.JSON(http.StatusOK, writeResult{Plan: p.ID, Revision: rev, Forced: rev.Forced, Message: msg, Report: report, DataVersion: v})
}

// revisions serves GET /api/v1/plans/{id}/revisions.
func (h *handlers) revisions(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	if h.store == nil {
		return c.JSON(http.StatusOK, map[string]any{"plan": p.ID, "revisions": []store.Revision{}})
	}
	rs, err := h.store.Revisions(c.Request().Context(), p.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": p.ID, "revisions": rs})
}

// restore serves POST /api/v1/plans/{id}/revisions/{n}/restore: the
// revision's content is written again, as a new revision.
func (h *handlers) restore(c echo.Context) error {
	author, p, err := h.writablePlan(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return badParam("n", "want a revision number, got %q", c.Param("n"))
	}
	ctx := c.Request().Context()
	as, cs, err := h.store.RevisionContent(ctx, p.ID, n)
	if errors.Is(err, store.ErrNoRevision) {
		return notFound("%v", err)
	}
	if err != nil {
		return err
	}
	report, err := snapshotOf(c).Validate(p, plan.Parsed{Kind: p.Kind, Assignments: as, Clusters: cs}, "")
	if err != nil {
		return err
	}
	rev, err := h.store.WriteAssignments(ctx, p.ID, as, cs, store.WriteMeta{Author: author, Errors: report.Errors,
		Warnings: report.Warnings, Forced: !report.Valid, RestoredFrom: &n, Keep: h.keepRevisions})
	if err != nil {
		return err
	}
	h.log.InfoContext(ctx, "plan restored", "token", author, "plan", p.ID, "from", n, "revision", rev.N)
	h.refresh(ctx)
	v, _ := h.store.DataVersion(ctx)
	return c.JSON(http.StatusOK, writeResult{Plan: p.ID, Revision: rev, Forced: rev.Forced,
		Message: "restored revision " + strconv.Itoa(n), Report: report, DataVersion: v})
}
