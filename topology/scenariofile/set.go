package scenariofile

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/failsim/failsim/topology/human"
)

// Setting overrides one key of a scenario from outside the file, as
// `--set client.users.timeout=4s` does: Key is a dotted path (array elements
// as call[0], keys with dots quoted as service."api.v2"), Value a TOML value
// or, when it is not one, a string ("4s", "none").
type Setting struct {
	Key, Value string
}

// ParseSetting splits "KEY=VALUE".
func ParseSetting(s string) (Setting, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return Setting{}, fmt.Errorf("%q: want KEY=VALUE, e.g. client.users.timeout=4s", s)
	}
	if strings.ContainsAny(s, "\n\r") {
		// The value is read as one line of TOML: what follows a line break
		// would be dropped without a word.
		return Setting{}, fmt.Errorf("%q: a setting is one line; set each key with its own --set", s)
	}
	return Setting{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)}, nil
}

func (s Setting) String() string { return "--set " + s.Key + "=" + s.Value }

// segment of a key path: a key, or an array index when key is "".
type pathSeg struct {
	key   string
	index int
}

// splitPath reads a dotted key path with [i] indices and quoted keys.
func splitPath(p string) ([]pathSeg, error) {
	var segs []pathSeg
	for i := 0; i < len(p); {
		switch c := p[i]; {
		case c == '.' && len(segs) > 0:
			i++
			continue
		case c == '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unclosed [ in %q", p)
			}
			n, err := strconv.Atoi(p[i+1 : i+j])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("%q is not an index in %q", p[i+1:i+j], p)
			}
			segs = append(segs, pathSeg{index: n})
			i += j + 1
		case c == '"':
			j := strings.IndexByte(p[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unclosed quote in %q", p)
			}
			segs = append(segs, pathSeg{key: p[i+1 : i+1+j]})
			i += j + 2
		default:
			j := strings.IndexAny(p[i:], ".[")
			if j < 0 {
				j = len(p) - i
			}
			if j == 0 {
				return nil, fmt.Errorf("empty key in %q", p)
			}
			segs = append(segs, pathSeg{key: p[i : i+j]})
			i += j
		}
	}
	if len(segs) == 0 || segs[0].key == "" {
		return nil, fmt.Errorf("%q does not start with a key", p)
	}
	return segs, nil
}

// settingValue decodes a setting's value: TOML if it parses as such, a
// string otherwise.
func settingValue(v string) any {
	var m map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader([]byte("v = " + v))).Decode(&m); err == nil {
		return m["v"]
	}
	return v
}

// apply returns root with s applied, copying the tables on its path so that
// the base and the variants stay as they were. Nodes it creates carry the
// setting as their origin, so problems with them name the --set.
func (s Setting) apply(root *node) (*node, error) {
	segs, err := splitPath(s.Key)
	if err != nil {
		return nil, err
	}
	if _, ok := checkDepth([]byte(s.Value)); !ok {
		return nil, fmt.Errorf("the value is nested more than %d levels deep", MaxDepth)
	}
	if len(segs) >= 2 && segs[1].key != "" && slices.ContainsFunc(kindKeys, func(kk kindKey) bool { return kk.key == segs[0].key }) {
		// A setting changes a component; it never makes one: a typo in a
		// name must not add a component with every other key missing.
		if have := componentNames(root, segs[0].key); !slices.Contains(have, segs[1].key) {
			return nil, fmt.Errorf("no %s %q%s", segs[0].key, segs[1].key, human.DidYouMean(segs[1].key, allComponents(root)))
		}
	}
	val := markOrigin(buildTree(settingValue(s.Value), nil), s.String())
	return setAt(root, segs, val, s.String())
}

func setAt(n *node, segs []pathSeg, val *node, origin string) (*node, error) {
	if len(segs) == 0 {
		val.path = n.path
		return val, nil
	}
	seg := segs[0]
	if seg.key == "" {
		arr, ok := n.v.([]*node)
		if !ok || seg.index >= len(arr) {
			return nil, fmt.Errorf("%s has no element [%d]", describePath(n), seg.index)
		}
		child, err := setAt(arr[seg.index], segs[1:], val, origin)
		if err != nil {
			return nil, err
		}
		cp := *n
		cp.v = append(append(append([]*node(nil), arr[:seg.index]...), child), arr[seg.index+1:]...)
		return &cp, nil
	}
	t, ok := n.v.(*table)
	if !ok {
		return nil, fmt.Errorf("%s is not a table", describePath(n))
	}
	child := t.m[seg.key]
	if child == nil {
		child = &node{v: &table{m: map[string]*node{}}, origin: origin, path: joinPath(n.path, seg.key)}
	}
	child, err := setAt(child, segs[1:], val, origin)
	if err != nil {
		return nil, err
	}
	nt := &table{keys: t.keys, m: make(map[string]*node, len(t.m)+1)}
	for k, v := range t.m {
		nt.m[k] = v
	}
	if t.m[seg.key] == nil {
		nt.keys = append(append([]string(nil), t.keys...), seg.key)
	}
	nt.m[seg.key] = child
	cp := *n
	cp.v = nt
	return &cp, nil
}

// allComponents lists the names of every component of a scenario tree.
func allComponents(root *node) []string {
	var names []string
	for _, kk := range kindKeys {
		names = append(names, componentNames(root, kk.key)...)
	}
	return names
}

func markOrigin(n *node, origin string) *node {
	n.origin = origin
	switch v := n.v.(type) {
	case *table:
		for _, c := range v.m {
			markOrigin(c, origin)
		}
	case []*node:
		for _, c := range v {
			markOrigin(c, origin)
		}
	}
	return n
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func describePath(n *node) string {
	if n.path == "" {
		return "the scenario"
	}
	return n.path
}
