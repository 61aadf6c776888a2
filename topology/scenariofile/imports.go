package scenariofile

import (
	"fmt"
	"io/fs"
	"math"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile/posdoc"
	"github.com/failsim/failsim/topology/scenariofile/tomlpos"
)

// imports reads the files a scenario imports, once each per Parse, from
// fsys (the scenario's directory); dir names them in messages.
type imports struct {
	fsys  fs.FS
	dir   string
	files map[string]*imported // by format and path
}

// imported is one imported file, read and parsed.
type imported struct {
	name  string // the path messages use
	lines []string
	root  *node  // nil when it could not be read or parsed
	err   *Error // why not
}

// load reads and parses the file that o names under key, as format
// ("json" or "yaml"), and returns it with a decoder that reports into it.
// Problems with the reference are reported at the key, syntax errors
// inside the file.
func (d *decoder) load(o *object, key, format string) (*imported, *decoder) {
	n := o.get(key)
	rel, ok := n.v.(string)
	if !ok {
		o.errorf(n, "%s must be a path, e.g. \"configs/orders.%s\", got %s", key, format, describe(n.v))
		return nil, nil
	}
	clean := path.Clean(rel)
	if !fs.ValidPath(clean) || clean == "." {
		o.errorf(n, "%s: %q must be a relative path below the scenario's directory, e.g. \"configs/orders.%s\"", key, rel, format)
		return nil, nil
	}
	if d.imp == nil || d.imp.fsys == nil {
		o.errorf(n, "%s: this scenario was read without its directory, so %q cannot be read", key, rel)
		return nil, nil
	}
	f := d.imp.files[format+":"+clean]
	if f == nil {
		f = d.imp.read(clean, format)
		d.imp.files[format+":"+clean] = f
	}
	if f.err != nil {
		if f.err.Pos.Line == 0 {
			o.errorf(n, "%s: %s", key, f.err.Msg)
		} else {
			d.adopt(Errors{f.err}, n)
		}
		return nil, nil
	}
	return f, &decoder{file: f.name, lines: f.lines, prefix: d.prefix, imp: d.imp}
}

func (im *imports) read(rel, format string) *imported {
	f := &imported{name: filepath.Join(im.dir, filepath.FromSlash(rel))}
	src, err := readImport(im.fsys, rel, maxImportSize)
	if err != nil {
		f.err = &Error{Pos: topology.Pos{File: f.name}, Msg: fmt.Sprintf("cannot read %s: %s", f.name, readError(err))}
		return f
	}
	f.lines = strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	read := posdoc.JSON
	if format == "yaml" {
		read = posdoc.YAML
	}
	v, err := read(src)
	if err != nil {
		pe := err.(*posdoc.Error)
		f.err = &Error{Pos: topology.Pos{File: f.name, Line: pe.Pos.Line, Col: pe.Pos.Col}, Msg: pe.Msg}
		if pe.Pos.Line > 0 && pe.Pos.Line <= len(f.lines) {
			f.err.Line = f.lines[pe.Pos.Line-1]
		}
		return f
	}
	f.root = fromDoc("", v)
	return f
}

// fromDoc turns a parsed JSON or YAML value into the decoder's tree.
func fromDoc(p string, v *posdoc.Value) *node {
	n := &node{path: p, key: tomlpos.Pos(v.Key), val: tomlpos.Pos(v.Pos)}
	switch x := v.V.(type) {
	case *posdoc.Map:
		t := &table{keys: x.Keys, m: make(map[string]*node, len(x.Keys))}
		for _, k := range x.Keys {
			t.m[k] = fromDoc(joinPath(p, k), x.M[k])
		}
		n.v = t
	case []*posdoc.Value:
		arr := make([]*node, len(x))
		for i, e := range x {
			arr[i] = fromDoc(p+tomlpos.Join(i), e)
		}
		n.v = arr
	default:
		n.v = x
	}
	return n
}

// adopt reports problems found inside an imported file. They sort with the
// scenario key that imports it (at), so that they read in the order of the
// scenario; a problem already reported (the same file imported twice) is
// not repeated.
func (d *decoder) adopt(es Errors, at *node) {
	for _, e := range es {
		if slices.ContainsFunc(d.errs, func(x *Error) bool { return x.Error() == e.Error() }) {
			continue
		}
		cp := *e
		cp.at = d.pos(at)
		d.errs = append(d.errs, &cp)
	}
}

// imports runs read when o imports a file under key, and otherwise reports
// the keys that only apply with it.
func (d *decoder) imports(o *object, key string, with []string, read func()) {
	if o.has(key) {
		read()
		return
	}
	for _, k := range with {
		if n := o.get(k); n != nil {
			o.errorf(n, "%s applies with %s", k, key)
		}
	}
}

// importer decodes one imported file for one scenario key: fd reports into
// the file, o is the scenario table that imports it, ignore the entries of
// its ignore list (grpc_ignore, envoy_ignore), marked as they are used.
type importer struct {
	fd        *decoder
	o         *object
	system    string // "gRPC" or "Envoy"
	ignoreKey string
	ignore    map[string]*node
	used      map[string]bool
	misspelt  map[*table][]string // fields an unknown field of the table is taken to mean
}

func (d *decoder) importer(o *object, system, ignoreKey string) *importer {
	x := &importer{o: o, system: system, ignoreKey: ignoreKey, ignore: map[string]*node{}, used: map[string]bool{}, misspelt: map[*table][]string{}}
	n := o.get(ignoreKey)
	if n == nil {
		return x
	}
	arr, ok := n.v.([]*node)
	if !ok {
		o.errorf(n, "%s must be a list of field names, e.g. [\"waitForReady\"], got %s", ignoreKey, describe(n.v))
		return x
	}
	for _, e := range arr {
		if s, ok := e.v.(string); ok {
			x.ignore[s] = e
		} else {
			o.errorf(e, "%s: each entry must be a string, got %s", ignoreKey, describe(e.v))
		}
	}
	return x
}

// ignored says whether the scenario lists name in its ignore list, and
// marks the entry used.
func (x *importer) ignored(name string) bool {
	if x.ignore[name] == nil {
		return false
	}
	x.used[name] = true
	return true
}

// unused reports ignore entries that named nothing the file holds, so
// that a stale or misspelt entry does not hide anything.
func (x *importer) unused(file string) {
	for name, n := range x.ignore {
		if !x.used[name] {
			x.o.errorf(n, "%s: %q is not something in %s that failsim leaves out", x.ignoreKey, name, file)
		}
	}
}

// object opens n as an object of the imported file. read are the fields
// failsim reads; quiet those that name or address things and carry no
// behaviour the model could simulate; unsupported those whose behaviour it
// does not simulate, each reported unless the ignore list names it. Any
// other field is unknown.
func (x *importer) object(n *node, what string, read, quiet, unsupported []string) *object {
	t, ok := n.v.(*table)
	if !ok {
		x.fd.errorf(n, "%s must be an object, got %s", what, describe(n.v))
		return nil
	}
	o := &object{d: x.fd, n: n, t: t, what: what}
	for _, k := range t.keys {
		switch {
		case slices.Contains(read, k), slices.Contains(quiet, k):
		case slices.Contains(unsupported, k):
			if !x.ignored(k) {
				x.fd.keyErrorf(t.m[k], "%s: %s is a %s field failsim does not simulate; remove it, or add %q to %s in the scenario to run without it",
					what, k, x.system, k, x.ignoreKey)
			}
		default:
			known := slices.Concat(read, quiet, unsupported)
			hint := human.DidYouMean(k, known)
			x.fd.keyErrorf(t.m[k], "%s: unknown field %q%s", what, k, hint)
			for _, r := range read {
				if hint != "" && human.DidYouMean(k, []string{r}) == hint {
					x.misspelt[t] = append(x.misspelt[t], r)
				}
			}
		}
	}
	return o
}

// missing reports a required field that is absent, unless an unknown field
// already reported is taken to be it, misspelt.
func (x *importer) missing(o *object, key, hint string) {
	if !slices.Contains(x.misspelt[o.t], key) {
		o.missing(key, hint)
	}
}

// list opens n as a list.
func (x *importer) list(n *node, what string) []*node {
	arr, ok := n.v.([]*node)
	if !ok {
		x.fd.errorf(n, "%s must be a list, got %s", what, describe(n.v))
	}
	return arr
}

var protoDuration = regexp.MustCompile(`^(\d+)(\.\d{1,9})?s$`)

// duration reads a protobuf Duration as JSON and YAML write it: seconds with
// up to nine decimals and an "s", e.g. "1.5s" or "0.025s".
func (x *importer) duration(o *object, key string, def time.Duration) (time.Duration, bool) {
	n := o.get(key)
	if n == nil {
		return def, false
	}
	s, _ := n.v.(string)
	m := protoDuration.FindStringSubmatch(s)
	if m == nil {
		hint := ""
		if d, err := time.ParseDuration(s); err == nil && d >= 0 {
			hint = fmt.Sprintf("; write %q", strconv.FormatFloat(d.Seconds(), 'f', -1, 64)+"s")
		}
		if strings.HasPrefix(s, "-") {
			hint = "; it must not be negative"
		}
		o.errorf(n, "%s must be a duration in seconds with an \"s\", as protobuf writes it (e.g. \"1.5s\"), got %s%s", key, describe(n.v), hint)
		return def, false
	}
	secs, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || secs >= math.MaxInt64/int64(time.Second) {
		o.errorf(n, "%s: %s is longer than failsim can simulate (292 years)", key, s)
		return def, false
	}
	nanos := int64(0)
	if m[2] != "" {
		nanos, _ = strconv.ParseInt(m[2][1:]+strings.Repeat("0", 10-len(m[2])), 10, 64)
	}
	return time.Duration(secs)*time.Second + time.Duration(nanos), true
}
