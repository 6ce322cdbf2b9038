package plan

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// DetailsFile is the embedded table of English wordings for the details
// the default plans quote (detail, detail_en): indmap's translations,
// not the sources', shown as such.
const DetailsFile = "details-en.csv"

// detailsEn reads the table once; it never changes after.
var detailsEn = sync.OnceValues(func() (map[string]string, error) {
	b, err := defaultFiles.ReadFile("defaults/" + DetailsFile)
	if err != nil {
		return nil, err
	}
	return readDetailsEn(b, DetailsFile)
})

// ClustersFile is the embedded table of English names for the default
// plans' clusters (cluster, name_en): indmap's translations of their
// Chinese names, the sources giving none, shown as such.
const ClustersFile = "clusters-en.csv"

var clustersEn = sync.OnceValues(func() (map[string][]string, error) {
	b, err := defaultFiles.ReadFile("defaults/" + ClustersFile)
	if err != nil {
		return nil, err
	}
	return readRenderings(b, ClustersFile, "cluster", "name_en")
})

// ClusterNameEn is indmap's English for a cluster's name ("" when the
// table has none).
func ClusterNameEn(name string) string {
	t, err := clustersEn()
	if err != nil || t[name] == nil {
		return "" // the embedded table is tested to read
	}
	return t[name][0]
}

// readDetailsEn reads a details table: every row a detail and its
// English, each detail once.
func readDetailsEn(b []byte, file string) (map[string]string, error) {
	t, err := readRenderings(b, file, "detail", "detail_en")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(t))
	for zh, r := range t {
		out[zh] = r[0]
	}
	return out, nil
}

// readRenderings reads a table of texts (column key) and their renderings
// (columns cols, all required), each text once.
func readRenderings(b []byte, file, key string, cols ...string) (map[string][]string, error) {
	rows, err := ReadCSV(bytes.NewReader(b), file, 0, append([]string{key}, cols...)...)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(rows))
	for _, r := range rows {
		k := r.Get(key)
		vs := make([]string, len(cols))
		for i, c := range cols {
			vs[i] = r.Get(c)
		}
		if k == "" || slices.Contains(vs, "") {
			return nil, fmt.Errorf("%s: line %d: %s and %s are required", file, r.Line, key, strings.Join(cols, " and "))
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s: line %d: %q is listed twice", file, r.Line, k)
		}
		out[k] = vs
	}
	return out, nil
}

// DetailEn is indmap's English for a detail as written in a plan ("" when
// the table has none). A fragment quoted from after the industry's name
// (see HoldingOf) is translated as such ("and core components").
func DetailEn(detail string) string {
	t, err := detailsEn()
	if err != nil {
		return "" // the embedded table is tested to read
	}
	return t[strings.TrimSpace(detail)]
}
