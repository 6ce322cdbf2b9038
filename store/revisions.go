package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/indmap/indmap/plan"
)

// A Revision is one accepted write of a plan's assignments or clusters.
type Revision struct {
	N int `json:"n"`
	// ETag is the revision's entity tag, for If-Match on the next write.
	ETag         string    `json:"etag"`
	CreatedAt    time.Time `json:"created_at"`
	Author       string    `json:"author"` // a token id or a command, never a token
	Assignments  int       `json:"assignments"`
	Clusters     int       `json:"clusters"`
	Errors       int       `json:"errors"`
	Warnings     int       `json:"warnings"`
	Forced       bool      `json:"forced"`
	RestoredFrom *int      `json:"restored_from,omitempty"`
	// DataVersion is the data version a write made (set by writes only):
	// a server acknowledges the write once it serves that version.
	DataVersion int64 `json:"-"`
}

// revisionContent is what a revision keeps, to restore it.
type revisionContent struct {
	Assignments []plan.Assignment `json:"assignments"`
	Clusters    []plan.Cluster    `json:"clusters"`
}

// ErrNoRevision is returned for a revision a plan does not have.
var ErrNoRevision = errors.New("no such revision")

// ErrConflict is returned (as a *ConflictError) by a write that expected
// another revision to be the plan's current one.
var ErrConflict = errors.New("the plan has moved on")

// A ConflictError says which revision is current when a write expected
// another: someone else wrote in between.
type ConflictError struct {
	Plan              string
	Expected, Current int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("plan %s: expected revision %d, but revision %d is current: %v", e.Plan, e.Expected, e.Current, ErrConflict)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// RevisionETag is the entity tag of a plan's revision n: strong, the
// same for every representation's If-Match.
func RevisionETag(n int) string { return `"r` + strconv.Itoa(n) + `"` }

// ParseRevisionETag reads the revision of an entity tag made by
// RevisionETag, or of a representation's tag of it ("r7-csv"); weak tags
// never match (If-Match compares strongly).
func ParseRevisionETag(tag string) (int, bool) {
	tag = strings.TrimSpace(tag)
	if len(tag) < 4 || tag[0] != '"' || tag[len(tag)-1] != '"' || tag[1] != 'r' {
		return 0, false
	}
	digits, _, _ := strings.Cut(tag[2:len(tag)-1], "-")
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || strconv.Itoa(n) != digits {
		return 0, false
	}
	return n, true
}

// WriteMeta describes a write for its revision.
type WriteMeta struct {
	Author       string
	Errors       int
	Warnings     int
	Forced       bool
	RestoredFrom *int
	// Expect, when set, is the revision the writer saw as current: the
	// write fails with a *ConflictError, inside its transaction, when
	// another is current (If-Match).
	Expect *int
	// Keep is how many revisions the plan keeps, this one included; older
	// ones are deleted in the same transaction (0: keep all).
	Keep int
}

// addRevision records the plan's new content in the same transaction as
// the write.
func addRevision(ctx context.Context, tx *txn, planID string, as []plan.Assignment, cs []plan.Cluster, m WriteMeta) (Revision, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(n), 0) + 1 FROM revisions WHERE plan_id = ?`, planID).Scan(&n); err != nil {
		return Revision{}, err
	}
	content, err := json.Marshal(revisionContent{Assignments: as, Clusters: cs})
	if err != nil {
		return Revision{}, err
	}
	r := Revision{N: n, ETag: RevisionETag(n), CreatedAt: time.Now().UTC().Truncate(time.Second), Author: m.Author, Assignments: len(as),
		Clusters: len(cs), Errors: m.Errors, Warnings: m.Warnings, Forced: m.Forced, RestoredFrom: m.RestoredFrom}
	_, err = tx.ExecContext(ctx, `INSERT INTO revisions (plan_id, n, created_at, author, assignments, clusters, errors,
		warnings, forced, restored_from, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		planID, r.N, r.CreatedAt.Format(time.RFC3339), r.Author, r.Assignments, r.Clusters, r.Errors, r.Warnings,
		r.Forced, r.RestoredFrom, string(content))
	if err == nil && m.Keep > 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM revisions WHERE plan_id = ? AND n <= ?`, planID, n-m.Keep)
	}
	return r, err
}

// WriteAssignments replaces a plan's assignments and clusters atomically
// and records the write as a revision.
func (s *Store) WriteAssignments(ctx context.Context, planID string, as []plan.Assignment, cs []plan.Cluster, m WriteMeta) (Revision, error) {
	var r Revision
	err := s.write(ctx, changeData, func(tx *txn) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plans WHERE id = ?`, planID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("no plan %q", planID)
		}
		if m.Expect != nil {
			cur, err := currentRevision(ctx, tx, planID)
			if err != nil {
				return err
			}
			if cur != *m.Expect {
				return &ConflictError{Plan: planID, Expected: *m.Expect, Current: cur}
			}
		}
		if err := replaceAssignments(ctx, tx, planID, as, cs); err != nil {
			return err
		}
		var err error
		if r, err = addRevision(ctx, tx, planID, as, cs, m); err != nil {
			return err
		}
		// write moves the data version on by one after fn, in this
		// transaction.
		v, err := metaInt(ctx, tx, "data_version")
		r.DataVersion = v + 1
		return err
	})
	return r, err
}

// Revisions lists a plan's revisions, newest first.
func (s *Store) Revisions(ctx context.Context, planID string) ([]Revision, error) {
	if err := s.checkFile(); err != nil {
		return nil, err
	}
	ctx, cancel := s.bounded(ctx, s.timeout)
	defer cancel()
	out := []Revision{}
	err := each(ctx, s.reader, `SELECT n, created_at, author, assignments, clusters, errors, warnings, forced, restored_from
		FROM revisions WHERE plan_id = ? ORDER BY n DESC`, func(rows *sql.Rows) error {
		var r Revision
		var at string
		var from sql.NullInt64
		if err := rows.Scan(&r.N, &at, &r.Author, &r.Assignments, &r.Clusters, &r.Errors, &r.Warnings, &r.Forced, &from); err != nil {
			return err
		}
		r.CreatedAt, _ = time.Parse(time.RFC3339, at)
		r.ETag = RevisionETag(r.N)
		if from.Valid {
			n := int(from.Int64)
			r.RestoredFrom = &n
		}
		out = append(out, r)
		return nil
	}, planID)
	return out, s.unavailable(err)
}

// currentRevision is a plan's newest revision (0: none).
func currentRevision(ctx context.Context, q querier, planID string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(n), 0) FROM revisions WHERE plan_id = ?`, planID).Scan(&n)
	return n, err
}

// readRevisionHeads gives every plan's newest revision.
func readRevisionHeads(ctx context.Context, q querier) (map[string]int, error) {
	heads := map[string]int{}
	err := each(ctx, q, `SELECT plan_id, max(n) FROM revisions GROUP BY plan_id`, func(rows *sql.Rows) error {
		var id string
		var n int
		err := rows.Scan(&id, &n)
		heads[id] = n
		return err
	})
	return heads, err
}

// LatestRevision describes a plan's newest revision.
func (s *Store) LatestRevision(ctx context.Context, planID string) (Revision, error) {
	rs, err := s.Revisions(ctx, planID)
	if err != nil {
		return Revision{}, err
	}
	if len(rs) == 0 {
		return Revision{}, fmt.Errorf("plan %s: %w", planID, ErrNoRevision)
	}
	return rs[0], nil
}

// RevisionContent returns what revision n of a plan stored.
func (s *Store) RevisionContent(ctx context.Context, planID string, n int) ([]plan.Assignment, []plan.Cluster, error) {
	if err := s.checkFile(); err != nil {
		return nil, nil, err
	}
	ctx, cancel := s.bounded(ctx, s.timeout)
	defer cancel()
	var content string
	err := s.reader.QueryRowContext(ctx, `SELECT content FROM revisions WHERE plan_id = ? AND n = ?`, planID, n).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("plan %s: revision %d: %w", planID, n, ErrNoRevision)
	}
	if err != nil {
		return nil, nil, s.unavailable(err)
	}
	var c revisionContent
	if err := json.Unmarshal([]byte(content), &c); err != nil {
		return nil, nil, fmt.Errorf("plan %s: revision %d: %w", planID, n, err)
	}
	return c.Assignments, c.Clusters, nil
}

// CurrentRevision is a plan's newest revision (0: none).
func (s *Store) CurrentRevision(ctx context.Context, planID string) (int, error) {
	ctx, cancel := s.bounded(ctx, s.timeout)
	defer cancel()
	n, err := currentRevision(ctx, s.reader, planID)
	return n, s.unavailable(err)
}
