package api_test

import (
	"strings"
	"testing"
)

// The server's own page writes without being listed in WriteOrigins;
// a page elsewhere still may not.
func TestWritesFromTheOwnPage(t *testing.T) {
	_, srv := writeServer(t, []string{token}, nil)
	url := srv.URL + "/api/v1/plans/chongqing-2023/assignments"
	resp, body := do(t, "PUT", url, twoMains, "Origin", srv.URL, "Authorization", "Bearer "+token, "Content-Type", "text/csv")
	if resp.StatusCode != 200 {
		t.Errorf("a write from the server's own page: %d %s", resp.StatusCode, body)
	}
	for _, origin := range []string{"http://evil.example", "null", "http://" + strings.TrimPrefix(srv.URL, "http://") + ".evil.example"} {
		if resp, _ := do(t, "PUT", url, twoMains, "Origin", origin, "Authorization", "Bearer "+token); resp.StatusCode != 403 {
			t.Errorf("a write from %s: %d", origin, resp.StatusCode)
		}
	}
}
