package tiles

import "testing"

func TestParseTile(t *testing.T) {
	tests := []struct {
		z, x, y string
		ok      bool
	}{
		{"0", "0", "0.mvt", true},
		{"10", "834", "422.pbf", true},
		{"22", "4194303", "4194303", true},
		{"1", "2", "0", false},
		{"1", "0", "2", false},
		{"-1", "0", "0", false},
		{"23", "0", "0", false},
		{"a", "0", "0", false},
		{"3", "-1", "0", false},
		{"3", "1.5", "0", false},
		{"3", "1", "", false},
		{"13", "6000", "3000.pbf.mvt", false},
		{"13", "6000", "3000.mvt.mvt", false},
		{"13", "6000", "3000.mvt.pbf", false},
	}
	for _, tc := range tests {
		tile, err := ParseTile(tc.z, tc.x, tc.y)
		if (err == nil) != tc.ok {
			t.Errorf("ParseTile(%q, %q, %q) = %v, %v", tc.z, tc.x, tc.y, tile, err)
		}
	}
	if tile, _ := ParseTile("10", "834", "422.pbf"); tile.X != 834 || tile.Y != 422 || tile.Z != 10 {
		t.Errorf("tile %v", tile)
	}
}
