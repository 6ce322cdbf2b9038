package plan

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// ContractRows gives a plan's assignments (or clusters) as rows of the
// CSV contract, header first: what indmap reads back as a plan file.
// Industries are written by catalogue name; unitName names unit codes.
func (p *Plan) ContractRows(unitName func(code string) string) [][]string {
	industry := func(code string) string {
		if in, ok := p.Industry(code); ok {
			return in.Name
		}
		return code
	}
	if p.Kind == Clusters {
		rows := [][]string{ClustersHeader}
		for _, c := range p.Clusters {
			year := ""
			if c.Year != 0 {
				year = strconv.Itoa(c.Year)
			}
			rows = append(rows, []string{c.Name, industry(c.Industry), string(c.Level), strings.Join(c.Hosts, ";"), year, c.Source})
		}
		return rows
	}
	rows := [][]string{PicksHeader}
	for _, a := range p.Assignments {
		rows = append(rows, []string{a.Unit, unitName(a.Unit), string(a.Role), industry(a.Industry), a.Detail, a.Source})
	}
	return rows
}

// FileJSON gives a plan's content in the JSON plan file's shape (what
// ParseFile reads back): industries by catalogue code, with their names
// beside, and the plan's id and kind.
func (p *Plan) FileJSON(unitName func(code string) string) map[string]any {
	out := map[string]any{"plan": p.ID, "kind": p.Kind}
	industry := func(code string) (string, string) {
		if in, ok := p.Industry(code); ok {
			return in.Code, in.Name
		}
		return code, code
	}
	if p.Kind == Clusters {
		cs := make([]map[string]any, len(p.Clusters))
		for i, cl := range p.Clusters {
			code, name := industry(cl.Industry)
			cs[i] = map[string]any{"cluster": cl.Name, "industry": code, "industry_name": name, "level": cl.Level,
				"host_codes": cl.Hosts, "year": cl.Year, "source": cl.Source}
		}
		out["clusters"] = cs
		return out
	}
	as := make([]map[string]any, len(p.Assignments))
	for i, a := range p.Assignments {
		code, name := industry(a.Industry)
		as[i] = map[string]any{"unit_code": a.Unit, "unit_name": unitName(a.Unit), "role": a.Role, "industry": code,
			"industry_name": name, "detail": a.Detail, "source": a.Source}
	}
	out["assignments"] = as
	return out
}

// WriteCSV writes rows as RFC 4180 CSV, every cell made safe for
// spreadsheets first (SafeCell).
func WriteCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, cell := range row {
			safe[i] = SafeCell(cell)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SafeCell neutralises a cell a spreadsheet would run as a formula (CSV
// injection, as OWASP describes it): one that starts with =, +, -, @, a
// tab or a carriage return gets a leading apostrophe, which spreadsheets
// show as text. Plain numbers (-3.5) are left as they are.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if plainNumber.MatchString(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// plainNumber is a signed decimal number, which no spreadsheet runs.
var plainNumber = regexp.MustCompile(`^[+-][0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// Sheet names of exported workbooks: the contract sheet is the one
// indmap reads back; the matrix is for people.
const (
	SheetAssignments = "assignments"
	SheetClusters    = "clusters"
	SheetMatrix      = "matrix"
)

// matrixWords label the matrix sheet per language.
var matrixWords = map[Lang]map[string]string{
	Chinese: {"code": "单位代码", "name": "单位", "other": "目录外", "sep": "、"},
	English: {"code": "unit code", "name": "unit", "other": "not in the catalogue", "sep": ", "},
}

// WriteWorkbook writes a plan as an .xlsx workbook: a sheet in the CSV
// contract's columns (SheetAssignments or SheetClusters, read back by
// indmap as a plan file) and SheetMatrix, units × industries grouped by
// tier as planners lay them out, each unit's role (or, for clusters,
// its clusters with their level) in lang. Every cell is a string, never
// a formula. modified dates the workbook, so that the same plan gives
// the same file.
func WriteWorkbook(w io.Writer, p *Plan, units []Unit, lang Lang, modified time.Time) error {
	if _, ok := matrixWords[lang]; !ok {
		lang = DefaultLang
	}
	names := map[string]string{}
	for _, u := range units {
		names[u.Code] = u.Name
	}
	xf := excelize.NewFile()
	defer xf.Close()
	first := SheetAssignments
	if p.Kind == Clusters {
		first = SheetClusters
	}
	if err := xf.SetSheetName("Sheet1", first); err != nil {
		return err
	}
	if err := writeRows(xf, first, 1, p.ContractRows(func(c string) string { return names[c] })); err != nil {
		return fmt.Errorf("sheet %s: %w", first, err)
	}
	if _, err := xf.NewSheet(SheetMatrix); err != nil {
		return err
	}
	if err := writeMatrix(xf, p, units, lang); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetMatrix, err)
	}
	stamp := modified.UTC().Format(time.RFC3339)
	if err := xf.SetDocProps(&excelize.DocProperties{Title: p.Title, Subject: p.ID, Creator: "indmap",
		Created: stamp, Modified: stamp, Language: string(lang)}); err != nil {
		return err
	}
	_, err := xf.WriteTo(w)
	return err
}

// writeRows writes rows of strings from row first on.
func writeRows(xf *excelize.File, sheet string, first int, rows [][]string) error {
	for i, row := range rows {
		for j, v := range row {
			cell, err := excelize.CoordinatesToCellName(j+1, first+i)
			if err != nil {
				return err
			}
			if err := xf.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// matrixColumn is one industry column of the matrix, under its tier.
type matrixColumn struct {
	code, name, tier string
}

// matrixColumns orders the catalogue by tier (then catalogue order), and
// puts industries held but not in the catalogue last.
func matrixColumns(p *Plan, lang Lang) []matrixColumn {
	cat := append([]Industry(nil), p.Catalogue...)
	sort.SliceStable(cat, func(i, j int) bool { return cat[i].Tier < cat[j].Tier })
	var cols []matrixColumn
	for _, in := range cat {
		cols = append(cols, matrixColumn{in.Code, in.Name, in.TierName})
	}
	seen := map[string]bool{}
	other := func(code string) {
		if _, ok := p.Industry(code); !ok && !seen[code] {
			seen[code] = true
			cols = append(cols, matrixColumn{code, code, matrixWords[lang]["other"]})
		}
	}
	for _, a := range p.Assignments {
		other(a.Industry)
	}
	for _, c := range p.Clusters {
		other(c.Industry)
	}
	return cols
}

// writeMatrix lays a plan out as units × industries: tier names on row
// 1 (merged over their industries), industry names on row 2, one unit a
// row from row 3, panes frozen on the unit and the headers.
func writeMatrix(xf *excelize.File, p *Plan, units []Unit, lang Lang) error {
	mw := matrixWords[lang]
	cols := matrixColumns(p, lang)
	index := map[string]int{}
	for i, c := range cols {
		index[c.code] = i
	}
	// cells[unit][column] lists what the unit holds there.
	cells := map[string][][]string{}
	var order []string
	hold := func(unit, industry, what string) {
		if cells[unit] == nil {
			cells[unit] = make([][]string, len(cols))
			order = append(order, unit)
		}
		i := index[industry]
		cells[unit][i] = append(cells[unit][i], what)
	}
	for _, u := range units {
		cells[u.Code] = make([][]string, len(cols))
		order = append(order, u.Code)
	}
	for _, a := range p.Assignments {
		if in, ok := p.Industry(a.Industry); ok {
			a.Industry = in.Code
		}
		hold(a.Unit, a.Industry, Word(lang, string(a.Role)))
	}
	for _, c := range p.Clusters {
		code := c.Industry
		if in, ok := p.Industry(code); ok {
			code = in.Code
		}
		for _, h := range c.Hosts {
			hold(h, code, Word(lang, string(c.Level))+" "+c.Name)
		}
	}
	sort.Strings(order)
	names := map[string]string{}
	for _, u := range units {
		names[u.Code] = u.Name
	}
	header := [][]string{{"", ""}, {mw["code"], mw["name"]}}
	for _, c := range cols {
		header[0] = append(header[0], c.tier)
		header[1] = append(header[1], c.name)
	}
	rows := header
	for _, code := range order {
		row := []string{code, names[code]}
		for _, held := range cells[code] {
			row = append(row, strings.Join(dedupe(held), mw["sep"]))
		}
		rows = append(rows, row)
	}
	if err := writeRows(xf, SheetMatrix, 1, rows); err != nil {
		return err
	}
	// Merge each tier's name over its industries.
	for start := 0; start < len(cols); {
		end := start
		for end+1 < len(cols) && cols[end+1].tier == cols[start].tier {
			end++
		}
		if end > start {
			a, _ := excelize.CoordinatesToCellName(start+3, 1)
			b, _ := excelize.CoordinatesToCellName(end+3, 1)
			if err := xf.MergeCell(SheetMatrix, a, b); err != nil {
				return err
			}
		}
		start = end + 1
	}
	if err := markRoles(xf, rows, lang); err != nil {
		return err
	}
	return xf.SetPanes(SheetMatrix, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: 2, TopLeftCell: "C3", ActivePane: "bottomRight"})
}

// markRoles fills main cells and special cells of the matrix in colours
// of their own (the page's), so the layout reads at a glance.
func markRoles(xf *excelize.File, rows [][]string, lang Lang) error {
	styles := map[string]int{}
	for _, rc := range []struct {
		role   Role
		colour string
	}{{Main, "F4B183"}, {Special, "9DC3E6"}} {
		id, err := xf.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{rc.colour}}})
		if err != nil {
			return err
		}
		styles[Word(lang, string(rc.role))] = id
	}
	for r := 2; r < len(rows); r++ {
		for c := 2; c < len(rows[r]); c++ {
			id, ok := styles[rows[r][c]]
			if !ok {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := xf.SetCellStyle(SheetMatrix, cell, cell, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func dedupe(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
