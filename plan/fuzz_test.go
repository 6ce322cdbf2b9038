package plan

import (
	"bytes"
	"testing"

	"github.com/indmap/indmap/internal/testxlsx"
)

// FuzzParseFile covers both CSV formats, the JSON format and workbooks:
// any input gives records or an error, and records are well-formed.
func FuzzParseFile(f *testing.F) {
	for _, name := range []string{"chongqing-2023-reported.csv", "shandong-clusters.csv"} {
		b, _ := defaultFiles.ReadFile("defaults/" + name)
		f.Add(b)
	}
	f.Add([]byte("unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,\"软件, 信息\",,\n"))
	f.Add([]byte("\ufeffcluster,industry,level,host_codes,year,source\nx,y,national,370100;370200,2024,s\n"))
	f.Add([]byte(`{"assignments": [{"unit_code": "500103", "role": "main", "industry": "CQ-SIS"}]}`))
	f.Add([]byte(`{"clusters": [{"cluster": "c", "industry": "x", "level": "world", "host_codes": ["1", "2"], "year": 2024}]}`))
	f.Add([]byte(`unit_code,role` + "\n\"unterminated"))
	f.Add(testxlsx.FromCSV(f, "picks", "unit_code,unit_name,role,industry,detail,source\n500103,渝中区,main,CQ-SIS,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseFile(bytes.NewReader(data), "fuzz", 1<<20)
		if err != nil {
			return
		}
		if len(p.Lines) != len(p.Assignments)+len(p.Clusters) {
			t.Fatalf("%d lines for %d records", len(p.Lines), len(p.Assignments)+len(p.Clusters))
		}
		for _, a := range p.Assignments {
			if a.Unit == "" || a.Industry == "" || (a.Role != Main && a.Role != Special) {
				t.Fatalf("bad assignment %+v", a)
			}
		}
		for _, c := range p.Clusters {
			if c.Name == "" || len(c.Hosts) == 0 {
				t.Fatalf("bad cluster %+v", c)
			}
			if _, err := ParseLevel(string(c.Level)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzReadPicks and FuzzReadClusters fuzz each CSV parser alone.
func FuzzReadPicks(f *testing.F) {
	b, _ := defaultFiles.ReadFile("defaults/chongqing-2023-reported.csv")
	f.Add(b)
	f.Add([]byte("unit_code,unit_name,role,industry,detail,source\n1,a,special,b,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		as, lines, err := ReadPicks(bytes.NewReader(data), "fuzz", 1<<20)
		if err == nil && len(as) != len(lines) {
			t.Fatalf("%d records, %d lines", len(as), len(lines))
		}
	})
}

func FuzzReadClusters(f *testing.F) {
	b, _ := defaultFiles.ReadFile("defaults/shandong-clusters.csv")
	f.Add(b)
	f.Add([]byte("cluster,industry,level,host_codes,year,source\nx,y,provincial,;;1;,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, lines, err := ReadClusters(bytes.NewReader(data), "fuzz", 1<<20)
		if err == nil && len(cs) != len(lines) {
			t.Fatalf("%d records, %d lines", len(cs), len(lines))
		}
	})
}
