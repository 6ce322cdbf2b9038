package search

import (
	"strings"
	"testing"
)

func TestReadAirports(t *testing.T) {
	rows := `[{"id":"27228","ident":"ZUCK","name":"Chongqing Jiangbei International Airport","latitude_deg":"29.712254","longitude_deg":"106.651895","iata_code":"CKG","iso_country":"CN"},
	{"id":"1","ident":"ZZZZ","name":"Unnamed","latitude_deg":"30","longitude_deg":"107","iso_country":"CN"}]`
	const head = "ident,name,source\n"
	for _, tc := range []struct {
		name, rows, zh string
		want, err      string
	}{
		{name: "joined; an airport without a Chinese name left out", rows: rows,
			zh: head + "ZUCK,重庆江北国际机场,https://en.wikipedia.org/wiki/Chongqing_Jiangbei_International_Airport\n", want: "重庆江北国际机场"},
		{name: "wrong header", rows: rows, zh: "id,name\nZUCK,x\n", err: "header"},
		{name: "no source", rows: rows, zh: head + "ZUCK,重庆江北国际机场,\n", err: "line 2"},
		{name: "named twice", rows: rows, zh: head + "ZUCK,甲,https://a\nZUCK,乙,https://b\n", err: "named twice"},
		{name: "a name for an airport the rows lack", rows: rows, zh: head + "ABCD,甲,https://a\n", err: "rows lack"},
		{name: "bad coordinates", rows: `[{"id":"1","ident":"ZUCK","latitude_deg":"x","longitude_deg":"106"}]`, zh: head + "ZUCK,甲,https://a\n", err: "latitude"},
		{name: "not JSON", rows: `{`, zh: head, err: "airports:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as, err := ReadAirports([]byte(tc.rows), []byte(tc.zh))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(as) != 1 || as[0].Name != tc.want || as[0].IATA != "CKG" || as[0].ID != 27228 || as[0].Point[0] != 106.651895 {
				t.Fatalf("%+v, %v", as, err)
			}
		})
	}
}
