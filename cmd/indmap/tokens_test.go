package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadTokens(t *testing.T) {
	dir := t.TempDir()
	n := 0
	file := func(body string) string {
		n++
		p := filepath.Join(dir, "tokens"+strings.Repeat("x", n))
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	const a, b = "0123456789abcdef0123", "fedcba9876543210fedc"
	for _, c := range []struct {
		file, list string
		tokens     []string
		authors    map[string]string
		err        string
	}{
		{file: file("# planners\n王工:" + a + "\n\n" + b + "\n"), tokens: []string{a, b}, authors: map[string]string{a: "王工"}},
		{list: "Li Na:" + a + ", " + b, tokens: []string{a, b}, authors: map[string]string{a: "Li Na"}},
		{list: ":" + a, err: "empty name"},
		{list: "x:short", err: "at least 16"},
		{list: strings.Repeat("名", 65) + ":" + a, err: "at most 64"},
		{file: file("# nothing\n"), err: "has no tokens"},
	} {
		tokens, authors, err := loadTokens(c.file, c.list)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q %q: error %v, want %q", c.file, c.list, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(tokens, c.tokens) || !reflect.DeepEqual(authors, c.authors) {
			t.Errorf("%q %q: %v %v %v", c.file, c.list, tokens, authors, err)
		}
	}
}
