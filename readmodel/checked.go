package readmodel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
)

// ErrInvalid is returned (as an *InvalidError) by a write of a plan with
// errors that was not forced.
var ErrInvalid = errors.New("the plan breaks its rules")

// An InvalidError carries the report of a refused write.
type InvalidError struct{ Report plan.Report }

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%s breaks %d rules (errors); nothing was stored: %v", e.Report.Subject, e.Report.Errors, ErrInvalid)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// A Checked is a write that passed the rules (or was forced): what was
// stored and the report of what was stored.
type Checked struct {
	Revision store.Revision
	Report   plan.Report
}

// A Writer stores plans' assignments (a store).
type Writer interface {
	CurrentRevision(ctx context.Context, planID string) (int, error)
	WriteAssignments(ctx context.Context, planID string, as []plan.Assignment, cs []plan.Cluster, m store.WriteMeta) (store.Revision, error)
}

// WriteChecked validates a parsed plan file against p's units and rules
// in snap and stores it through w as p's assignments (or clusters),
// unless it breaks a rule with severity error and force is false: then
// it stores nothing and returns an *InvalidError with the report. Every
// writer (the API's PUT, indmap import plan) goes through here, so the
// same file gets the same verdict everywhere. subject names the file in
// the report.
func WriteChecked(ctx context.Context, w Writer, snap *Snapshot, p *plan.Plan, parsed plan.Parsed, subject string, force bool, m store.WriteMeta) (Checked, error) {
	if m.Expect != nil {
		// A precondition comes before the work (RFC 9110 §13.2.1): a
		// stale writer hears so before its file's errors. The check that
		// counts is the one inside the write's transaction.
		cur, err := w.CurrentRevision(ctx, p.ID)
		if err != nil {
			return Checked{}, err
		}
		if cur != *m.Expect {
			return Checked{}, &store.ConflictError{Plan: p.ID, Expected: *m.Expect, Current: cur}
		}
	}
	report, err := snap.Validate(p, parsed, "")
	if err != nil {
		return Checked{}, err
	}
	report.Subject = subject
	if !report.Valid && !force {
		return Checked{Report: report}, &InvalidError{Report: report}
	}
	as, cs := p.Normalize(parsed)
	m.Errors, m.Warnings, m.Forced = report.Errors, report.Warnings, !report.Valid
	rev, err := w.WriteAssignments(ctx, p.ID, as, cs, m)
	return Checked{Revision: rev, Report: report}, err
}

// ImportOptions say how ImportPlanFile reads and writes a file.
type ImportOptions struct {
	Limits plan.Limits
	// Force stores a plan with errors.
	Force bool
	Meta  store.WriteMeta
}

// ImportPlanFile reads a planner's plan file (CSV, JSON or .xlsx) for a
// stored plan and writes it through WriteChecked, atomically: on any
// error nothing is stored. The author defaults to "import NAME".
func ImportPlanFile(ctx context.Context, st *store.Store, planID string, r io.Reader, name string, opt ImportOptions) (Checked, error) {
	snap, err := Load(ctx, st)
	if err != nil {
		return Checked{}, err
	}
	p, err := snap.LookupPlan(planID)
	if err != nil {
		return Checked{}, fmt.Errorf("%s: %w", name, err)
	}
	parsed, err := plan.ParseFileLimits(r, name, opt.Limits)
	if err != nil {
		return Checked{}, err
	}
	if opt.Meta.Author == "" {
		opt.Meta.Author = "import " + name
	}
	res, err := WriteChecked(ctx, st, snap, p, parsed, name, opt.Force, opt.Meta)
	if err != nil && !errors.Is(err, ErrInvalid) {
		err = fmt.Errorf("%s: %w", name, err)
	}
	return res, err
}

// Load reads a snapshot of src at once (commands that run once; a
// server has Live).
func Load(ctx context.Context, src Source) (*Snapshot, error) {
	d, err := src.Load(ctx, 0)
	if err != nil {
		return nil, err
	}
	return Build(d, nil)
}

// A RevisionReader reads plans' revisions (a store).
type RevisionReader interface {
	Revisions(ctx context.Context, planID string) ([]store.Revision, error)
	RevisionContent(ctx context.Context, planID string, n int) ([]plan.Assignment, []plan.Cluster, error)
}

// PlanAt is snap's plan as its revision n stored it (n = 0: its newest
// revision, the snapshot's content), with that revision.
func PlanAt(ctx context.Context, rr RevisionReader, snap *Snapshot, planID string, n int) (*plan.Plan, store.Revision, error) {
	p, err := snap.LookupPlan(planID)
	if err != nil {
		return nil, store.Revision{}, err
	}
	if n == 0 {
		n = snap.Revision(planID)
	}
	rs, err := rr.Revisions(ctx, planID)
	if err != nil {
		return nil, store.Revision{}, err
	}
	i := slices.IndexFunc(rs, func(r store.Revision) bool { return r.N == n })
	if i < 0 {
		return nil, store.Revision{}, fmt.Errorf("plan %s: revision %d: %w", planID, n, store.ErrNoRevision)
	}
	if n == snap.Revision(planID) {
		return p, rs[i], nil
	}
	as, cs, err := rr.RevisionContent(ctx, planID, n)
	if err != nil {
		return nil, store.Revision{}, err
	}
	old := *p
	old.Assignments, old.Clusters = as, cs
	old.IndexHoldings()
	return &old, rs[i], nil
}
