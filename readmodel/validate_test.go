package readmodel_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/testdb"
	"github.com/indmap/indmap/plan"
	"github.com/indmap/indmap/readmodel"
	"github.com/paulmach/orb"
)

func loadSeeded(t *testing.T) *readmodel.Snapshot {
	t.Helper()
	snap, err := readmodel.Load(context.Background(), testdb.Seeded(t, "chongqing-districts", "shandong-cities"))
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestDefaultChongqingPlanValidation: the 2023 map is drawn on the
// divisions of 2023: 江北区 and 渝北区 are ordinary units, without picks
// like 27 others (12 of 41 units have published picks).
func TestDefaultChongqingPlanValidation(t *testing.T) {
	snap := loadSeeded(t)
	r, ok := snap.Report(plan.ChongqingID)
	if !ok {
		t.Fatal("no report")
	}
	if !r.Valid || r.Errors != 0 {
		t.Errorf("default plan has errors: %+v", r)
	}
	unassigned := map[string]bool{}
	for _, v := range r.Violations {
		if v.Rule != plan.RuleUnitUnassigned {
			t.Errorf("unexpected violation %s: %s", v.Rule, v.Message)
			continue
		}
		unassigned[v.Units[0]] = true
	}
	p, _ := snap.Plan(plan.ChongqingID)
	if n := len(snap.PlanUnits(p)); n != 41 || len(unassigned) != 29 || !unassigned["500105"] || !unassigned["500112"] {
		t.Errorf("%d units, %d unassigned (江北区 %v, 渝北区 %v)", n, len(unassigned), unassigned["500105"], unassigned["500112"])
	}
	if got := strings.Join(snap.UnitViolations(plan.ChongqingID, "500105"), ","); got != "unit-unassigned" {
		t.Errorf("江北区 violations %q", got)
	}
	if got := snap.UnitViolations(plan.ChongqingID, "500120"); len(got) != 0 {
		t.Errorf("璧山区 violations %v", got)
	}
}

// TestValidateAsOfAbolition: the default picks plus rows for 江北区 and
// 渝北区, checked against the divisions of 2026-02-01: retired-unit
// errors on exactly the lines naming them, naming 两江新区; neither is
// unassigned, and the new 两江新区 is a unit like the others.
func TestValidateAsOfAbolition(t *testing.T) {
	snap := loadSeeded(t)
	p, _ := snap.Plan(plan.ChongqingID)
	var b strings.Builder
	b.WriteString(strings.Join(plan.PicksHeader, ",") + "\n")
	for _, a := range p.Assignments {
		fmt.Fprintf(&b, "%s,,%s,%s,,%s\n", a.Unit, a.Role, a.Industry, a.Source)
	}
	fmt.Fprintf(&b, "500105,江北区,main,CQ-EIM,,x\n500112,渝北区,special,CQ-ICV,,x\n500112,渝北区,main,CQ-ADM,,x\n")
	lines := len(p.Assignments) + 2 // the first added row's line
	parsed, err := plan.ParseFile(strings.NewReader(b.String()), "f.csv", 0)
	if err != nil {
		t.Fatal(err)
	}
	own, _ := snap.Validate(p, parsed, "")
	if !own.Valid || hasRule(own, plan.RuleRetiredUnit, "500105") {
		t.Errorf("on the plan's own date: %+v", own)
	}
	r, _ := snap.Validate(p, parsed, "2026-02-01")
	want := map[string][]int{"500105": {lines}, "500112": {lines + 1, lines + 2}}
	got := map[string][]int{}
	for _, v := range r.Violations {
		switch {
		case v.Rule == plan.RuleRetiredUnit:
			got[v.Units[0]] = v.Lines
			if v.Severity != plan.Error || !strings.Contains(v.Message, "两江新区") || !strings.Contains(v.Message, "2026-01-25") {
				t.Errorf("retired-unit: %+v", v)
			}
		case v.Rule == plan.RuleUnitUnassigned && (v.Units[0] == "500105" || v.Units[0] == "500112"):
			t.Errorf("an abolished unit is unassigned: %+v", v)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || r.Valid {
		t.Errorf("retired-unit lines %v, want %v (valid %v)", got, want, r.Valid)
	}
	if !hasRule(r, plan.RuleUnitUnassigned, "500000-liangjiang") {
		t.Error("the new 两江新区 is not one of the plan's units on 2026-02-01")
	}
}

// TestDivisionsThroughTime: 江北区 ended on 2026-01-25, passing whole to
// the new 两江新区, which has a derived, approximate polygon; a point in
// 观音桥 lies in 江北区 in 2023 and in 两江新区 today.
func TestDivisionsThroughTime(t *testing.T) {
	snap := loadSeeded(t)
	jb, _ := snap.Unit("500105")
	if jb.ValidTo != "2026-01-25" || len(jb.Successors) != 1 || jb.Successors[0].Code != "500000-liangjiang" || jb.Successors[0].Share != plan.Whole {
		t.Errorf("江北区: valid to %q, successors %+v", jb.ValidTo, jb.Successors)
	}
	yb, _ := snap.Unit("500112")
	if len(yb.Successors) != 2 {
		t.Errorf("渝北区 successors %+v", yb.Successors)
	}
	lj, ok := snap.Unit("500000-liangjiang")
	if !ok || !lj.Approximate || lj.ValidFrom != "2026-01-25" || lj.Kind != plan.KindDistrict || len(lj.Predecessors) != 3 ||
		!strings.Contains(lj.Note, "approximate") || !strings.Contains(lj.Note, "provisional") {
		t.Fatalf("两江新区: %+v", lj)
	}
	// Its area is that of 江北区 and 渝北区 together (to 0.1 %).
	if sum := jb.AreaKm2 + yb.AreaKm2; math.Abs(lj.AreaKm2-sum)/sum > 0.001 {
		t.Errorf("两江新区 %.1f km², 江北区 + 渝北区 %.1f km²", lj.AreaKm2, sum)
	}
	guanyinqiao := orb.Point{106.529, 29.579}
	for date, want := range map[string]string{"2023-12-01": "500105", "2026-11-29": "500000-liangjiang"} {
		var codes []string
		for _, u := range snap.UnitsAt(guanyinqiao, date) {
			if u.Kind == plan.KindDistrict {
				codes = append(codes, u.Code)
			}
		}
		if strings.Join(codes, ",") != want {
			t.Errorf("观音桥 on %s: %v, want %s", date, codes, want)
		}
	}
}

// withExtra validates the stored plan's assignments plus extra picks.
func withExtra(t *testing.T, snap *readmodel.Snapshot, extra ...plan.Assignment) plan.Report {
	t.Helper()
	p, _ := snap.Plan(plan.ChongqingID)
	f := plan.Parsed{Kind: plan.DistrictPicks, Assignments: append(append([]plan.Assignment(nil), p.Assignments...), extra...)}
	r, err := snap.Validate(p, f, "")
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
	var national, provincial *plan.Violation
	for i, v := range r.Violations {
		switch v.Rule {
		case plan.RuleJointNotAdjacent:
			joint = append(joint, v.Cluster)
			if v.Cluster == "济青枣潍工业母机产业集群" && len(v.Parts) != 3 {
				t.Errorf("济青枣潍 parts %v, want 济南 | 青岛+潍坊 | 枣庄", v.Parts)
			}
		case plan.RuleLevelTarget:
			switch v.Level {
			case plan.National:
				national = &r.Violations[i]
			case plan.Provincial:
				provincial = &r.Violations[i]
			}
		}
	}
	sort.Strings(joint)
	if strings.Join(joint, ",") != "济青枣潍工业母机产业集群" {
		t.Errorf("joint-not-adjacent for %v, want only 济青枣潍工业母机产业集群 (青烟威 is connected)", joint)
	}
	if national == nil || *national.Actual != 4 || *national.Limit != 8 || provincial == nil || *provincial.Actual != 20 || *provincial.Limit != 30 {
		t.Errorf("level targets: national %+v, provincial %+v", national, provincial)
	}
	if !r.Valid {
		t.Errorf("default Shandong plan has errors: %+v", r)
	}
}

// TestDefaultHenanPlan: Henan's plan comes from its definition and data
// files alone. Its joint clusters whose hosts do not all border each
// other get joint-not-adjacent warnings; 兰考县, a county, hosts one;
// 洛阳's cluster was promoted, and no rule is an error.
func TestDefaultHenanPlan(t *testing.T) {
	snap, err := readmodel.Load(context.Background(), testdb.Seeded(t, "henan/henan-cities", "henan/henan-counties"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := snap.Plan(plan.HenanID)
	if n := len(snap.PlanUnits(p)); n != 18+157 {
		t.Errorf("henan plan has %d units, want 18 cities and 157 counties", n)
	}
	r, _ := snap.Report(plan.HenanID)
	if !r.Valid || r.Errors != 0 {
		t.Errorf("henan plan has errors: %+v", r)
	}
	var joint []string
	for _, v := range r.Violations {
		switch v.Rule {
		case plan.RuleJointNotAdjacent:
			joint = append(joint, fmt.Sprintf("%s %v", v.Cluster, v.Parts))
		default:
			t.Errorf("unexpected violation %s: %s", v.Rule, v.Message)
		}
	}
	// 超硬材料: 郑州, 焦作 and 许昌 border each other, 南阳 and 商丘 border
	// none of them; 新型耐火材料: 濮阳 lies 84 km from 郑州 and 洛阳. The
	// other joint clusters' hosts border each other (郑州–开封,
	// 许昌–平顶山).
	if strings.Join(joint, "; ") != "超硬材料产业集群 [[410100 410800 411000] [411300] [411400]]; 新型耐火材料产业集群 [[410100 410300] [410900]]" {
		t.Errorf("joint-not-adjacent: %v", joint)
	}
	lankao := false
	for _, c := range p.Clusters {
		for _, h := range c.Hosts {
			lankao = lankao || h == "410225" && snap.InPlan(p, h)
		}
	}
	if !lankao {
		t.Error("兰考县 (410225) is not a host in the plan")
	}
	if h := p.History("洛阳市现代农机装备制造业集群"); len(h) != 2 || h[1].Level != plan.National || h[1].Year != 2024 {
		t.Errorf("洛阳 history %+v", h)
	}
}
