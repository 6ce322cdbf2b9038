package geo

import (
	"strings"
	"testing"
)

func TestCheckDuplicateKeys(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" for no error
	}{
		{`{"a": 1, "b": 2}`, ""},
		{`{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}`, ""},
		{`{"a": "a", "b": "a"}`, ""},
		{`{"a": 1, "a": 2}`, `duplicate key "a" at line 1`},
		{"{\"x\": [{\"unit_code\": \"1\",\n \"unit_code\": \"2\"}]}", `duplicate key "unit_code" at line 2`},
		{`{"a": {"b": 1}, "c": {"b": 1, "b": 2}}`, `duplicate key "b"`},
		{`[{"k": [1, {"k": 2}], "k": 3}]`, `duplicate key "k"`},
		{`{"a": 1,`, ""}, // the decoder reports it
		{`{"a": 1, "a"`, `duplicate key "a"`},
	} {
		err := CheckDuplicateKeys([]byte(tc.in))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want %q", tc.in, err, tc.want)
		}
	}
}
