// Package testrivers gives tests the build's embedded rivers.
package testrivers

import (
	"os"
	"testing"

	"github.com/indmap/indmap/geo"
)

// Default returns the rivers the build embeds (make assets dumps them
// with GMT). A build without them skips the test, unless
// INDMAP_REQUIRE_RIVERS is set (CI installs GMT): then it fails.
func Default(t testing.TB) []geo.River {
	t.Helper()
	if len(geo.DefaultRiversFile()) == 0 {
		if os.Getenv("INDMAP_REQUIRE_RIVERS") != "" {
			t.Fatal("the build has no rivers (make assets needs gmt and gmt-gshhg-full) and INDMAP_REQUIRE_RIVERS is set")
		}
		t.Skip("the build has no rivers: make assets needs gmt and gmt-gshhg-full")
	}
	rs, err := geo.DefaultRivers()
	if err != nil {
		t.Fatal(err)
	}
	return rs
}
