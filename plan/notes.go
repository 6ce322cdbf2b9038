package plan

import (
	"strings"
	"sync"
)

// NotesFile is the embedded table of the default plans' notes in each
// language (note, note_zh, note_en): indmap's renderings, shown as such,
// of the sources' notes (English sentences naming places in Chinese) and
// of the zone kinds they start with.
const NotesFile = "notes.csv"

// notes reads the table once; it never changes after.
var notes = sync.OnceValues(func() (map[string][]string, error) {
	b, err := defaultFiles.ReadFile("defaults/" + NotesFile)
	if err != nil {
		return nil, err
	}
	return readRenderings(b, NotesFile, "note", "note_zh", "note_en")
})

// NoteIn is a unit's note in Chinese ("zh") or English ("en"): indmap's
// rendering, "" when the table has none. A zone's note starts with its
// kind ("national-new-area: …", as the plan loads it), rendered too.
func NoteIn(note, lang string) string {
	t, err := notes()
	if err != nil {
		return "" // the embedded table is tested to read
	}
	i := 0
	if lang == "en" {
		i = 1
	}
	if r, ok := t[strings.TrimSpace(note)]; ok {
		return r[i]
	}
	kind, rest, ok := strings.Cut(note, ": ")
	k, kok := t[kind]
	n, nok := t[strings.TrimSpace(rest)]
	switch {
	case !ok || !kok || !nok:
		return ""
	case lang == "en":
		return k[i] + ": " + n[i]
	default:
		return k[i] + "：" + n[i]
	}
}
