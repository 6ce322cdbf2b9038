package store_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/store"
)

func loadSeeded(t *testing.T) *store.Snapshot {
	t.Helper()
	snap, err := testdb.Seeded(t, "chongqing-districts", "shandong-cities").Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestDefaultChongqingPlanValidation(t *testing.T) {
	snap := loadSeeded(t)
	r, ok := snap.Report(plan.ChongqingID)
	if !ok {
		t.Fatal("no report")
	}
	if !r.Valid || r.Errors != 0 {
		t.Errorf("default plan has errors: %+v", r)
	}
	retired := map[string]bool{}
	for _, v := range r.Violations {
		switch v.Rule {
		case plan.RuleUnitUnassigned:
		case plan.RuleRetiredUnit:
			retired[v.Units[0]] = true
		default:
			t.Errorf("unexpected violation %s: %s", v.Rule, v.Message)
		}
	}
	if len(retired) != 2 || !retired["500105"] || !retired["500112"] {
		t.Errorf("retired units %v, want 江北区 and 渝北区", retired)
	}
	if got := strings.Join(snap.UnitViolations(plan.ChongqingID, "500105"), ","); got != "retired-unit,unit-unassigned" {
		t.Errorf("江北区 violations %q", got)
	}
	if got := snap.UnitViolations(plan.ChongqingID, "500120"); len(got) != 0 {
		t.Errorf("璧山区 violations %v", got)
	}
}

// withExtra validates the stored plan's assignments plus extra picks.
func withExtra(t *testing.T, snap *store.Snapshot, extra ...plan.Assignment) plan.Report {
	t.Helper()
	p, _ := snap.Plan(plan.ChongqingID)
	f := plan.Parsed{Kind: plan.DistrictPicks, Assignments: append(append([]plan.Assignment(nil), p.Assignments...), extra...)}
	r, err := snap.Validate(p, f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func hasRule(r plan.Report, rule, unit string) bool {
	for _, v := range r.Violations {
		if v.Rule == rule && len(v.Units) > 0 && v.Units[0] == unit {
			return true
		}
	}
	return false
}

func TestMainLimitsOnRealPlan(t *testing.T) {
	snap := loadSeeded(t)
	// 璧山区 reports 2 mains; a third breaks the limit of 2.
	r := withExtra(t, snap, plan.Assignment{Unit: "500120", Role: plan.Main, Industry: "CQ-ADM"})
	if r.Valid || !hasRule(r, plan.RuleMainLimit, "500120") {
		t.Errorf("3 mains in 璧山区: %+v", r)
	}
	// 两江新区 reports 3 mains, within its limit of 3; a fourth breaks it.
	if r := withExtra(t, snap); !r.Valid || hasRule(r, plan.RuleMainLimit, "cq-liangjiang") {
		t.Errorf("3 mains in 两江新区 rejected: %+v", r)
	}
	r = withExtra(t, snap, plan.Assignment{Unit: "cq-liangjiang", Role: plan.Main, Industry: "CQ-ADM"})
	if r.Valid || !hasRule(r, plan.RuleMainLimit, "cq-liangjiang") {
		t.Errorf("4 mains in 两江新区: %+v", r)
	}
}

func TestDefaultShandongPlanValidation(t *testing.T) {
	snap := loadSeeded(t)
	r, _ := snap.Report(plan.ShandongID)
	var joint []string
	var national *plan.Violation
	for i, v := range r.Violations {
		switch v.Rule {
		case plan.RuleJointNotAdjacent:
			joint = append(joint, v.Cluster)
			if v.Cluster == "济青枣潍工业母机集群" && len(v.Parts) != 3 {
				t.Errorf("济青枣潍 parts %v, want 济南 | 青岛+潍坊 | 枣庄", v.Parts)
			}
		case plan.RuleLevelTarget:
			if v.Level == plan.National {
				national = &r.Violations[i]
			}
		}
	}
	sort.Strings(joint)
	if strings.Join(joint, ",") != "济青枣潍工业母机集群" {
		t.Errorf("joint-not-adjacent for %v, want only 济青枣潍工业母机集群 (青烟威 is connected)", joint)
	}
	if national == nil || *national.Actual != 4 || *national.Limit != 8 {
		t.Errorf("national level target: %+v", national)
	}
	if !r.Valid {
		t.Errorf("default Shandong plan has errors: %+v", r)
	}
}
