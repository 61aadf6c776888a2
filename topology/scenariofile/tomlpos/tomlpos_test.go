package tomlpos

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// at is an Entry: the key's line and column, then the value's.
func at(keyLine, keyCol, valueLine, valueCol int) Entry {
	return Entry{Pos{keyLine, keyCol}, Pos{valueLine, valueCol}}
}

// scanTests lists, for each snippet, every entry Scan must return.
var scanTests = []struct {
	name string
	src  string
	want map[string]Entry
}{
	{
		name: "path syntax by example",
		src: `name = "x"
[service.api]
workers = 4
service_time = { dist = "exponential", mean = "10ms" }
[[service.api.call]]
to = "db"
[[service.api.call]]
to = "cache"
retry.max_attempts = 3
[client."my client"]
schedule = [ { at = "1m", rate = 2 }, { at = "2m", rate = 4 } ]
targets = ["a", "b"]
`,
		want: map[string]Entry{
			"name":                                   at(1, 1, 1, 8),
			"service":                                at(2, 2, 2, 2), // implied by [service.api]
			"service.api":                            at(2, 10, 2, 10),
			"service.api.workers":                    at(3, 1, 3, 11),
			"service.api.service_time":               at(4, 1, 4, 16),
			"service.api.service_time.dist":          at(4, 18, 4, 25),
			"service.api.service_time.mean":          at(4, 40, 4, 47),
			"service.api.call":                       at(5, 15, 5, 1), // the array: its value is the first '[' of [[
			"service.api.call[0]":                    at(5, 15, 5, 15),
			"service.api.call[0].to":                 at(6, 1, 6, 6),
			"service.api.call[1]":                    at(7, 15, 7, 15),
			"service.api.call[1].to":                 at(8, 1, 8, 6),
			"service.api.call[1].retry":              at(9, 1, 9, 1), // implied by the dotted key
			"service.api.call[1].retry.max_attempts": at(9, 7, 9, 22),
			`client`:                                 at(10, 2, 10, 2),
			`client."my client"`:                     at(10, 9, 10, 9),
			`client."my client".schedule`:            at(11, 1, 11, 12),
			`client."my client".schedule[0]`:         at(11, 14, 11, 14), // elements: Key is Value
			`client."my client".schedule[0].at`:      at(11, 16, 11, 21),
			`client."my client".schedule[0].rate`:    at(11, 27, 11, 34),
			`client."my client".schedule[1]`:         at(11, 39, 11, 39),
			`client."my client".schedule[1].at`:      at(11, 41, 11, 46),
			`client."my client".schedule[1].rate`:    at(11, 52, 11, 59),
			`client."my client".targets`:             at(12, 1, 12, 11),
			`client."my client".targets[0]`:          at(12, 12, 12, 12),
			`client."my client".targets[1]`:          at(12, 17, 12, 17),
		},
	},
	{
		name: "values start at their first character",
		src: `name = "x"
count = -4
ratio = 0.5
on = true
when = 1979-05-27 07:32:00Z
lit = 'C:\path'
`,
		want: map[string]Entry{
			"name":  at(1, 1, 1, 8),
			"count": at(2, 1, 2, 9),
			"ratio": at(3, 1, 3, 9),
			"on":    at(4, 1, 4, 6),
			"when":  at(5, 1, 5, 8),
			"lit":   at(6, 1, 6, 7),
		},
	},
	{
		name: "implicit tables keep their first definition",
		src: `[service.api]
workers = 4
[service.db]
[service]
x = 1
`,
		want: map[string]Entry{
			"service":             at(1, 2, 1, 2),
			"service.api":         at(1, 10, 1, 10),
			"service.api.workers": at(2, 1, 2, 11),
			"service.db":          at(3, 10, 3, 10),
			"service.x":           at(5, 1, 5, 5),
		},
	},
	{
		name: "headers inside an array of tables resolve to its latest element",
		src: `[[fruit]]
name = "apple"
[fruit.physical]
color = "red"
[[fruit.variety]]
name = "red delicious"
[[fruit.variety]]
name = "granny smith"
[[fruit]]
name = "banana"
[[fruit.variety]]
name = "plantain"
`,
		want: map[string]Entry{
			"fruit":                    at(1, 3, 1, 1),
			"fruit[0]":                 at(1, 3, 1, 3),
			"fruit[0].name":            at(2, 1, 2, 8),
			"fruit[0].physical":        at(3, 8, 3, 8),
			"fruit[0].physical.color":  at(4, 1, 4, 9),
			"fruit[0].variety":         at(5, 9, 5, 1),
			"fruit[0].variety[0]":      at(5, 9, 5, 9),
			"fruit[0].variety[0].name": at(6, 1, 6, 8),
			"fruit[0].variety[1]":      at(7, 9, 7, 9),
			"fruit[0].variety[1].name": at(8, 1, 8, 8),
			"fruit[1]":                 at(9, 3, 9, 3),
			"fruit[1].name":            at(10, 1, 10, 8),
			"fruit[1].variety":         at(11, 9, 11, 1),
			"fruit[1].variety[0]":      at(11, 9, 11, 9),
			"fruit[1].variety[0].name": at(12, 1, 12, 8),
		},
	},
	{
		name: "dotted keys, with whitespace around the dots",
		src: `a . b = 1
a.c = 2
[t]
x.y.z = 3
[ u . v ]
`,
		want: map[string]Entry{
			"a":       at(1, 1, 1, 1),
			"a.b":     at(1, 5, 1, 9),
			"a.c":     at(2, 3, 2, 7),
			"t":       at(3, 2, 3, 2),
			"t.x":     at(4, 1, 4, 1),
			"t.x.y":   at(4, 3, 4, 3),
			"t.x.y.z": at(4, 5, 4, 9),
			"u":       at(5, 3, 5, 3),
			"u.v":     at(5, 7, 5, 7),
		},
	},
	{
		name: "quoted keys may hold dots, '=', '#', brackets and escapes",
		src: `"a.b" = 1
'C:\dir' = 2
"x = #[y]".z = 3
"" = 4
"tab\there" = 5
"caf\u00e9" = 6
[client."my client"]
rate = 7
`,
		want: map[string]Entry{
			`"a.b"`:                   at(1, 1, 1, 9),
			`"C:\\dir"`:               at(2, 1, 2, 12),
			`"x = #[y]"`:              at(3, 1, 3, 1),
			`"x = #[y]".z`:            at(3, 12, 3, 16),
			`""`:                      at(4, 1, 4, 6),
			`"tab\u0009here"`:         at(5, 1, 5, 15),
			`"café"`:                  at(6, 1, 6, 15),
			`client`:                  at(7, 2, 7, 2),
			`client."my client"`:      at(7, 9, 7, 9),
			`client."my client".rate`: at(8, 1, 8, 8),
		},
	},
	{
		name: "inline tables at any depth",
		src:  `svc = { time = { dist = "exp", mean = "10ms" }, tags.primary = "a" }`,
		want: map[string]Entry{
			"svc":              at(1, 1, 1, 7),
			"svc.time":         at(1, 9, 1, 16),
			"svc.time.dist":    at(1, 18, 1, 25),
			"svc.time.mean":    at(1, 32, 1, 39),
			"svc.tags":         at(1, 49, 1, 49),
			"svc.tags.primary": at(1, 54, 1, 64),
		},
	},
	{
		name: "nested arrays",
		src:  `m = [[1, 2], [3, [4]]]`,
		want: map[string]Entry{
			"m":          at(1, 1, 1, 5),
			"m[0]":       at(1, 6, 1, 6),
			"m[0][0]":    at(1, 7, 1, 7),
			"m[0][1]":    at(1, 10, 1, 10),
			"m[1]":       at(1, 14, 1, 14),
			"m[1][0]":    at(1, 15, 1, 15),
			"m[1][1]":    at(1, 18, 1, 18),
			"m[1][1][0]": at(1, 19, 1, 19),
		},
	},
	{
		name: "arrays span lines, with comments and a trailing comma",
		src: `targets = [ # the services
  "a", # first
  # "not", an element
  "b",
]
next = 1
`,
		want: map[string]Entry{
			"targets":    at(1, 1, 1, 11),
			"targets[0]": at(2, 3, 2, 3),
			"targets[1]": at(4, 3, 4, 3),
			"next":       at(6, 1, 6, 8),
		},
	},
	{
		name: "inline tables span lines (TOML 1.1)",
		src: `t = {
  a = 1, # comment
  b = [2,
    3],
}
`,
		want: map[string]Entry{
			"t":      at(1, 1, 1, 5),
			"t.a":    at(2, 3, 2, 7),
			"t.b":    at(3, 3, 3, 7),
			"t.b[0]": at(3, 8, 3, 8),
			"t.b[1]": at(4, 5, 4, 5),
		},
	},
	{
		name: "multi-line strings hide keys, headers and comments",
		src: `doc = """
not = "a key"
[not.a.header]
# \""" not the end
"""
lit = '''
[[x]]
'''
cont = """ \
  y = 1 """
quotes = """a"""""
after = 1
`,
		want: map[string]Entry{
			"doc":    at(1, 1, 1, 7),
			"lit":    at(6, 1, 6, 7),
			"cont":   at(9, 1, 9, 8),
			"quotes": at(11, 1, 11, 10),
			"after":  at(12, 1, 12, 9),
		},
	},
	{
		name: "comments",
		src: `# [not.a.table]
a = 1 # b = 2
s = "# not a comment" # c = 3
`,
		want: map[string]Entry{
			"a": at(2, 1, 2, 5),
			"s": at(3, 1, 3, 5),
		},
	},
	{
		name: "CRLF line endings",
		src:  "a = 1\r\n[t]\r\nb = [\r\n  2,\r\n]\r\n",
		want: map[string]Entry{
			"a":      at(1, 1, 1, 5),
			"t":      at(2, 2, 2, 2),
			"t.b":    at(3, 1, 3, 5),
			"t.b[0]": at(4, 3, 4, 3),
		},
	},
	{
		name: "a byte order mark takes no column",
		src:  "\ufeffa = 1\nb = 2\n",
		want: map[string]Entry{
			"a": at(1, 1, 1, 5),
			"b": at(2, 1, 2, 5),
		},
	},
	{
		name: "a tab is one column",
		src:  "\tkey\t=\t\"v\"\n[\ttab\t]\n",
		want: map[string]Entry{
			"key": at(1, 2, 1, 8),
			"tab": at(2, 3, 2, 3),
		},
	},
	{
		name: "columns count runes, not bytes",
		src: `"clé" = "värde"
t = { a = "日本語", b = 2 }
`,
		want: map[string]Entry{
			`"clé"`: at(1, 1, 1, 9),
			"t":     at(2, 1, 2, 5),
			"t.a":   at(2, 7, 2, 11),
			"t.b":   at(2, 18, 2, 22),
		},
	},
	{
		name: "an array redefined by a dotted key keeps its first definition",
		// Invalid TOML that BurntSushi/toml accepts, decoding a as {b = 2}.
		src: `a = [1]
a.b = 2
`,
		want: map[string]Entry{
			"a":    at(1, 1, 1, 5),
			"a[0]": at(1, 6, 1, 6),
			"a.b":  at(2, 3, 2, 7),
		},
	},
	{
		name: "an unterminated string ends at its line",
		src: `a = "x
b = 1
`,
		want: map[string]Entry{
			"a": at(1, 1, 1, 5),
			"b": at(2, 1, 2, 5),
		},
	},
	{
		name: "an invalid escape is kept as written, an unterminated key names nothing",
		src: `"a\q" = 1
"b
`,
		want: map[string]Entry{
			`"a\\q"`: at(1, 1, 1, 9),
		},
	},
	{
		name: "lines that are not TOML are skipped",
		src: `= 1
[
]]
{
a = 1
`,
		want: map[string]Entry{
			"a": at(5, 1, 5, 5),
		},
	},
	{
		name: "a table redefined in an inline table keeps its first definition",
		// Invalid TOML that BurntSushi/toml accepts, decoding t as {a = 2}.
		src: `t = {a.b = 1, a = 2}`,
		want: map[string]Entry{
			"t":     at(1, 1, 1, 5),
			"t.a":   at(1, 6, 1, 6),
			"t.a.b": at(1, 8, 1, 12),
		},
	},
	{
		name: "an empty key in a table in an array",
		// BurntSushi/toml decodes this as a = [{"" = 2}]; see checkDecoded.
		src: `a = [1, {"" = 2}]`,
		want: map[string]Entry{
			"a":       at(1, 1, 1, 5),
			"a[0]":    at(1, 6, 1, 6),
			"a[1]":    at(1, 9, 1, 9),
			`a[1].""`: at(1, 10, 1, 15),
		},
	},
	{
		name: "an array with an empty key",
		// BurntSushi/toml decodes this as a."" = [{b = 2}]; see checkDecoded.
		src: `a."" = [1, {b = 2}]`,
		want: map[string]Entry{
			`a`:         at(1, 1, 1, 1),
			`a.""`:      at(1, 3, 1, 8),
			`a.""[0]`:   at(1, 9, 1, 9),
			`a.""[1]`:   at(1, 12, 1, 12),
			`a.""[1].b`: at(1, 13, 1, 17),
		},
	},
	{
		name: "a date with a space is one array element",
		src:  `d = [1979-05-27 07:32:00Z, 1979-05-28]`,
		want: map[string]Entry{
			"d":    at(1, 1, 1, 5),
			"d[0]": at(1, 6, 1, 6),
			"d[1]": at(1, 28, 1, 28),
		},
	},
}

func TestScan(t *testing.T) {
	for _, tt := range scanTests {
		t.Run(tt.name, func(t *testing.T) {
			got := Scan([]byte(tt.src))
			for _, p := range slices.Sorted(maps.Keys(tt.want)) {
				if g, ok := got[p]; !ok {
					t.Errorf("%s: missing, want %v", p, tt.want[p])
				} else if g != tt.want[p] {
					t.Errorf("%s: got %v, want %v", p, g, tt.want[p])
				}
			}
			for _, p := range slices.Sorted(maps.Keys(got)) {
				if _, ok := tt.want[p]; !ok {
					t.Errorf("%s: unexpected entry %v", p, got[p])
				}
			}
			checkDecoded(t, []byte(tt.src), got)
		})
	}
}

// TestScanLimits checks that input beyond Scan's limits is skipped without
// losing what follows.
func TestScanLimits(t *testing.T) {
	long := strings.Repeat("k", maxPath)
	src := "deep = " + strings.Repeat("[", 3*maxDepth) + `"]", '''#''', # ]` + "\n" +
		`{ a = "}" }` + strings.Repeat("]", 3*maxDepth) + "\n" +
		"[" + long + "]\n" + "x.y = 1\n" +
		"[t]\n" + "y = 2\n"
	got := Scan([]byte(src))
	for _, p := range []string{"deep", "deep[0]", long, "t", "t.y"} {
		if _, ok := got[p]; !ok {
			t.Errorf("%s: missing", p)
		}
	}
	for p := range got {
		if len(p) > maxPath {
			t.Errorf("recorded a path of %d bytes, more than %d", len(p), maxPath)
		}
	}
	if checkDecoded(t, []byte(src), got) == nil {
		t.Fatal("not checked: the decoder rejects this document")
	}
}

// TestScanAgreesWithDecoder checks realistic documents against what
// BurntSushi/toml decodes from them.
func TestScanAgreesWithDecoder(t *testing.T) {
	docs := map[string]string{
		"scenario": `# Checkout under a database brown-out.
title = "checkout brown-out"
seed = 42
duration = "10m"

[defaults]
timeout = "250ms"
retry = { max_attempts = 3, backoff = { base = "10ms", cap = "1s", jitter = true } }

[service.api]
workers = 4
queue = 128
service_time = { dist = "exponential", mean = "10ms" }

[[service.api.call]]
to = "db"
probability = 1.0
timeout = "100ms"

[[service.api.call]]
to = "cache"
probability = 0.8
retry.max_attempts = 2
retry.on = ["timeout", "unavailable"]

[service.db]
workers = 16
service_time = { dist = "lognormal", median = "2ms", p99 = "40ms" }

[client."web shop"]
target = "api"
schedule = [
  { at = "0s", rate = 100 },
  { at = "2m", rate = 400 }, # peak
]

[[failure]]
kind = "slowdown"
target = "db"
window = { from = 2020-01-01T00:02:00Z, to = 2020-01-01T00:05:00Z }
factor = 8.5

[[failure]]
kind = "crash"
target = "cache"
at = "3m"
notes = """
A crash, then [recovery] after
  restart = "30s"
"""
`,
		"toml.io example": `# This is a TOML document

title = "TOML Example"

[owner]
name = "Tom Preston-Werner"
dob = 1979-05-27T07:32:00-08:00

[database]
enabled = true
ports = [ 8000, 8001, 8002 ]
data = [ ["delta", "phi"], [3.14] ]
temp_targets = { cpu = 79.5, case = 72.0 }

[servers]

[servers.alpha]
ip = "10.0.0.1"
role = "frontend"

[servers.beta]
ip = "10.0.0.2"
role = "backend"
`,
		"spec corners": "\ufeff" + `"quoted.key" = 'lit'
site."google.com" = true
3.14159 = "pi"
int = [0xDEAD_BEEF, 0o755, 0b1101, +1_000, -inf, nan]
odt = [1979-05-27 07:32:00Z, 07:32:00, 1979-05-27T00:32:00.999999]
[[products]]
name = "Hammer"
[[products]]
[[products]]
name = "Nail"
[dog."tater.man".type]
name = "pug"
[[fruits]]
[fruits.physical]
color = "red"
[[fruits.varieties]]
[[fruits]]
[[fruits.varieties]]
name = "plantain"
[ j . "ʞ" . 'l' ]
esc = "\"\\\b\t\n\f\r\u00e9\U0001F600\e\x41"
ml = """\
  Roses are red
  Violets are blue""""
`,
	}
	for name, src := range docs {
		t.Run(name, func(t *testing.T) {
			got := Scan([]byte(src))
			doc := checkDecoded(t, []byte(src), got)
			if doc == nil {
				t.Fatal("not checked: the decoder rejects this document")
			}
			checkKinds(t, []byte(src), doc, got)
		})
	}
}

// checkDecoded decodes src with BurntSushi/toml and, if it is accepted,
// checks that got holds every key and element of the decoded tree, with its
// positions at the start of a token. It returns the decoded document, or nil
// if it checked nothing.
func checkDecoded(t *testing.T, src []byte, got map[string]Entry) map[string]any {
	t.Helper()
	var doc map[string]any
	md, err := toml.Decode(string(src), &doc)
	if err != nil {
		return nil
	}
	for _, k := range md.Keys() {
		if slices.Contains(k, "") {
			// BurntSushi/toml v1.6.0 records the type of a value with
			// an empty key on the key enclosing it, and then mistakes
			// which keys hold arrays: a = [1, {"" = 2}] decodes as
			// a = [{"" = 2}]. Its tree need not match the source.
			return nil
		}
	}
	lines := splitLines(src)
	walkDecoded(nil, doc, func(path string, _ any) {
		if len(path) > maxPath {
			return // Scan records no longer paths, by design
		}
		e, ok := got[path]
		if !ok {
			t.Errorf("%s: decoded but not scanned", path)
			return
		}
		if !strings.HasSuffix(path, "]") && !lines.atToken(e.Key) {
			t.Errorf("%s: key at %v is not the start of a token", path, e.Key)
		}
		if !lines.atToken(e.Value) {
			t.Errorf("%s: value at %v is not the start of a token", path, e.Value)
		}
	})
	return doc
}

// checkKinds checks that every value position in got is on a character
// that starts a value of the decoded kind. That holds for valid TOML only:
// the decoder accepts some redefinitions, such as {a.b = 1, a = 2}, where
// Scan keeps the first definition.
func checkKinds(t *testing.T, src []byte, doc map[string]any, got map[string]Entry) {
	t.Helper()
	lines := splitLines(src)
	walkDecoded(nil, doc, func(path string, v any) {
		e := got[path]
		var starts string
		switch v.(type) {
		case string:
			starts = `"'`
		case []any, []map[string]any:
			starts = "["
		case map[string]any:
			if e.Key == e.Value {
				return // a table named in a header, a dotted key or [[array]]
			}
			starts = "{"
		case bool:
			starts = "tf"
		case int64, float64:
			starts = "0123456789+-in"
		case time.Time:
			starts = "0123456789"
		}
		if r := lines.at(e.Value); !strings.ContainsRune(starts, r) {
			t.Errorf("%s: value %v at %v starts with %q", path, v, e.Value, r)
		}
	})
}

// walkDecoded calls visit with the path and value of every key and element
// in a decoded TOML tree.
func walkDecoded(segs []any, v any, visit func(path string, v any)) {
	if len(segs) > 0 {
		visit(Join(segs...), v)
	}
	segs = segs[:len(segs):len(segs)] // append below must copy
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			walkDecoded(append(segs, k), e, visit)
		}
	case []map[string]any:
		for i, e := range v {
			walkDecoded(append(segs, i), e, visit)
		}
	case []any:
		for i, e := range v {
			walkDecoded(append(segs, i), e, visit)
		}
	}
}

// source is a document split into lines of runes, as Scan counts them.
type source [][]rune

func splitLines(src []byte) source {
	text := string(src)
	for _, bom := range []string{"\xef\xbb\xbf", "\xff\xfe", "\xfe\xff"} {
		if t, ok := strings.CutPrefix(text, bom); ok {
			text = t
			break
		}
	}
	var lines source
	for l := range strings.SplitSeq(text, "\n") {
		lines = append(lines, []rune(l))
	}
	return lines
}

// at returns the rune at p, or utf8.RuneError if p lies outside the source.
func (s source) at(p Pos) rune {
	if p.Line < 1 || p.Line > len(s) || p.Col < 1 || p.Col > len(s[p.Line-1]) {
		return utf8.RuneError
	}
	return s[p.Line-1][p.Col-1]
}

// atToken reports whether p is on the first character of a key or value:
// on no delimiter, and after one or at the start of its line.
func (s source) atToken(p Pos) bool {
	if r := s.at(p); r == utf8.RuneError || strings.ContainsRune(" \t\r=.,]}#", r) {
		return false
	}
	return p.Col == 1 || strings.ContainsRune(" \t=.,[{", s[p.Line-1][p.Col-2])
}

func TestQuote(t *testing.T) {
	for key, want := range map[string]string{
		"name":      `name`,
		"a-b_9":     `a-b_9`,
		"":          `""`,
		"my client": `"my client"`,
		"a.b":       `"a.b"`,
		`say "hi"`:  `"say \"hi\""`,
		`C:\dir`:    `"C:\\dir"`,
		"tab\there": `"tab\u0009here"`,
		"clé":       `"clé"`,
	} {
		if got := Quote(key); got != want {
			t.Errorf("Quote(%q) = %s, want %s", key, got, want)
		}
	}
}

func TestJoin(t *testing.T) {
	for _, tt := range []struct {
		segs []any
		want string
	}{
		{nil, ""},
		{[]any{"name"}, "name"},
		{[]any{"service", "api", "call", 0, "to"}, "service.api.call[0].to"},
		{[]any{"m", 0, 1}, "m[0][1]"},
		{[]any{"client", "my client", "rate"}, `client."my client".rate`},
		{[]any{"site", "google.com"}, `site."google.com"`},
	} {
		if got := Join(tt.segs...); got != tt.want {
			t.Errorf("Join(%#v) = %s, want %s", tt.segs, got, tt.want)
		}
	}
}

func TestJoinPanicsOnOtherTypes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Join(int64(1)) did not panic")
		}
	}()
	Join(int64(1))
}

func ExampleScan() {
	src := []byte(`[service.api]
workers = "four"
`)
	e := Scan(src)[Join("service", "api", "workers")]
	line := strings.Split(string(src), "\n")[e.Value.Line-1]
	fmt.Printf("scenario.toml:%d:%d: workers must be an integer\n", e.Value.Line, e.Value.Col)
	fmt.Println(line)
	fmt.Println(strings.Repeat(" ", e.Value.Col-1) + "^")
	// Output:
	// scenario.toml:2:11: workers must be an integer
	// workers = "four"
	//           ^
}
