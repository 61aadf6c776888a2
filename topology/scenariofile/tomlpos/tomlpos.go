package tomlpos

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pos is a 1-based line and column. Col counts runes (characters), not bytes, so a caret lines up in a terminal.
type Pos struct{ Line, Col int }

// Entry is where one key path is defined.
// An element of an inline array has no key of its own: its Key is its Value.
type Entry struct {
	Key   Pos // first character of the last key segment that names it (for tables: in the [header] or the dotted key)
	Value Pos // first character of the value (for a table header: same as Key; for arrays: the '[')
}

// Join builds a path from segments: a string segment is a key, an int segment is an array index.
// Join("service", "api", "call", 0, "to") == "service.api.call[0].to"
// Any other segment type is a programming error and panics.
func Join(segs ...any) string {
	var b strings.Builder
	for _, seg := range segs {
		switch seg := seg.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(Quote(seg))
		case int:
			b.WriteString(index(seg))
		default:
			panic(fmt.Sprintf("tomlpos.Join: segment %#v is neither a string nor an int", seg))
		}
	}
	return b.String()
}

// Quote returns the path form of one key: bare keys (A-Za-z0-9_-, non-empty) unchanged, others as a TOML basic string ("a.b" -> "\"a.b\"").
func Quote(key string) string {
	if key != "" && strings.IndexFunc(key, func(r rune) bool { return !isBare(r) }) < 0 {
		return key
	}
	var b strings.Builder
	b.WriteByte('"')
	// Bytes, not runes: multi-byte UTF-8 passes through unchanged, and so
	// does invalid UTF-8, which keeps distinct keys distinct.
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func index(i int) string { return "[" + strconv.Itoa(i) + "]" }

func isBare(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' || r == '-'
}

const (
	// maxPath bounds the paths Scan records. Real paths are a few dozen
	// bytes; without a bound, deep nesting or a long table name followed
	// by many keys would make the result grow quadratically with the input.
	maxPath = 1024
	// maxDepth bounds recursion into arrays and inline tables. Each level
	// adds at least two bytes to a path, so nothing deeper could be
	// recorded anyway.
	maxDepth = maxPath / 2
)

const eof = -1

// Scan returns the position of every key path in src. Path syntax is described below.
//
// Keys are joined by '.', each in [Quote] form, and an array element appends
// its 0-based index as "[i]" (see [Join]). Every key/value gets an entry, and
// so does every table named by a header or implied by a header or dotted key
// (first mention wins), every [[array]] and each of its elements, every key
// of an inline table and every element of an inline array, at any depth.
// Inside an array of tables, headers and keys resolve to its latest element.
func Scan(src []byte) map[string]Entry {
	s := &scanner{src: src, line: 1, col: 1, out: map[string]Entry{}, arrays: map[string]int{}}
	// Drop a byte order mark, as BurntSushi/toml does (UTF-16 ones included).
	for _, bom := range []string{"\xef\xbb\xbf", "\xff\xfe", "\xfe\xff"} {
		if s.at(bom) {
			s.off = len(bom)
			break
		}
	}
	for {
		s.skipBlank()
		switch s.peek() {
		case eof:
			return s.out
		case '[':
			s.header()
		default:
			s.keyval(s.table)
		}
		// Whatever is left on the line is a comment or an error.
		s.skipLine()
	}
}

// scanner walks the source rune by rune, keeping the position of the next rune.
type scanner struct {
	src       []byte
	off       int // byte offset of the next rune
	line, col int // position of the next rune
	depth     int // arrays and inline tables open around the next rune

	table  string           // path of the latest [table] or [[array]] element
	arrays map[string]int   // number of elements of each [[array]] so far
	out    map[string]Entry // the result
}

// segment is one part of a dotted key, decoded.
type segment struct {
	name string
	pos  Pos
}

func (s *scanner) pos() Pos { return Pos{s.line, s.col} }

func (s *scanner) at(prefix string) bool {
	return bytes.HasPrefix(s.src[s.off:], []byte(prefix))
}

func (s *scanner) peek() rune {
	if s.off >= len(s.src) {
		return eof
	}
	r, _ := utf8.DecodeRune(s.src[s.off:])
	return r
}

func (s *scanner) next() {
	if s.off >= len(s.src) {
		return
	}
	r, n := utf8.DecodeRune(s.src[s.off:])
	s.off += n
	if r == '\n' {
		s.line, s.col = s.line+1, 1
	} else {
		s.col++
	}
}

func (s *scanner) skip(n int) {
	for range n {
		s.next()
	}
}

func (s *scanner) skipSpace() {
	for r := s.peek(); r == ' ' || r == '\t'; r = s.peek() {
		s.next()
	}
}

func (s *scanner) skipLine() {
	for r := s.peek(); r != eof && r != '\n'; r = s.peek() {
		s.next()
	}
}

// skipBlank skips whitespace, newlines and comments.
func (s *scanner) skipBlank() {
	for {
		switch s.peek() {
		case ' ', '\t', '\r', '\n':
			s.next()
		case '#':
			s.skipLine()
		default:
			return
		}
	}
}

// define records e under path unless path is known already (the first
// definition wins) or too long to be recorded.
func (s *scanner) define(path string, e Entry) {
	if _, ok := s.out[path]; !ok && len(path) <= maxPath {
		s.out[path] = e
	}
}

// child extends path by one key. A path too long to record stops growing,
// so that its descendants cost no more than their own keys.
func child(path, key string) string {
	switch {
	case len(path) > maxPath:
		return path
	case path == "":
		return Quote(key)
	}
	return path + "." + Quote(key)
}

// elem extends path by an array index, like child.
func elem(path string, i int) string {
	if len(path) > maxPath {
		return path
	}
	return path + index(i)
}

// header scans [table] or [[array]] and makes it the current table.
func (s *scanner) header() {
	open := s.pos()
	s.next()
	array := s.peek() == '['
	if array {
		s.next()
	}
	segs := s.key()
	if len(segs) == 0 {
		return
	}
	if !array {
		s.table = s.walk("", segs)
		return
	}
	last := segs[len(segs)-1]
	path := child(s.walk("", segs[:len(segs)-1]), last.name)
	s.define(path, Entry{last.pos, open})
	n := s.arrays[path]
	s.arrays[path] = n + 1
	s.table = elem(path, n)
	s.define(s.table, Entry{last.pos, last.pos})
}

// walk extends path by segs, defining each as a table on first mention and
// descending into the latest element where one is an array of tables.
func (s *scanner) walk(path string, segs []segment) string {
	for _, seg := range segs {
		path = child(path, seg.name)
		s.define(path, Entry{seg.pos, seg.pos})
		if n := s.arrays[path]; n > 0 {
			path = elem(path, n-1)
		}
	}
	return path
}

// keyval scans `key = value` within table.
func (s *scanner) keyval(table string) {
	segs := s.key()
	if len(segs) == 0 || s.peek() != '=' {
		return
	}
	s.next()
	s.skipSpace()
	last := segs[len(segs)-1]
	s.value(child(s.walk(table, segs[:len(segs)-1]), last.name), last.pos)
}

// key scans a dotted key and whitespace around it.
func (s *scanner) key() []segment {
	var segs []segment
	for {
		s.skipSpace()
		pos := s.pos()
		name, ok := s.keyPart()
		if !ok {
			return segs
		}
		segs = append(segs, segment{name, pos})
		s.skipSpace()
		if s.peek() != '.' {
			return segs
		}
		s.next()
	}
}

// keyPart scans one bare or quoted key and returns it decoded.
func (s *scanner) keyPart() (string, bool) {
	start := s.off
	switch s.peek() {
	case '"':
		return s.basicKey(), true
	case '\'':
		s.next()
		for r := s.peek(); r != '\'' && r != '\n' && r != eof; r = s.peek() {
			s.next()
		}
		name := string(s.src[start+1 : s.off])
		if s.peek() == '\'' {
			s.next()
		}
		return name, true
	}
	for isBare(s.peek()) {
		s.next()
	}
	return string(s.src[start:s.off]), s.off > start
}

// basicKey scans a "quoted" key, decoding escapes exactly as BurntSushi/toml
// does so that the paths of both agree.
func (s *scanner) basicKey() string {
	var b strings.Builder
	s.next()
	for {
		switch r := s.peek(); r {
		case '"':
			s.next()
			return b.String()
		case '\n', eof:
			return b.String()
		case '\\':
			s.next()
			s.escape(&b)
		default:
			start := s.off
			s.next()
			b.Write(s.src[start:s.off])
		}
	}
}

var (
	escapes   = map[rune]string{'b': "\b", 't': "\t", 'n': "\n", 'f': "\f", 'r': "\r", 'e': "\x1b", '"': `"`, '\\': `\`}
	hexDigits = map[rune]int{'x': 2, 'u': 4, 'U': 8}
)

// escape decodes the escape sequence after a backslash into b.
func (s *scanner) escape(b *strings.Builder) {
	r := s.peek()
	if e, ok := escapes[r]; ok {
		s.next()
		b.WriteString(e)
		return
	}
	n, ok := hexDigits[r]
	if !ok {
		b.WriteByte('\\') // invalid: keep it as written
		return
	}
	s.next()
	v := 0
	for range n {
		d := strings.IndexRune("0123456789abcdef", unicode.ToLower(s.peek()))
		if d < 0 {
			break
		}
		v = v<<4 | d
		s.next()
	}
	b.WriteRune(rune(v))
}

// value records path, whose key is at key, and scans the value that starts
// here.
func (s *scanner) value(path string, key Pos) {
	s.define(path, Entry{key, s.pos()})
	if q := s.quote(); q != "" {
		s.str(q)
		return
	}
	switch r := s.peek(); {
	case (r == '[' || r == '{') && s.depth >= maxDepth:
		s.skipNested()
	case r == '[':
		s.seq(']', func(i int) { s.value(elem(path, i), s.pos()) })
	case r == '{':
		s.seq('}', func(int) { s.keyval(path) })
	default:
		// A number, boolean or date. It ends at a delimiter, not at a
		// space: "1979-05-27 07:32:00" is one value.
		for r != eof && !strings.ContainsRune(",]}#\n", r) {
			s.next()
			r = s.peek()
		}
	}
}

// seq scans the comma-separated items of an array or inline table up to
// close. Newlines and comments may come between items (in inline tables since
// TOML 1.1, which BurntSushi/toml accepts).
func (s *scanner) seq(close rune, item func(i int)) {
	s.next()
	s.depth++
	for i := 0; ; i++ {
		s.skipBlank()
		if r := s.peek(); r == close || r == eof {
			break
		}
		item(i)
		s.skipBlank()
		if s.peek() != ',' {
			break
		}
		s.next()
	}
	if s.peek() == close {
		s.next()
	}
	s.depth--
}

// skipNested skips, without recursion, an array or inline table nested too
// deep for anything in it to be recorded.
func (s *scanner) skipNested() {
	for depth := 0; ; {
		if q := s.quote(); q != "" {
			s.str(q)
			continue
		}
		switch s.peek() {
		case eof:
			return
		case '#':
			s.skipLine()
			continue
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		s.next()
		if depth == 0 {
			return
		}
	}
}

// quote returns the string delimiter that starts here, if any.
func (s *scanner) quote() string {
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if s.at(q) {
			return q
		}
	}
	return ""
}

// str scans a string opened by delimiter q. A single-line string also ends
// at a newline, so that an unterminated one cannot swallow the document.
func (s *scanner) str(q string) {
	s.skip(len(q))
	for r := s.peek(); r != eof; r = s.peek() {
		switch {
		case r == '\n' && len(q) == 1:
			return
		case r == '\\' && q[0] == '"':
			s.next() // and the escaped rune below
		case s.at(q):
			s.skip(len(q))
			// Up to two more quotes may follow: """a""""" is `a""`.
			for i := 0; i < 2 && len(q) == 3 && s.at(q[:1]); i++ {
				s.next()
			}
			return
		}
		s.next()
	}
}
