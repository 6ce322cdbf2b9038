package geo

import (
	"strings"
	"testing"
)

func TestReadRivers(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []int // points per river
		levels   []int
		err      string
	}{
		{name: "two segments", in: "> River Bin # 1, Level 1\n106\t29\n106.1\t29.1\n> River Bin # 2, Level 3\n107 30\n107.5 30.5\n108 31\n",
			want: []int{2, 3}, levels: []int{1, 3}},
		{name: "a one-point piece and a repeated point are left out", in: "> Level 2\n106 29\n> Level 0\n1 1\n1 1\n2 2\n",
			want: []int{2}, levels: []int{0}},
		{name: "point before a header", in: "106 29\n", err: "line 1: a point before"},
		{name: "header without a level", in: "> River Bin # 1\n", err: "line 1: segment header"},
		{name: "level out of range", in: "> Level 9\n", err: "no level 0–4"},
		{name: "bad number", in: "> Level 1\n106 x\n", err: "line 2:"},
		{name: "latitude out of range", in: "> Level 1\n106 95\n", err: "line 2:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := ReadRivers(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != len(tc.want) {
				t.Fatalf("%d rivers, want %d: %v", len(rs), len(tc.want), rs)
			}
			for i, r := range rs {
				if len(r.Line) != tc.want[i] || r.Level != tc.levels[i] {
					t.Errorf("river %d: %d points level %d, want %d level %d", i, len(r.Line), r.Level, tc.want[i], tc.levels[i])
				}
			}
		})
	}
}
