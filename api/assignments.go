package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
	"github.com/labstack/echo/v4"
)

// planState is a plan's content at one revision.
type planState struct {
	plan     *plan.Plan // the stored plan with the revision's content
	revision int
	at       time.Time // when the revision was written (zero: unknown)
}

// revisionState is p as revision n stored it (n = 0: its newest).
// Without a store only the snapshot's content is known.
func (h *handlers) revisionState(c echo.Context, p *plan.Plan, n int) (planState, error) {
	snap := snapshotOf(c)
	if h.store == nil {
		if n != 0 && n != snap.Revision(p.ID) {
			return planState{}, notFound("plan %s: revision %d: %v", p.ID, n, store.ErrNoRevision)
		}
		return planState{plan: p, revision: snap.Revision(p.ID)}, nil
	}
	at, rev, err := readmodel.PlanAt(c.Request().Context(), h.store, snap, p.ID, n)
	if errors.Is(err, store.ErrNoRevision) {
		return planState{}, notFound("%v", err)
	}
	if err != nil {
		return planState{}, err
	}
	return planState{plan: at, revision: rev.N, at: rev.CreatedAt}, nil
}

// assignments serves GET /api/v1/plans/{id}/assignments: the plan's
// assignments (or clusters) at its newest revision, or at ?revision=N,
// as JSON (a plan file PUT takes back), CSV in the contract's columns
// (cells safe for spreadsheets), or an .xlsx workbook (the contract
// sheet and a units × industries matrix, labelled in the answer's
// language). The ETag names the revision and the representation; the
// revision's own tag (revision.etag in JSON) is what If-Match takes.
func (h *handlers) assignments(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	format, err := oneOf(c, "format", "", "json", "csv", "xlsx")
	if err != nil {
		return err
	}
	if format == "" {
		c.Response().Header().Add(echo.HeaderVary, "Accept")
		accept := c.Request().Header.Get("Accept")
		switch {
		case strings.Contains(accept, plan.XLSXType):
			format = "xlsx"
		case strings.Contains(accept, "text/csv"):
			format = "csv"
		default:
			format = "json"
		}
	}
	n, err := intParam(c, "revision", 0, 1, 1<<30)
	if err != nil {
		return err
	}
	snap := snapshotOf(c)
	rev := n
	if rev == 0 {
		rev = snap.Revision(p.ID)
	}
	// An older revision is read from the store inside the build, so that
	// it is read once and under the builds' bound, however many ask.
	var st planState
	withState := func(write func(io.Writer) error) func(io.Writer) error {
		return func(w io.Writer) error {
			var err error
			if st, err = h.revisionState(c, p, n); err != nil {
				return err
			}
			return write(w)
		}
	}
	units := snap.PlanUnits(p)
	name := unitNamer(snap)
	hdr := c.Response().Header()
	// The files name units and industries: the tag names the boundaries
	// (unit names) and the plan's definition and content they were made
	// with, so a re-import that renames a unit is a new representation.
	tag := strings.TrimSuffix(store.RevisionETag(rev), `"`) + "-" + snap.PlanGeometryTag(p.ID) + "-" + snap.PlanTag(p.ID)
	var (
		etag, ctype, file string
		build             func(io.Writer) error
	)
	switch format {
	case "csv":
		etag, ctype, file = tag+`-csv"`, "text/csv; charset=utf-8", fmt.Sprintf("%s-r%d.csv", p.ID, rev)
		build = withState(func(w io.Writer) error { return plan.WriteCSV(w, st.plan.ContractRows(name)) })
	case "xlsx":
		lang, err := answerLang(c)
		if err != nil {
			return err
		}
		etag, ctype, file = tag+"-xlsx-"+string(lang)+`"`, plan.XLSXType, fmt.Sprintf("%s-r%d.xlsx", p.ID, rev)
		build = withState(func(w io.Writer) error { return plan.WriteWorkbook(w, st.plan, units, lang, st.at) })
	default:
		etag, ctype = tag+`-json"`, echo.MIMEApplicationJSON
		build = withState(func(w io.Writer) error { return jsonEncode(w, assignmentsJSON(st, name)) })
	}
	if !noneMatch(c.Request().Header.Get("If-None-Match"), etag) {
		hdr.Set("ETag", etag)
		return c.NoContent(http.StatusNotModified)
	}
	body, err := h.exports.get(c.Request().Context(), p.ID+"|"+etag, build)
	if errors.Is(err, errExportsBusy) {
		hdr.Set("Retry-After", "5")
	}
	if err != nil {
		return err
	}
	hdr.Set("ETag", etag)
	if file != "" {
		hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, file))
	}
	return c.Blob(http.StatusOK, ctype, body)
}

// assignmentsJSON is a plan's content as a JSON plan file, with the
// plan, revision and the revision's ETag.
func assignmentsJSON(st planState, name func(string) string) map[string]any {
	out := st.plan.FileJSON(name)
	out["revision"], out["etag"] = st.revision, store.RevisionETag(st.revision)
	return out
}

// diffFile serves POST /api/v1/plans/{id}/diff: a plan file (CSV, JSON or
// .xlsx) against the stored plan, storing nothing: per unit what the
// file adds, removes and holds in another role, what every unit holds in
// the file (a draft to draw), and the file's validation report.
func (h *handlers) diffFile(c echo.Context) error {
	release, err := h.admit(c)
	if err != nil {
		return err
	}
	defer release()
	cf, err := h.checkFile(c)
	if err != nil {
		return err
	}
	p, f, snap := cf.plan, cf.file, snapshotOf(c)
	d := p.DiffContents(plan.Contents{Assignments: p.Assignments, Clusters: p.Clusters},
		plan.Contents{Assignments: f.Assignments, Clusters: f.Clusters}, unitNamer(snap))
	d.FromRevision = snap.Revision(p.ID)
	d.From, d.To = readmodel.StoredSubject(d.FromRevision), f.Name
	return c.JSON(http.StatusOK, struct {
		plan.Diff
		Report plan.Report `json:"report"`
	}{d, cf.report})
}

// revisionDiff serves GET /api/v1/plans/{id}/revisions/{n}/diff: what
// revision n changed against the revision before it that is still kept
// (nothing before the first), or against ?against=M.
func (h *handlers) revisionDiff(c echo.Context) error {
	p, err := h.plan(c)
	if err != nil {
		return err
	}
	n, err := revisionParam(c)
	if err != nil {
		return err
	}
	against, err := intParam(c, "against", 0, 1, 1<<30)
	if err != nil {
		return err
	}
	to, err := h.revisionState(c, p, n)
	if err != nil {
		return err
	}
	if against == 0 && h.store != nil {
		rs, err := h.store.Revisions(c.Request().Context(), p.ID)
		if err != nil {
			return err
		}
		for _, r := range rs { // newest first
			if r.N < n {
				against = r.N
				break
			}
		}
	}
	var from plan.Contents
	fromLabel := "nothing"
	if against > 0 {
		st, err := h.revisionState(c, p, against)
		if err != nil {
			return err
		}
		from = plan.Contents{Assignments: st.plan.Assignments, Clusters: st.plan.Clusters}
		fromLabel = readmodel.StoredSubject(against)
	}
	d := p.DiffContents(from, plan.Contents{Assignments: to.plan.Assignments, Clusters: to.plan.Clusters}, unitNamer(snapshotOf(c)))
	d.From, d.FromRevision, d.To, d.ToRevision = fromLabel, against, readmodel.StoredSubject(n), n
	return c.JSON(http.StatusOK, d)
}

// revisionParam reads the path's revision number.
func revisionParam(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return 0, badParam("n", "want a revision number, got %q", c.Param("n"))
	}
	return n, nil
}

// unitNamer names unit codes from a snapshot ("" when unknown).
func unitNamer(snap *readmodel.Snapshot) func(string) string {
	return func(code string) string {
		u, _ := snap.Unit(code)
		return u.Name
	}
}
