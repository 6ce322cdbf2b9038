package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestLabelPointInsideConcave(t *testing.T) {
	// A C shape whose centroid lies in the notch, outside the polygon.
	c := orb.Polygon{{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}, {0, 0}}}
	if Contains(c, ringCentroid(c[0])) {
		t.Fatalf("fixture broken: centroid should be outside")
	}
	p := LabelPoint(c)
	if !Contains(c, p) {
		t.Errorf("label %v outside the C shape", p)
	}
}

func TestLabelPointAvoidsHole(t *testing.T) {
	sq := orb.Polygon{
		{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}},
		{{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}},
	}
	p := LabelPoint(orb.MultiPolygon{sq})
	if !Contains(sq, p) {
		t.Errorf("label %v in the hole or outside", p)
	}
}

func TestLabelPointLargestPart(t *testing.T) {
	mp := orb.MultiPolygon{
		{{{0, 0}, {0.1, 0}, {0.1, 0.1}, {0, 0.1}, {0, 0}}},
		{{{10, 10}, {12, 10}, {12, 12}, {10, 12}, {10, 10}}},
	}
	p := LabelPoint(mp)
	if !Contains(mp[1], p) {
		t.Errorf("label %v not in the largest part", p)
	}
}
