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

// DidYouMean returns `; did you mean "x"?` for the candidate closest to s,
// or "" when none is close enough to be a likely typo. A candidate that s
// abbreviates ("expo" for "exponential") counts as close. Every input error
// of the tool suggests with it, so that they all suggest alike.
func DidYouMean(s string, candidates []string) string {
	best, bestD := "", len(s)/3+2
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editDistance(ls, lc)
		if len(ls) >= 3 && strings.HasPrefix(lc, ls) {
			d = 1
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
