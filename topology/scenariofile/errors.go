package scenariofile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/failsim/failsim/topology"
)

// Error is one problem in a scenario file.
type Error struct {
	Pos  topology.Pos
	Msg  string
	Line string       // the offending source line, for the caret display
	at   topology.Pos // for a problem inside an imported file: the scenario key that imports it, where it sorts
}

func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Pos.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Pos.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// Errors is every problem found in a scenario file, in file order.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Pretty formats each error followed by its source line and a caret under
// the offending column, the way a compiler does.
func (es Errors) Pretty() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "error: %s\n", e.Error())
		if e.Pos.Line > 0 && e.Line != "" {
			num := fmt.Sprint(e.Pos.Line)
			pad := strings.Repeat(" ", len(num))
			fmt.Fprintf(&b, " %s |\n %s | %s\n %s | %s^\n", pad, num, e.Line, pad, caretPad(e.Line, e.Pos.Col))
		}
	}
	return b.String()
}

// caretPad is the whitespace that puts a caret under rune column col, tabs
// kept so the caret lines up whatever the tab width.
func caretPad(line string, col int) string {
	var b strings.Builder
	n := 1
	for _, r := range line {
		if n >= col {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		n++
	}
	return b.String()
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].sortPos(), es[j].sortPos()
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
	return es
}

// sortPos orders problems by where they are in the scenario: a problem in
// an imported file sorts at the key that imports it, then by its own place.
func (e *Error) sortPos() [4]int {
	if e.at.Line > 0 {
		return [4]int{e.at.Line, e.at.Col, e.Pos.Line, e.Pos.Col}
	}
	return [4]int{e.Pos.Line, e.Pos.Col, 0, 0}
}
