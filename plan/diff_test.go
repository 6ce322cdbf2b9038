package plan

import (
	"fmt"
	"strings"
	"testing"
)

// summary writes a diff as "unit:+role:industry -role:industry ~industry:from>to" per unit.
func summary(d Diff) string {
	var out []string
	for _, u := range d.Units {
		s := u.Unit + ":"
		for _, a := range u.Added {
			s += fmt.Sprintf(" +%s%s:%s", a.Role, a.Level, a.Industry+a.Cluster)
		}
		for _, r := range u.Removed {
			s += fmt.Sprintf(" -%s%s:%s", r.Role, r.Level, r.Industry+r.Cluster)
		}
		for _, c := range u.Changed {
			s += fmt.Sprintf(" ~%s:%s>%s", c.Industry+c.Cluster, c.From, c.To)
		}
		out = append(out, s)
	}
	return strings.Join(out, " | ")
}

func TestDiffPicks(t *testing.T) {
	tests := []struct {
		name, from, to, want    string
		added, removed, changed int
	}{
		{"same", "a:main:I1 b:special:I2", "b:special:I2 a:main:I1", "", 0, 0, 0},
		{"same by name and code, repeated", "a:main:I1", "a:main:一 a:main:I1", "", 0, 0, 0},
		{"added", "a:main:I1", "a:main:I1 a:main:I2 b:special:I3", "a: +main:I2 | b: +special:I3", 2, 0, 0},
		{"removed", "a:main:I1 a:special:I2", "a:main:I1", "a: -special:I2", 0, 1, 0},
		{"role changed", "a:main:I1 a:special:I2", "a:special:I1 a:special:I2", "a: ~I1:main>special", 0, 0, 1},
		{"both roles", "a:main:I1", "a:main:I1 a:special:I1", "a: ~I1:main>main+special", 0, 0, 1},
		{"unknown industry kept as written", "", "x:main:I9", "x: +main:I9", 1, 0, 0},
		{"catalogue order", "", "a:main:I3 a:main:I1 a:special:I2", "a: +main:I1 +special:I2 +main:I3", 3, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, units := picksFixture()
			names := map[string]string{}
			for _, u := range units {
				names[u.Code] = u.Name
			}
			d := p.DiffContents(Contents{Assignments: picks(tc.from)}, Contents{Assignments: picks(tc.to)}, func(c string) string { return names[c] })
			if got := summary(d); got != tc.want || d.Added != tc.added || d.Removed != tc.removed || d.Changed != tc.changed {
				t.Errorf("diff %q (+%d -%d ~%d), want %q (+%d -%d ~%d)", got, d.Added, d.Removed, d.Changed, tc.want, tc.added, tc.removed, tc.changed)
			}
			for _, u := range d.Units {
				if u.UnitName != names[u.Unit] {
					t.Errorf("unit %s named %q", u.Unit, u.UnitName)
				}
			}
			if want := len(p.holdingsOf(Contents{Assignments: picks(tc.to)})); tc.to != "" && len(d.After) != want {
				t.Errorf("after has %d units, want %d", len(d.After), want)
			}
		})
	}
	// After names what the draft holds.
	p, _ := picksFixture()
	d := p.DiffContents(Contents{}, Contents{Assignments: picks("a:main:二")}, func(string) string { return "" })
	if a := d.After["a"]; len(a) != 1 || a[0].Industry != "I2" || a[0].IndustryName != "二" || a[0].Role != Main {
		t.Errorf("after %+v", d.After)
	}
}

func TestDiffClusters(t *testing.T) {
	p, _, _ := clustersFixture()
	c := func(name, level string, hosts ...string) Cluster {
		return Cluster{Name: name, Industry: "机械", Level: Level(level), Hosts: hosts}
	}
	d := p.DiffContents(Contents{Clusters: []Cluster{c("A", "provincial", "1", "2"), c("B", "national", "3")}},
		Contents{Clusters: []Cluster{c("A", "national", "1"), c("C", "provincial", "3")}}, func(string) string { return "" })
	// Per unit, added before removed; an item is its sector and name.
	want := "1: ~机械A:provincial>national | 2: -provincial:机械A | 3: +provincial:机械C -national:机械B"
	if got := summary(d); got != want {
		t.Errorf("clusters diff %q, want %q", got, want)
	}
}
