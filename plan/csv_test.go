package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
)

// pyCSV writes records as Python's csv.writer does by default
// (QUOTE_MINIMAL, \r\n line ends): a field is quoted when it holds a
// comma, a quote, \r or \n, and its quotes are doubled. Unlike Go's
// csv.Writer it does not quote a leading space.
func pyCSV(records [][]string) []byte {
	var b bytes.Buffer
	for _, rec := range records {
		for i, f := range rec {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(f, ",\"\r\n") {
				b.WriteString(`"` + strings.ReplaceAll(f, `"`, `""`) + `"`)
			} else {
				b.WriteString(f)
			}
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// asRead is a field as encoding/csv gives it back: a line break inside a
// quoted field is \n, whether written \n or \r\n.
func asRead(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// TestCSVRoundTrip: random fields with quotes, commas, line breaks,
// formula starts and a BOM, written as Python's csv.writer writes them,
// come back exactly (200,000 fields).
func TestCSVRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(4180, 7))
	alphabet := []string{"a", "b", " ", "甲", "乙", ",", `"`, "\n", "\r\n", "=", "+", "-", "@", "\t", ";", "'",
		`"新星"`, `=HYPERLINK("x",A1,"y")`, `a,"b" c`}
	field := func() string {
		var s strings.Builder
		for n := rng.IntN(10); n > 0; n-- {
			s.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return s.String()
	}
	const records = 50_000 // four random fields each
	in := [][]string{PicksHeader}
	for i := 0; i < records; i++ {
		in = append(in, []string{"500120", field(), "main", "CQ-ICV", field(), field()})
	}
	for _, bom := range []bool{false, true} {
		b := pyCSV(in)
		if bom {
			b = append([]byte("\ufeff"), b...)
		}
		p, err := ParseFile(bytes.NewReader(b), "random.csv", 0)
		if err != nil {
			t.Fatalf("bom %v: %v", bom, err)
		}
		if len(p.Assignments) != records {
			t.Fatalf("bom %v: %d records, want %d", bom, len(p.Assignments), records)
		}
		bad := 0
		for i, a := range p.Assignments {
			want := in[i+1]
			if a.Detail != asRead(want[4]) || a.Source != asRead(want[5]) || a.Unit != "500120" {
				if bad++; bad < 5 {
					t.Errorf("record %d: got %q %q, want %q %q", i+1, a.Detail, a.Source, want[4], want[5])
				}
			}
		}
		if bad > 0 {
			t.Errorf("bom %v: %d of %d records changed", bom, bad, records)
		}
	}
}

// TestPythonCSVCorpus reads a file written by Python's own csv.writer
// (testdata/python-csv/make.py).
func TestPythonCSVCorpus(t *testing.T) {
	b, err := os.ReadFile("testdata/python-csv/picks.csv")
	if err != nil {
		t.Fatal(err)
	}
	var want []struct{ Detail, Source string }
	raw, err := os.ReadFile("testdata/python-csv/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	p, err := ParseFile(bytes.NewReader(b), "picks.csv", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Assignments) != len(want) {
		t.Fatalf("%d records, want %d", len(p.Assignments), len(want))
	}
	for i, a := range p.Assignments {
		if a.Detail != asRead(want[i].Detail) || a.Source != asRead(want[i].Source) {
			t.Errorf("record %d: got %q %q, want %q %q", i+1, a.Detail, a.Source, want[i].Detail, want[i].Source)
		}
	}
}

// TestCSVNotRFC4180: a field that opens with a quoted word and goes on
// (as some published tables write "新星"产业集群) is not CSV; it is refused
// with its line and what RFC 4180 asks.
func TestCSVNotRFC4180(t *testing.T) {
	in := "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV,x,a\n500120,璧山区,main,CQ-EIM,\"新星\"产业集群,a\n"
	_, err := ParseFile(strings.NewReader(in), "t.csv", 0)
	if err == nil || !strings.Contains(err.Error(), "t.csv: line 3") || !strings.Contains(err.Error(), "RFC 4180") {
		t.Errorf("got %v", err)
	}
}

// TestRecordLimit: a file with more records than allowed is refused with
// ErrTooManyRecords, CSV and JSON alike.
func TestRecordLimit(t *testing.T) {
	csvIn := "unit_code,unit_name,role,industry,detail,source\n" + strings.Repeat("500120,璧山区,main,CQ-ICV,,a\n", 11)
	jsonIn := `{"assignments": [` + strings.TrimSuffix(strings.Repeat(`{"unit_code": "500120", "role": "main", "industry": "CQ-ICV"},`, 11), ",") + `]}`
	for _, in := range []string{csvIn, jsonIn} {
		if _, err := ParseFileLimits(strings.NewReader(in), "f", Limits{MaxRecords: 10}); err == nil || !strings.Contains(err.Error(), ErrTooManyRecords.Error()) {
			t.Errorf("11 records, limit 10: %v", err)
		}
		if _, err := ParseFileLimits(strings.NewReader(in), "f", Limits{MaxRecords: 11}); err != nil {
			t.Errorf("11 records, limit 11: %v", err)
		}
	}
}

// TestJSONFileLeniencies: duplicate keys are refused; whole numbers are
// codes and years however they are written.
func TestJSONFileLeniencies(t *testing.T) {
	dup := `{"assignments": [{"unit_code": "500120", "role": "main", "industry": "CQ-ICV", "role": "special"}]}`
	if _, err := ParseFile(strings.NewReader(dup), "d.json", 0); err == nil || !strings.Contains(err.Error(), `duplicate key "role"`) {
		t.Errorf("duplicate key: %v", err)
	}
	nums := `{"assignments": [{"unit_code": 500120.0, "role": "main", "industry": "CQ-ICV"}, {"unit_code": 5.0012e5, "role": "main", "industry": "CQ-EIM"}]}`
	p, err := ParseFile(strings.NewReader(nums), "n.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Assignments {
		if a.Unit != "500120" {
			t.Errorf("unit_code %q, want 500120", a.Unit)
		}
	}
	cl := `{"clusters": [{"cluster": "c", "industry": "s", "level": "national", "host_codes": [370200, "370600"], "year": 2024.0}]}`
	pc, err := ParseFile(strings.NewReader(cl), "c.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c := pc.Clusters[0]; strings.Join(c.Hosts, ";") != "370200;370600" || c.Year != 2024 {
		t.Errorf("cluster %+v", c)
	}
}

// TestFieldLengths: a field longer than its kind allows is refused with
// its line and column.
func TestFieldLengths(t *testing.T) {
	long := strings.Repeat("长", 2001)
	for _, tc := range []struct{ in, want string }{
		{"unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV," + long + ",s\n", "line 2: detail has 2001 characters, more than 2000"},
		{"unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main," + strings.Repeat("x", 201) + ",,s\n", "line 2: industry has 201 characters, more than 200"},
		{"cluster,industry,level,host_codes,year,source\n" + strings.Repeat("c", 201) + ",s,national,370200,2024,x\n", "line 2: cluster has 201 characters"},
	} {
		if _, err := ParseFile(strings.NewReader(tc.in), "f.csv", 0); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	ok := "unit_code,unit_name,role,industry,detail,source\n500120,璧山区,main,CQ-ICV," + strings.Repeat("长", 2000) + ",s\n"
	if _, err := ParseFile(strings.NewReader(ok), "f.csv", 0); err != nil {
		t.Errorf("2,000 characters: %v", err)
	}
}

// TestJSONFileShape: a JSON plan file is an object with one known key;
// anything else is said plainly, without Go's types.
func TestJSONFileShape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[1, 2, 3]`, `want an object with "assignments" or "clusters"`},
		{`{"assignments": [], "extra": 1}`, `unknown field "extra"`},
		{`{"assignments": {"a": 1}}`, `"assignments" must be a list of records`},
	} {
		_, err := ParseFile(strings.NewReader(tc.in), "f.json", 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "Go value") {
			t.Errorf("%s: %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestJSONFileLinesAndDepth: every record of a JSON file reports its own
// line, identical ones too, found in one pass; a file nested deeper than
// a plan file can be is refused before it is decoded, at a cost bounded
// by its size.
func TestJSONFileLinesAndDepth(t *testing.T) {
	rec := `{"unit_code": "500120", "role": "special", "industry": "CQ-ICV", "source": "s"}`
	in := "{\"assignments\": [\n" + rec + ",\n" + rec + ",\n\n" + rec + "\n]}"
	p, err := ParseFile(strings.NewReader(in), "same.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(p.Lines) != "[2 3 5]" {
		t.Errorf("lines of identical records: %v, want [2 3 5]", p.Lines)
	}
	for _, bomb := range []string{strings.Repeat("[", 8<<20), strings.Repeat(`{"a":`, 1<<20)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := ParseFile(strings.NewReader(bomb), "bomb.json", 16<<20)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "bomb.json: line 1: JSON nested too deep: more than 8 levels") {
			t.Errorf("%.10s…: %v", bomb, err)
		}
		// The body itself is read (8 MiB, a few times while it grows);
		// decoding it would cost hundreds of megabytes.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("%.10s…: %d MB allocated to refuse it", bomb, alloc>>20)
		}
	}
}
