package posdoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pos is a 1-based line and rune column.
type Pos struct{ Line, Col int }

// Value is one value of a document. V is a string, int64, float64, bool,
// nil (JSON null, YAML ~), *Map or []*Value.
type Value struct {
	Key Pos // where the key naming it is written; its own position for list elements and the root
	Pos Pos // where the value starts
	V   any
}

// Map is an object (JSON) or mapping (YAML) with its keys in document order.
type Map struct {
	Keys []string
	M    map[string]*Value
}

// Error is a syntax problem at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg) }

// maxValues bounds the values of one document, YAML aliases expanded.
const maxValues = 100_000

// maxDepth bounds how deep objects and lists nest: real service configs
// and Envoy resources nest ten levels at most, and every level costs each
// value below it (its path, its recursion).
const maxDepth = 32

// tooDeep is the error for a value nested deeper than maxDepth.
func tooDeep(pos Pos) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
}

// JSON reads one JSON document (RFC 8259; nothing may follow it).
func JSON(src []byte) (*Value, error) {
	p := &jsonReader{src: src, dec: json.NewDecoder(bytes.NewReader(src))}
	p.dec.UseNumber()
	v, err := p.value(Pos{}, 0)
	if err != nil {
		return nil, err
	}
	if off := p.skip(int(p.dec.InputOffset())); off < len(src) {
		return nil, &Error{Pos: p.posAt(off), Msg: "unexpected text after the end of the document"}
	}
	return v, nil
}

type jsonReader struct {
	src []byte
	dec *json.Decoder
	n   int

	off int // the offset of the last position asked for, and that position
	at  Pos
}

// posAt is the line and rune column of offset off, counted on from the
// last position asked for: tokens move forward, so finding each one's
// position costs the text since the last, not the whole text before it
// (which made a document nested 50,000 deep take 18 seconds).
func (p *jsonReader) posAt(off int) Pos {
	off = min(max(off, 0), len(p.src))
	if off < p.off || p.at.Line == 0 {
		p.off, p.at = 0, Pos{Line: 1, Col: 1}
	}
	for _, c := range p.src[p.off:off] {
		switch {
		case c == '\n':
			p.at = Pos{Line: p.at.Line + 1, Col: 1}
		case c&0xC0 != 0x80: // the first byte of a rune
			p.at.Col++
		}
	}
	p.off = off
	return p.at
}

// skip moves off past whitespace and the separators the decoder consumes
// silently, to where the next token starts.
func (p *jsonReader) skip(off int) int {
	for off < len(p.src) && strings.IndexByte(" \t\r\n:,", p.src[off]) >= 0 {
		off++
	}
	return off
}

func (p *jsonReader) token() (json.Token, Pos, error) {
	start := p.skip(int(p.dec.InputOffset()))
	pos := p.posAt(start)
	t, err := p.dec.Token()
	if err != nil {
		msg := err.Error()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			pos = p.posAt(p.errorOffset(se, start))
			msg = strings.TrimPrefix(se.Error(), "json: ")
		} else if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			pos, msg = p.posAt(len(p.src)), "unexpected end of the document"
		}
		return nil, pos, &Error{Pos: pos, Msg: "invalid JSON: " + msg}
	}
	return t, pos, nil
}

var badChar = regexp.MustCompile(`invalid character ('(?:[^'\\]|\\[^']*)')`)

// errorOffset finds the character a syntax error names, from start (where
// the token being read begins): the decoder's own offsets are not reliable
// inside a value.
func (p *jsonReader) errorOffset(se *json.SyntaxError, start int) int {
	if m := badChar.FindStringSubmatch(se.Error()); m != nil {
		if c, err := strconv.Unquote(m[1]); err == nil {
			if i := bytes.Index(p.src[min(start, len(p.src)):], []byte(c)); i >= 0 {
				return start + i
			}
		}
	}
	return min(int(se.Offset), len(p.src))
}

func (p *jsonReader) value(key Pos, depth int) (*Value, error) {
	t, pos, err := p.token()
	if err != nil {
		return nil, err
	}
	if depth > maxDepth {
		return nil, tooDeep(pos)
	}
	if p.n++; p.n > maxValues {
		return nil, &Error{Pos: pos, Msg: fmt.Sprintf("more than %d values", maxValues)}
	}
	if key == (Pos{}) {
		key = pos
	}
	v := &Value{Key: key, Pos: pos}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &Map{M: map[string]*Value{}}
			for p.dec.More() {
				kt, kpos, err := p.token()
				if err != nil {
					return nil, err
				}
				k := kt.(string) // the decoder only yields strings as keys
				if prev := m.M[k]; prev != nil {
					return nil, &Error{Pos: kpos, Msg: fmt.Sprintf("duplicate key %q (first at line %d)", k, prev.Key.Line)}
				}
				child, err := p.value(kpos, depth+1)
				if err != nil {
					return nil, err
				}
				m.Keys = append(m.Keys, k)
				m.M[k] = child
			}
			v.V = m
		case '[':
			var arr []*Value
			for p.dec.More() {
				child, err := p.value(Pos{}, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, child)
			}
			v.V = arr
		}
		if _, _, err := p.token(); err != nil { // the closing delimiter
			return nil, err
		}
	case json.Number:
		v.V = number(string(t))
	default: // string, bool, nil
		v.V = t
	}
	return v, nil
}

// number is an int64 when s is written as a whole number that fits,
// float64 otherwise.
func number(s string) any {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	f, _ := strconv.ParseFloat(s, 64) // the decoder has checked the syntax; out of range gives ±Inf
	return f
}

// YAML reads one YAML document.
func YAML(src []byte) (*Value, error) {
	var doc, next yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, yamlError(err)
	}
	if err := dec.Decode(&next); err != io.EOF {
		if err != nil {
			return nil, yamlError(err)
		}
		return nil, &Error{Pos: Pos{Line: next.Line, Col: next.Column}, Msg: "a second YAML document; give one resource per file"}
	}
	if doc.Kind == 0 { // empty input
		return &Value{Key: Pos{1, 1}, Pos: Pos{1, 1}, V: nil}, nil
	}
	r := &yamlReader{}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return r.value(root, Pos{}, 0)
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlError turns the library's "yaml: line N: msg" into a positioned Error.
func yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Pos: Pos{Line: line, Col: 1}, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{Pos: Pos{Line: 1, Col: 1}, Msg: "invalid YAML: " + msg}
}

type yamlReader struct{ n int }

func (r *yamlReader) value(n *yaml.Node, key Pos, depth int) (*Value, error) {
	pos := Pos{Line: n.Line, Col: n.Column}
	if depth > maxDepth {
		return nil, tooDeep(pos)
	}
	if r.n++; r.n > maxValues {
		return nil, &Error{Pos: pos, Msg: fmt.Sprintf("more than %d values (aliases included)", maxValues)}
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, &Error{Pos: pos, Msg: "alias to nothing"}
		}
		v, err := r.value(n.Alias, key, depth)
		if err != nil {
			return nil, err
		}
		v.Pos = pos // an alias is reported where it is used
		return v, nil
	}
	if key == (Pos{}) {
		key = pos
	}
	v := &Value{Key: key, Pos: pos}
	switch n.Kind {
	case yaml.MappingNode:
		m := &Map{M: map[string]*Value{}}
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := n.Content[i]
			kpos := Pos{Line: kn.Line, Col: kn.Column}
			if kn.Kind != yaml.ScalarNode {
				return nil, &Error{Pos: kpos, Msg: "a key must be a plain string"}
			}
			k := kn.Value
			if kn.Tag == "!!merge" {
				return nil, &Error{Pos: kpos, Msg: "YAML merge keys (<<) are not supported; write the keys out"}
			}
			if prev := m.M[k]; prev != nil {
				return nil, &Error{Pos: kpos, Msg: fmt.Sprintf("duplicate key %q (first at line %d)", k, prev.Key.Line)}
			}
			child, err := r.value(n.Content[i+1], kpos, depth+1)
			if err != nil {
				return nil, err
			}
			m.Keys = append(m.Keys, k)
			m.M[k] = child
		}
		v.V = m
	case yaml.SequenceNode:
		arr := []*Value{}
		for _, c := range n.Content {
			child, err := r.value(c, Pos{}, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, child)
		}
		v.V = arr
	case yaml.ScalarNode:
		v.V = scalar(n)
	default:
		return nil, &Error{Pos: pos, Msg: "unexpected YAML node"}
	}
	return v, nil
}

// scalar decodes a YAML scalar by its resolved tag; a value the tag does not
// fit stays a string, so that the caller reports it with its text.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}
