package scenariofile

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile/tomlpos"
)

// Limits on the shape of a scenario, checked before the text is decoded:
// the TOML library's time and memory grow with the square of the nesting
// (50,000 inline tables deep took it 2.9 GB), and every node of the tree
// keeps its path, whose length grows with the depth. Real scenarios nest
// six or seven levels deep and hold a few hundred values.
const (
	MaxDepth  = 32      // arrays, inline tables and dotted key parts inside one another
	MaxValues = 100_000 // keys and array elements in one file
	maxPath   = 1024    // bytes of one key path, as messages write it
)

// checkDepth finds where src, a TOML document, nests deeper than MaxDepth:
// brackets and braces open around a point, plus the parts of the dotted
// key being read there. It reads strings and comments as TOML does, and is
// lenient about anything else: the decoder reports syntax errors.
func checkDepth(src []byte) (tomlpos.Pos, bool) {
	var open []byte // '[' and '{' not yet closed, innermost last
	inKey := true   // reading a key (a line's start, a header, after '{' or ',' in an inline table)
	dots := 0       // parts of the key being read, beyond the first
	line, lineStart := 1, 0
	at := func(i int) tomlpos.Pos {
		return tomlpos.Pos{Line: line, Col: 1 + utf8.RuneCount(src[lineStart:i])}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\n':
			line, lineStart = line+1, i+1
			if len(open) == 0 {
				inKey, dots = true, 0
			}
		case '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			j := skipString(src, i)
			for k := i; k < j && k < len(src); k++ {
				if src[k] == '\n' {
					line, lineStart = line+1, k+1
				}
			}
			i = j - 1
		case '[', '{':
			open = append(open, c)
			if c == '{' {
				inKey, dots = true, 0
			}
		case ']', '}':
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case ',':
			if len(open) > 0 && open[len(open)-1] == '{' {
				inKey, dots = true, 0
			}
		case '=':
			inKey, dots = false, 0
		case '.':
			if inKey {
				dots++
			}
		}
		if len(open)+dots > MaxDepth {
			return at(i), false
		}
	}
	return tomlpos.Pos{}, true
}

// skipString returns the offset just past the TOML string that starts at
// src[i] (basic or literal, single- or multi-line), or len(src) when it is
// not closed.
func skipString(src []byte, i int) int {
	q := src[i]
	if i+2 < len(src) && src[i+1] == q && src[i+2] == q { // multi-line
		for j := i + 3; j < len(src); j++ {
			switch {
			case q == '"' && src[j] == '\\':
				j++
			case src[j] == q && j+2 < len(src) && src[j+1] == q && src[j+2] == q:
				// Up to two more quotes may end the string's content.
				k := j + 3
				for n := 0; n < 2 && k < len(src) && src[k] == q; n++ {
					k++
				}
				return k
			}
		}
		return len(src)
	}
	for j := i + 1; j < len(src); j++ {
		switch {
		case q == '"' && src[j] == '\\':
			j++
		case src[j] == q:
			return j + 1
		case src[j] == '\n': // unterminated: the decoder says so
			return j
		}
	}
	return len(src)
}

// shape counts the values of a decoded document and measures their paths
// without building them, so that the tree is never built for a document
// whose paths alone would take gigabytes (a long table name followed by
// many keys). On a problem, path holds the segments down to it.
type shape struct {
	count int
	path  []any // keys and indices from the root
}

func (sh *shape) check(v any, pathLen int) error {
	sh.count++
	if sh.count > MaxValues {
		return fmt.Errorf("the scenario holds more than %d values; a scenario holds a few hundred", MaxValues)
	}
	if pathLen > maxPath {
		return fmt.Errorf("key path longer than %d characters", maxPath)
	}
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			sh.path = append(sh.path, k)
			if err := sh.check(child, pathLen+len(k)+3); err != nil {
				return err
			}
			sh.path = sh.path[:len(sh.path)-1]
		}
	case []map[string]any:
		for i, child := range v {
			sh.path = append(sh.path, i)
			if err := sh.check(child, pathLen+digits(i)+2); err != nil {
				return err
			}
			sh.path = sh.path[:len(sh.path)-1]
		}
	case []any:
		for i, child := range v {
			sh.path = append(sh.path, i)
			if err := sh.check(child, pathLen+digits(i)+2); err != nil {
				return err
			}
			sh.path = sh.path[:len(sh.path)-1]
		}
	}
	return nil
}

// where is the position of the deepest part of sh.path that src records.
func (sh *shape) where(src []byte) tomlpos.Pos {
	pos := tomlpos.Scan(src)
	at := tomlpos.Pos{Line: 1, Col: 1} // a first key too long to be recorded
	for n := 1; n <= len(sh.path); n++ {
		p := tomlpos.Join(sh.path[:n]...)
		if len(p) > maxPath {
			break
		}
		if e, ok := pos[p]; ok {
			at = e.Key
		}
	}
	return at
}

func digits(i int) int {
	n := 1
	for ; i >= 10; i /= 10 {
		n++
	}
	return n
}

// checkBuckets holds the run to topology.MaxBuckets, whatever set its
// duration and bucket: the problem is reported at the bucket when the
// scenario sets one, else at the duration.
func (d *decoder) checkBuckets(o *object, duration, bucket time.Duration) {
	sc := topology.Scenario{Duration: duration, Metrics: topology.Metrics{Bucket: bucket}}
	n := sc.Buckets()
	if n <= topology.MaxBuckets {
		return
	}
	msg := fmt.Sprintf("%s in buckets of %s is %d buckets; a run keeps at most %d (one value per metric per bucket): use a longer [metrics] bucket or a shorter duration",
		human.Duration(duration), human.Duration(bucket), n, topology.MaxBuckets)
	if mn := o.get("metrics"); mn != nil {
		if t, ok := mn.v.(*table); ok && t.m["bucket"] != nil {
			d.errorf(t.m["bucket"], "metrics: bucket: %s", msg)
			return
		}
	}
	if dn := o.get("duration"); dn != nil {
		d.errorf(dn, "duration: %s", msg)
		return
	}
	d.at(tomlpos.Pos{}, "the scenario: %s", msg)
}
