package scenariofile

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile/tomlpos"
)

// decoder collects every problem it finds instead of stopping at the first.
type decoder struct {
	file   string
	lines  []string
	errs   Errors
	prefix string   // added to every message, e.g. `variant "aligned": `
	imp    *imports // the files the scenario imports
}

func (d *decoder) at(p tomlpos.Pos, format string, args ...any) {
	e := &Error{Pos: topology.Pos{File: d.file, Line: p.Line, Col: p.Col}, Msg: d.prefix + fmt.Sprintf(format, args...)}
	if p.Line > 0 && p.Line <= len(d.lines) {
		e.Line = d.lines[p.Line-1]
	}
	d.errs = append(d.errs, e)
}

// errorf reports a problem with n's value; keyErrorf one with its key. A
// value set from outside the file is reported against its --set.
func (d *decoder) errorf(n *node, format string, args ...any) {
	if n.origin != "" {
		d.errs = append(d.errs, &Error{Pos: topology.Pos{File: n.origin}, Msg: d.prefix + fmt.Sprintf(format, args...)})
		return
	}
	d.at(n.val, format, args...)
}

func (d *decoder) keyErrorf(n *node, format string, args ...any) {
	if n.origin != "" {
		d.errorf(n, format, args...)
		return
	}
	d.at(n.key, format, args...)
}

// object is a table being decoded: it knows the keys it accepts and reports
// every other key as unknown, with a did-you-mean.
type object struct {
	d    *decoder
	n    *node
	t    *table
	what string // e.g. `service "api"`, used in messages
}

// object opens n as a table that accepts the given keys. A nil result means
// n was not a table (already reported).
func (d *decoder) object(n *node, what string, keys ...string) *object {
	t, ok := n.v.(*table)
	if !ok {
		d.errorf(n, "%s must be a table, got %s", what, describe(n.v))
		return nil
	}
	for _, k := range t.keys {
		if !slices.Contains(keys, k) {
			d.keyErrorf(t.m[k], "%s: unknown key %q%s", what, k, human.DidYouMean(k, keys))
		}
	}
	return &object{d: d, n: n, t: t, what: what}
}

// get returns the node under key, or nil.
func (o *object) get(key string) *node { return o.t.m[key] }

func (o *object) has(key string) bool { return o.t.m[key] != nil }

// keyPos is where key is written in o, for findings made after validation.
func (o *object) keyPos(key string) topology.Pos { return o.d.pos(o.get(key)) }

// pos is where n's key is written: the zero Pos when n is nil or was set
// from outside the file.
func (d *decoder) pos(n *node) topology.Pos {
	if n == nil || n.origin != "" {
		return topology.Pos{}
	}
	return topology.Pos{File: d.file, Line: n.key.Line, Col: n.key.Col}
}

func (o *object) errorf(n *node, format string, args ...any) {
	o.d.errorf(n, "%s: %s", o.what, fmt.Sprintf(format, args...))
}

// missing reports a required key that is absent, at the table's position.
func (o *object) missing(key, hint string) {
	o.d.keyErrorf(o.n, "%s: missing %q (%s)", o.what, key, hint)
}

func (o *object) str(key, def string) string {
	n := o.get(key)
	if n == nil {
		return def
	}
	s, ok := n.v.(string)
	if !ok {
		o.errorf(n, "%s must be a string, got %s", key, describe(n.v))
		return def
	}
	return s
}

// number reads an integer or float.
func (o *object) number(key string, def, lo, hi float64) float64 {
	n := o.get(key)
	if n == nil {
		return def
	}
	var f float64
	switch v := n.v.(type) {
	case int64:
		f = float64(v)
	case float64:
		f = v
	default:
		o.errorf(n, "%s must be a number, got %s", key, describe(n.v))
		return def
	}
	if math.IsNaN(f) || f < lo || f > hi {
		o.errorf(n, "%s must be between %s and %s, got %s", key, fmtNum(lo), fmtNum(hi), fmtNum(f))
		return def
	}
	return f
}

func (o *object) boolean(key string, def bool) bool {
	n := o.get(key)
	if n == nil {
		return def
	}
	b, ok := n.v.(bool)
	if !ok {
		o.errorf(n, "%s must be true or false, got %s", key, describe(n.v))
		return def
	}
	return b
}

func (o *object) integer(key string, def, lo, hi int) int {
	n := o.get(key)
	if n == nil {
		return def
	}
	v, ok := n.v.(int64)
	if !ok {
		o.errorf(n, "%s must be a whole number, got %s", key, describe(n.v))
		return def
	}
	if v < int64(lo) || v > int64(hi) {
		o.errorf(n, "%s must be between %d and %d, got %d", key, lo, hi, v)
		return def
	}
	return int(v)
}

// enum reads a string that must be one of choices and returns its index;
// def is the index when the key is absent or wrong.
func (o *object) enum(key string, def int, choices []string) int {
	n := o.get(key)
	if n == nil {
		return def
	}
	s, ok := n.v.(string)
	i := slices.Index(choices, s)
	if !ok || i < 0 {
		o.errorf(n, "%s must be one of %s, got %s%s", key, quoteList(choices), describe(n.v), human.DidYouMean(fmt.Sprint(n.v), choices))
		return def
	}
	return i
}

// duration reads a Go duration string such as "250ms" or "1m30s". With
// allowNone, "none" means no limit and reads as 0. A bare number is an error:
// a unitless timeout is the kind of silent assumption this tool exists to
// expose.
func (o *object) duration(key string, def time.Duration, allowNone bool) time.Duration {
	n := o.get(key)
	if n == nil {
		return def
	}
	d, ok := o.d.parseDuration(n, allowNone)
	if !ok {
		return def
	}
	return d
}

// durationOK is duration that also says whether the key held a valid
// duration, so a caller can check it further without repeating an error.
func (o *object) durationOK(key string, allowNone bool) (time.Duration, bool) {
	n := o.get(key)
	if n == nil {
		return 0, false
	}
	return o.d.parseDuration(n, allowNone)
}

func (d *decoder) parseDuration(n *node, allowNone bool) (time.Duration, bool) {
	name := lastKey(n.path)
	switch v := n.v.(type) {
	case string:
		if allowNone && v == "none" {
			return 0, true
		}
		dur, err := time.ParseDuration(v)
		switch {
		case err != nil:
			hint := `a duration like "250ms", "2s" or "1m30s"`
			if allowNone {
				hint += ` or "none"`
			}
			d.errorf(n, "%s: %q is not %s", name, v, hint)
			return 0, false
		case dur < 0:
			d.errorf(n, "%s: must not be negative, got %s", name, v)
			return 0, false
		}
		return dur, true
	case int64, float64:
		d.errorf(n, "%s: %v has no unit; write a duration with its unit, e.g. \"%vs\" or \"%vms\"", name, v, v, v)
	default:
		d.errorf(n, "%s must be a duration string such as \"2s\", got %s", name, describe(n.v))
	}
	return 0, false
}

// positive reads a duration that must be more than zero.
func (o *object) positive(key string, def time.Duration) time.Duration {
	d, ok := o.durationOK(key, false)
	switch {
	case !ok:
		return def
	case d == 0:
		o.errorf(o.get(key), "%s must be more than zero", key)
		return def
	}
	return d
}

func (o *object) strings(key string) []string {
	n := o.get(key)
	if n == nil {
		return nil
	}
	arr, ok := n.v.([]*node)
	if !ok {
		o.errorf(n, "%s must be a list of strings, got %s", key, describe(n.v))
		return nil
	}
	var out []string
	for _, e := range arr {
		s, ok := e.v.(string)
		if !ok {
			o.errorf(e, "%s: each entry must be a string, got %s", key, describe(e.v))
			continue
		}
		out = append(out, s)
	}
	return out
}

func lastKey(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 && path[i] == '.' {
		return path[i+1:]
	}
	return path
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case int64:
		return fmt.Sprintf("the number %d", v)
	case float64:
		return fmt.Sprintf("the number %s", fmtNum(v))
	case bool:
		return fmt.Sprintf("%v", v)
	case nil:
		return "null"
	case *table:
		return "a table"
	case []*node:
		return "a list"
	default:
		return fmt.Sprintf("%v", v)
	}
}

func fmtNum(f float64) string {
	if math.IsInf(f, 1) {
		return "infinity"
	}
	return fmt.Sprintf("%g", f)
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
