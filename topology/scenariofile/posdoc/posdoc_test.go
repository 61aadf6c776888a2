package posdoc

import "testing"

func TestJSONPositions(t *testing.T) {
	src := "{\n  \"a\": 1,\n  \"b\": [true, \"x\", 1.5],\n  \"c\": {\"d\": null}\n}\n"
	v, err := JSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m := v.V.(*Map)
	if got := m.Keys; len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Fatalf("keys %v", got)
	}
	tests := []struct {
		name     string
		v        *Value
		key, pos Pos
		want     any
	}{
		{"a", m.M["a"], Pos{2, 3}, Pos{2, 8}, int64(1)},
		{"b[1]", m.M["b"].V.([]*Value)[1], Pos{3, 15}, Pos{3, 15}, "x"},
		{"b[2]", m.M["b"].V.([]*Value)[2], Pos{3, 20}, Pos{3, 20}, 1.5},
		{"c.d", m.M["c"].V.(*Map).M["d"], Pos{4, 9}, Pos{4, 14}, nil},
	}
	for _, tc := range tests {
		if tc.v.Key != tc.key || tc.v.Pos != tc.pos || tc.v.V != tc.want {
			t.Errorf("%s: key %v pos %v value %#v, want %v %v %#v", tc.name, tc.v.Key, tc.v.Pos, tc.v.V, tc.key, tc.pos, tc.want)
		}
	}
}

func TestYAMLPositions(t *testing.T) {
	src := "a: 1\nb:\n  - true\n  - x\n  - 1.5\nc: {d: ~, e: \"2\"}\n"
	v, err := YAML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m := v.V.(*Map)
	c := m.M["c"].V.(*Map)
	tests := []struct {
		name     string
		v        *Value
		key, pos Pos
		want     any
	}{
		{"a", m.M["a"], Pos{1, 1}, Pos{1, 4}, int64(1)},
		{"b[1]", m.M["b"].V.([]*Value)[1], Pos{4, 5}, Pos{4, 5}, "x"},
		{"b[2]", m.M["b"].V.([]*Value)[2], Pos{5, 5}, Pos{5, 5}, 1.5},
		{"c.d", c.M["d"], Pos{6, 5}, Pos{6, 8}, nil},
		{"c.e", c.M["e"], Pos{6, 11}, Pos{6, 14}, "2"},
	}
	for _, tc := range tests {
		if tc.v.Key != tc.key || tc.v.Pos != tc.pos || tc.v.V != tc.want {
			t.Errorf("%s: key %v pos %v value %#v, want %v %v %#v", tc.name, tc.v.Key, tc.v.Pos, tc.v.V, tc.key, tc.pos, tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src string
		yaml      bool
		want      string
	}{
		{"json syntax", "{\n  \"a\": 1,\n  \"b\" 2\n}", false, "3:7: invalid JSON: invalid character '2' after object key"},
		{"json comment", "# a comment\n{}", false, "1:1: invalid JSON: invalid character '#' looking for beginning of value"},
		{"json bad value", "{\"a\": tru}", false, "1:10: invalid JSON: invalid character '}' in literal true (expecting 'e')"},
		{"json bad list", "{\"a\": [1, 2, x]}", false, "1:14: invalid JSON: invalid character 'x' looking for beginning of value"},
		{"json quote", "{\"a\": 1 'b'}", false, "1:9: invalid JSON: invalid character '\\'' after object key:value pair"},
		{"json duplicate", "{\"a\": 1,\n \"a\": 2}", false, `2:2: duplicate key "a" (first at line 1)`},
		{"json trailing", "{} x", false, "1:4: unexpected text after the end of the document"},
		{"json truncated", "{\"a\": [1,", false, "1:10: invalid JSON: unexpected end of the document"},
		{"yaml syntax", "a: 1\nb: [1, 2\n", true, "1:1: invalid YAML: did not find expected ',' or ']'"},
		{"yaml duplicate", "a: 1\na: 2\n", true, `2:1: duplicate key "a" (first at line 1)`},
		{"yaml two documents", "a: 1\n---\nb: 2\n", true, "2:1: a second YAML document; give one resource per file"},
		{"yaml merge", "x: &x {a: 1}\ny:\n  <<: *x\n", true, "3:3: YAML merge keys (<<) are not supported; write the keys out"},
	}
	for _, tc := range tests {
		read := JSON
		if tc.yaml {
			read = YAML
		}
		_, err := read([]byte(tc.src))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"methodConfig": [{"name": [{"service": "a.B"}], "timeout": "1s"}]}`))
	f.Add([]byte(`[1, 2.5, -3e9, "x", null, true, {"a": {}}]`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if v, err := JSON(src); err == nil && v == nil {
			t.Fatal("no value and no error")
		}
	})
}

func FuzzYAML(f *testing.F) {
	f.Add([]byte("a: &x [1, 2]\nb: *x\nc: {d: 0.25s}\n"))
	f.Add([]byte("- a\n- b: 1\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if v, err := YAML(src); err == nil && v == nil {
			t.Fatal("no value and no error")
		}
	})
}
