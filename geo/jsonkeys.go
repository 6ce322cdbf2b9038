package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrTooDeep is returned (wrapped) for JSON nested deeper than allowed.
var ErrTooDeep = errors.New("JSON nested too deep")

// CheckDepth fails when objects and arrays in b nest deeper than max: a
// plan file needs four levels, and every level costs the decoders an
// allocation, so "[[[[…" of a few megabytes must be refused by a scan
// that allocates nothing. Strings are skipped (brackets inside them do
// not count); malformed JSON is left to the decoder.
func CheckDepth(b []byte, max int) error {
	depth, line := 0, 1
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\n':
			line++
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				switch b[i] {
				case '\\':
					i++
				case '\n':
					line++
				}
			}
		case '{', '[':
			if depth++; depth > max {
				return fmt.Errorf("line %d: %w: more than %d levels of objects and arrays", line, ErrTooDeep, max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// CheckDuplicateKeys fails on the first object in b that names a key
// twice: encoding/json would keep the last silently, and a file that
// says two things must not mean one of them. The error names the key
// and its line. Malformed JSON is left to the decoder to report.
func CheckDuplicateKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{object: true, keys: map[string]bool{}, key: true})
				continue
			case '[':
				stack = append(stack, &frame{})
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.object && top.key {
				if top.keys[t] {
					off := min(int(dec.InputOffset()), len(b))
					return fmt.Errorf("duplicate key %q at line %d", t, 1+bytes.Count(b[:off], []byte("\n")))
				}
				top.keys[t] = true
				top.key = false
				continue
			}
		}
		// A value ended: in an object, a key comes next.
		if len(stack) > 0 {
			if top := stack[len(stack)-1]; top.object {
				top.key = true
			}
		}
	}
}
