package plan

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	pinyin "github.com/mozillazg/go-pinyin"
)

// NamesFile is the embedded table of English names: the generic endings
// of unit names (区 District …), ethnic groups (土家族 Tujia …) and the
// official names that pinyin gets wrong (polyphonic characters) or that
// differ from it.
const NamesFile = "names-en.csv"

// Names gives Chinese unit names their English form in the official
// style: the proper name in Hanyu Pinyin, syllables joined, an apostrophe
// where a syllable starting with a, o or e follows another (Xi'an), then
// the ethnic groups of an autonomous unit and the English generic
// (璧山区 Bishan District, 石柱土家族自治县 Shizhu Tujia Autonomous County).
// Overrides come first. A Names is immutable once made; the zero Names
// romanises without overrides, endings or ethnic groups.
type Names struct {
	byCode   map[string]string
	byName   map[string]string
	endings  []nameEnding // longest first, so 自治县 wins over 县
	ethnic   []nameEnding // longest first
	syllable pinyin.Args
}

type nameEnding struct{ zh, en string }

// DefaultNames reads the embedded names table.
func DefaultNames() (*Names, error) {
	b, err := defaultFiles.ReadFile("defaults/" + NamesFile)
	if err != nil {
		return nil, err
	}
	return ReadNames(b, NamesFile)
}

// ReadNames reads a names table: kind (unit, ending or ethnic), name,
// name_en, and for units an optional code that limits the override to
// one unit (a name alone applies to every unit of that name).
func ReadNames(b []byte, file string) (*Names, error) {
	rows, err := ReadCSV(bytes.NewReader(b), file, 0, "kind", "name", "name_en")
	if err != nil {
		return nil, err
	}
	n := &Names{byCode: map[string]string{}, byName: map[string]string{}, syllable: pinyin.NewArgs()}
	for _, r := range rows {
		zh, en := r.Get("name"), r.Get("name_en")
		if zh == "" || en == "" {
			return nil, fmt.Errorf("%s: line %d: name and name_en are required", file, r.Line)
		}
		switch r.Get("kind") {
		case "unit":
			if code := r.Get("code"); code != "" {
				n.byCode[code] = en
			} else {
				n.byName[zh] = en
			}
		case "ending":
			n.endings = append(n.endings, nameEnding{zh, en})
		case "ethnic":
			n.ethnic = append(n.ethnic, nameEnding{zh, en})
		default:
			return nil, fmt.Errorf("%s: line %d: kind %q (want unit, ending or ethnic)", file, r.Line, r.Get("kind"))
		}
	}
	for _, l := range [][]nameEnding{n.endings, n.ethnic} {
		sort.SliceStable(l, func(i, j int) bool { return len(l[i].zh) > len(l[j].zh) })
	}
	return n, nil
}

// English returns the English name of the unit with this code and
// Chinese name: an override when the table has one, else the generated
// form.
func (n *Names) English(code, name string) string {
	if en, ok := n.byCode[code]; ok {
		return en
	}
	if en, ok := n.byName[name]; ok {
		return en
	}
	root, groups, generic := n.split(name)
	parts := []string{n.Romanise(root)}
	if len(groups) > 0 {
		parts = append(parts, groupList(groups))
	}
	if generic != "" {
		parts = append(parts, generic)
	}
	return strings.Join(parts, " ")
}

// groupList names ethnic groups as an autonomous unit's English name
// does: "Tujia", "Tujia and Miao", "Tu, Hui and Salar".
func groupList(groups []string) string {
	last := len(groups) - 1
	if last == 0 {
		return groups[0]
	}
	return strings.Join(groups[:last], ", ") + " and " + groups[last]
}

// Short is a unit's name as a map labels it at small scales, in Chinese
// and in English (nameEn, the unit's English name, shortened the same
// way): without its generic ending and ethnic groups (沙坪坝区 沙坪坝
// Shapingba, 石柱土家族自治县 石柱 Shizhu). A name whose proper part is
// one character (忠县) or names no place of its own (市中区, "the city's
// centre") is kept whole.
func (n *Names) Short(name, nameEn string) (zh, en string) {
	root, groups, generic := n.split(name)
	if root == name || utf8.RuneCountInString(root) < 2 || root == "市中" {
		return name, nameEn
	}
	en = nameEn
	if generic != "" {
		en = strings.TrimSuffix(en, " "+generic)
	}
	if len(groups) > 0 {
		en = strings.TrimSuffix(en, " "+groupList(groups))
	}
	return root, en
}

// Root is a unit name without its generic ending and ethnic groups:
// 璧山区 璧山, 石柱土家族自治县 石柱.
func (n *Names) Root(name string) string {
	root, _, _ := n.split(name)
	return root
}

// split cuts a name into its proper part, the English names of its
// ethnic groups and its English generic.
func (n *Names) split(name string) (root string, groups []string, generic string) {
	root = name
	for _, e := range n.endings {
		if r, ok := strings.CutSuffix(name, e.zh); ok && r != "" {
			root, generic = r, e.en
			break
		}
	}
	// Autonomous units name their ethnic groups after the place:
	// 秀山土家族苗族 → Xiushan, Tujia and Miao.
	for found := true; found; {
		found = false
		for _, e := range n.ethnic {
			if r, ok := strings.CutSuffix(root, e.zh); ok && r != "" {
				root, found = r, true
				groups = append([]string{e.en}, groups...)
				break
			}
		}
	}
	return root, groups, generic
}

// Romanise writes Chinese text as one capitalised word of tone-less
// pinyin (璧山 Bishan, 西安 Xi'an); other characters are kept as they
// are. Each character takes its most common reading: polyphonic names
// need an override.
func (n *Names) Romanise(s string) string {
	var b strings.Builder
	prevSyllable := false
	for _, r := range s {
		py := pinyin.SinglePinyin(r, n.syllable)
		if len(py) == 0 || !unicode.Is(unicode.Han, r) {
			b.WriteRune(r)
			prevSyllable = false
			continue
		}
		syl := strings.ReplaceAll(py[0], "v", "ü")
		if prevSyllable && strings.ContainsRune("aoe", rune(syl[0])) {
			b.WriteByte('\'')
		}
		b.WriteString(syl)
		prevSyllable = true
	}
	out := b.String()
	if r, size := utf8.DecodeRuneInString(out); r != utf8.RuneError {
		out = string(unicode.ToUpper(r)) + out[size:]
	}
	return out
}
