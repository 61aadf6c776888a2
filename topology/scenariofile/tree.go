package scenariofile

import (
	"sort"

	"github.com/failsim/failsim/topology/scenariofile/tomlpos"
)

// node is a decoded TOML value with the positions of its key and value, so
// that a problem found long after parsing still points into the file.
type node struct {
	path     string
	key, val tomlpos.Pos
	origin   string // "--set KEY=VALUE" for a value set from outside the file
	v        any    // string, int64, float64, bool, a TOML date, *table or []*node
}

// table is a TOML table with its keys in file order.
type table struct {
	keys []string
	m    map[string]*node
}

// buildTree wraps the decoded document v and everything below it in
// nodes, with positions from the scan of the source. A node whose path the
// scan did not record (an absurdly long key) takes its parent's position.
func buildTree(v any, pos map[string]tomlpos.Entry) *node {
	return build("", v, pos, tomlpos.Entry{Key: tomlpos.Pos{Line: 1, Col: 1}, Value: tomlpos.Pos{Line: 1, Col: 1}})
}

func build(path string, v any, pos map[string]tomlpos.Entry, parent tomlpos.Entry) *node {
	e, ok := pos[path]
	if !ok {
		e = parent
	}
	n := &node{path: path, key: e.Key, val: e.Value}
	switch v := v.(type) {
	case map[string]any:
		t := &table{m: make(map[string]*node, len(v))}
		for k, child := range v {
			p := k
			if path != "" {
				p = path + "." + tomlpos.Quote(k)
			} else {
				p = tomlpos.Quote(k)
			}
			t.m[k] = build(p, child, pos, e)
			t.keys = append(t.keys, k)
		}
		t.sortKeys()
		n.v = t
	case []map[string]any: // an array of tables
		var arr []*node
		for i, child := range v {
			arr = append(arr, build(path+tomlpos.Join(i), child, pos, e))
		}
		n.v = arr
	case []any:
		var arr []*node
		for i, child := range v {
			arr = append(arr, build(path+tomlpos.Join(i), child, pos, e))
		}
		n.v = arr
	default:
		n.v = v
	}
	return n
}

// sortKeys puts keys in file order (keys without a known position last, by
// name), so that decoding, and the errors it reports, follow the file.
func (t *table) sortKeys() {
	sort.Slice(t.keys, func(i, j int) bool {
		a, b := t.m[t.keys[i]].key, t.m[t.keys[j]].key
		if a.Line == 0 || b.Line == 0 {
			if a.Line != b.Line {
				return b.Line == 0
			}
			return t.keys[i] < t.keys[j]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return t.keys[i] < t.keys[j]
	})
}

// merge returns base with over laid on top: tables merge key by key, any
// other value (arrays included) is replaced whole. Neither input changes.
func merge(base, over *node) *node {
	bt, ok1 := base.v.(*table)
	ot, ok2 := over.v.(*table)
	if !ok1 || !ok2 {
		return over
	}
	t := &table{m: make(map[string]*node, len(bt.m)+len(ot.m))}
	for _, k := range bt.keys {
		t.m[k] = bt.m[k]
		t.keys = append(t.keys, k)
	}
	for _, k := range ot.keys {
		if b, ok := t.m[k]; ok {
			t.m[k] = merge(b, ot.m[k])
		} else {
			t.m[k] = ot.m[k]
			t.keys = append(t.keys, k)
		}
	}
	n := *base
	n.v = t
	return &n
}
