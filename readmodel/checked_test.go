package readmodel_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/indmap/indmap/store"
)

const picksHead = "unit_code,unit_name,role,industry,detail,source\n"

// TestWriteCheckedVerdicts: a file with errors is refused with its
// report and stores nothing, unless forced; warnings never stop a write.
func TestWriteCheckedVerdicts(t *testing.T) {
	ctx := context.Background()
	st := testdb.Seeded(t, "chongqing-districts")
	tests := []struct {
		name, file string
		force      bool
		stored     bool
		rule       string // the first violation's
	}{
		{"valid", picksHead + "500120,璧山区,main,CQ-ICV,,\n", false, true, plan.RuleUnitUnassigned},
		{"unknown industry refused", picksHead + "500120,璧山区,main,造船,,\n", false, false, plan.RuleUnknownIndustry},
		{"unknown industry forced", picksHead + "500120,璧山区,main,造船,,\n", true, true, plan.RuleUnknownIndustry},
		{"3 mains refused", picksHead + "500120,璧山区,main,CQ-ICV,,\n500120,璧山区,main,CQ-EIM,,\n500120,璧山区,main,CQ-ADM,,\n", false, false, plan.RuleMainLimit},
		{"unknown unit forced", picksHead + "599999,x,main,CQ-ICV,,\n", true, true, plan.RuleUnknownUnit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v0, _ := st.DataVersion(ctx)
			res, err := readmodel.ImportPlanFile(ctx, st, plan.ChongqingID, strings.NewReader(tc.file), "f.csv", readmodel.ImportOptions{Force: tc.force})
			v1, _ := st.DataVersion(ctx)
			if stored := err == nil; stored != tc.stored || (v1 != v0) != tc.stored {
				t.Fatalf("stored %v (version %d→%d), want %v: %v", stored, v0, v1, tc.stored, err)
			}
			if !tc.stored && !errors.Is(err, readmodel.ErrInvalid) {
				t.Errorf("refusal %v is not ErrInvalid", err)
			}
			if res.Report.Subject != "f.csv" || len(res.Report.Violations) == 0 || res.Report.Violations[0].Rule != tc.rule {
				t.Errorf("report %+v", res.Report)
			}
			if tc.stored && res.Revision.Forced != !res.Report.Valid {
				t.Errorf("revision %+v for a report valid=%v", res.Revision, res.Report.Valid)
			}
		})
	}
}

// TestIfMatchInsideTheWrite: a write expecting the current revision
// stores; one expecting an older one fails with the current revision and
// stores nothing.
func TestIfMatchInsideTheWrite(t *testing.T) {
	ctx := context.Background()
	st := testdb.Seeded(t, "chongqing-districts")
	snap, _ := readmodel.Load(ctx, st)
	cur := snap.Revision(plan.ChongqingID)
	if cur == 0 {
		t.Fatal("no revision in the snapshot")
	}
	if r, _ := snap.Report(plan.ChongqingID); r.Subject != readmodel.StoredSubject(cur) || r.Revision != cur {
		t.Errorf("stored report labelled %q %d", r.Subject, r.Revision)
	}
	as := []plan.Assignment{{Unit: "500120", Role: plan.Main, Industry: "CQ-ICV"}}
	rev, err := st.WriteAssignments(ctx, plan.ChongqingID, as, nil, store.WriteMeta{Author: "a", Expect: &cur})
	if err != nil || rev.N != cur+1 || rev.ETag != store.RevisionETag(cur+1) {
		t.Fatalf("first write: %+v %v", rev, err)
	}
	v, _ := st.DataVersion(ctx)
	_, err = st.WriteAssignments(ctx, plan.ChongqingID, nil, nil, store.WriteMeta{Author: "b", Expect: &cur})
	var conflict *store.ConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, store.ErrConflict) || conflict.Current != cur+1 || conflict.Expected != cur {
		t.Fatalf("second write: %v", err)
	}
	if v2, _ := st.DataVersion(ctx); v2 != v {
		t.Errorf("a refused write moved the data version %d → %d", v, v2)
	}
	snap, _ = readmodel.Load(ctx, st)
	if p, _ := snap.Plan(plan.ChongqingID); len(p.Assignments) != 1 || snap.Revision(plan.ChongqingID) != cur+1 {
		t.Errorf("after the conflict: %d assignments, revision %d", len(p.Assignments), snap.Revision(plan.ChongqingID))
	}
}

func TestRevisionETags(t *testing.T) {
	for tag, want := range map[string]int{`"r7"`: 7, `"r7-csv"`: 7, `"r12-xlsx-zh"`: 12, ` "r0" `: 0} {
		if n, ok := store.ParseRevisionETag(tag); !ok || n != want {
			t.Errorf("%s: %d %v", tag, n, ok)
		}
	}
	for _, tag := range []string{`W/"r7"`, `r7`, `"7"`, `"r"`, `"r07"`, `"rx"`, `"r-1"`, `*`} {
		if n, ok := store.ParseRevisionETag(tag); ok {
			t.Errorf("%s: accepted as %d", tag, n)
		}
	}
	if store.RevisionETag(3) != `"r3"` {
		t.Error(store.RevisionETag(3))
	}
}
