package geo

import (
	"errors"
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

func TestCheckDepth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string // "" for no error
	}{
		{`{"clusters": [{"host_codes": ["370200"]}]}`, 4, ""},
		{`{"clusters": [{"host_codes": [["370200"]]}]}`, 4, "line 1: JSON nested too deep: more than 4 levels"},
		{`{"a": "[[[[[[[[[[", "b": "\"[[[[[["}`, 2, ""},
		{"{\"a\":\n{\"a\":\n{\"a\": 1}}}", 2, "line 3"},
		{strings.Repeat("[", 8<<20), 8, "line 1: JSON nested too deep"},
		{strings.Repeat(`{"a":`, 100), 8, "more than 8 levels"},
		{`]]]]{`, 1, ""}, // malformed: the decoder says so
	} {
		err := CheckDepth([]byte(tc.in), tc.max)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%.40s: %v", tc.in, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrTooDeep)):
			t.Errorf("%.40s: got %v, want %q", tc.in, err, tc.want)
		}
	}
	// The scan itself allocates nothing, however deep the input.
	bomb := []byte(strings.Repeat("[", 1<<20))
	if n := testing.AllocsPerRun(3, func() { CheckDepth(bomb, 1<<30) }); n != 0 {
		t.Errorf("%v allocations for a scan", n)
	}
}
