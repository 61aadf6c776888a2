package scenariofile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile/tomlpos"
)

// Load reads the scenario file at path and returns it with the named variant
// applied ("" for the base). Problems in the file come back as Errors.
func Load(path, variant string, sets ...Setting) (*topology.Scenario, error) {
	src, err := ReadScenario(path)
	if err != nil {
		return nil, Errors{{Pos: topology.Pos{File: path}, Msg: "cannot read the scenario: " + readError(err)}}
	}
	return ParseFS(DirFS(filepath.Dir(path)), path, src, variant, sets...)
}

// Parse is Load for a file already in memory; file names it in messages.
// It validates the base and every variant, so a mistake in a variant is
// found whichever one is run, then applies the settings, in order, to the
// chosen one. A scenario parsed this way cannot import files
// (grpc_service_config, envoy_route, envoy_cluster): use ParseFS.
func Parse(file string, src []byte, variant string, sets ...Setting) (*topology.Scenario, error) {
	return ParseFS(nil, file, src, variant, sets...)
}

// ParseFS is Parse for a scenario that may import files: fsys holds the
// scenario's directory, and an imported path such as "configs/orders.json"
// is read from it. Messages name imported files by that path joined to
// file's directory.
func ParseFS(fsys fs.FS, file string, src []byte, variant string, sets ...Setting) (*topology.Scenario, error) {
	imp := &imports{fsys: fsys, dir: filepath.Dir(file), files: map[string]*imported{}}
	d := &decoder{file: file, lines: strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n"), imp: imp}
	if p, ok := checkDepth(src); !ok {
		d.at(p, "nested more than %d levels deep (arrays, inline tables and dotted keys inside one another); a scenario needs fewer than ten", MaxDepth)
		return nil, d.errs
	}
	var raw map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(src)).Decode(&raw); err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			p := tomlpos.Pos{Line: perr.Position.Line, Col: perr.Position.Col}
			if p.Line == 0 { // the library loses the line in a few lexer errors
				p = posAt(src, perr.Position.Start)
			}
			d.at(p, "%s", perr.Message)
		} else {
			d.at(tomlpos.Pos{}, "%s", err)
		}
		return nil, d.errs
	}
	sh := &shape{}
	if err := sh.check(raw, 0); err != nil {
		d.at(sh.where(src), "%v", err)
		return nil, d.errs
	}
	root := buildTree(raw, tomlpos.Scan(src))
	rt := root.v.(*table)

	base := root
	var variants []string
	overrides := map[string]*node{}
	if vn := rt.m["variant"]; vn != nil {
		vt, ok := vn.v.(*table)
		if !ok {
			d.errorf(vn, "variant must be a table of variants, e.g. [variant.aligned]")
		} else {
			for _, name := range vt.keys {
				if !d.checkVariantName(name, vt.m[name]) {
					continue
				}
				overrides[name] = vt.m[name]
				variants = append(variants, name)
			}
		}
		// The base is the file without its variants.
		bt := &table{m: map[string]*node{}}
		for _, k := range rt.keys {
			if k != "variant" {
				bt.keys = append(bt.keys, k)
				bt.m[k] = rt.m[k]
			}
		}
		base = &node{v: bt}
	}
	sort.Strings(variants)
	if variant != "" && overrides[variant] == nil {
		if len(variants) == 0 {
			d.at(tomlpos.Pos{}, "no variant %q: this scenario defines no variants", variant)
		} else {
			d.at(tomlpos.Pos{}, "no variant %q: this scenario defines %s%s", variant, quoteList(variants), human.DidYouMean(variant, variants))
		}
		return nil, d.errs
	}

	defaultName := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	var chosen *topology.Scenario
	chosenTree, chosenDesc := base, ""
	sc := d.scenario(base, defaultName)
	if variant == "" {
		chosen = sc
	}
	seen := map[string]bool{}
	for _, e := range d.errs {
		seen[e.Error()] = true
	}
	for _, name := range variants {
		vd := &decoder{file: file, lines: d.lines, prefix: fmt.Sprintf("variant %q: ", name), imp: imp}
		merged, desc := vd.variant(base, overrides[name])
		vsc := vd.scenario(merged, defaultName)
		for _, e := range vd.errs {
			// A problem of the base shows once, not once per variant.
			plain := *e
			plain.Msg = strings.TrimPrefix(e.Msg, vd.prefix)
			if !seen[plain.Error()] {
				seen[plain.Error()] = true
				d.errs = append(d.errs, e)
			}
		}
		if name == variant {
			chosen, chosenTree, chosenDesc = vsc, merged, desc
		}
	}
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	if len(sets) > 0 {
		var errs Errors
		for _, s := range sets {
			t, err := s.apply(chosenTree)
			if err != nil {
				errs = append(errs, &Error{Pos: topology.Pos{File: s.String()}, Msg: err.Error()})
				continue
			}
			chosenTree = t
		}
		if len(errs) > 0 {
			return nil, errs
		}
		sd := &decoder{file: file, lines: d.lines, imp: imp}
		chosen = sd.scenario(chosenTree, defaultName)
		if len(sd.errs) > 0 {
			return nil, sd.errs.sorted()
		}
	}
	chosen.Variant, chosen.VariantDescription = variant, chosenDesc
	chosen.File, chosen.Source, chosen.Variants = file, src, variants
	return chosen, nil
}

// variant lays a [variant.NAME] table over the base. Its description is its
// own; every other key overrides the base's. A component the base does not
// have is a typo unless the variant's adds lists it.
func (d *decoder) variant(base, over *node) (*node, string) {
	ot, ok := over.v.(*table)
	if !ok {
		d.errorf(over, "a variant must be a table of overrides, got %s", describe(over.v))
		return base, ""
	}
	desc := ""
	var adds *node
	rest := &table{m: map[string]*node{}}
	for _, k := range ot.keys {
		n := ot.m[k]
		switch k {
		case "description":
			if s, ok := n.v.(string); ok {
				desc = s
			} else {
				d.errorf(n, "description must be a string, got %s", describe(n.v))
			}
		case "adds":
			adds = n
		case "variant":
			d.keyErrorf(n, "variants cannot be nested")
		default:
			rest.keys = append(rest.keys, k)
			rest.m[k] = n
		}
	}
	return merge(base, &node{v: d.newComponents(base, rest, adds)}), desc
}

// newComponents checks the components a variant defines that the base does
// not: each must be listed in its adds ("client.closed"), and every entry
// of adds must be such a component. It returns over without the components
// it reported, so that a typo is one error, not one per missing key.
func (d *decoder) newComponents(base *node, over *table, adds *node) *table {
	listed := map[string]*node{}
	if adds != nil {
		arr, ok := adds.v.([]*node)
		if !ok {
			d.errorf(adds, "adds must list the components the variant adds to the base, e.g. [\"client.closed\"], got %s", describe(adds.v))
		}
		for _, e := range arr {
			s, _ := e.v.(string)
			listed[s] = e
		}
	}
	out := &table{keys: over.keys, m: maps.Clone(over.m)}
	for _, kk := range kindKeys {
		n := over.m[kk.key]
		if n == nil {
			continue
		}
		t, ok := n.v.(*table)
		if !ok {
			continue // none, or not a table: the scenario decoder reports it
		}
		have := componentNames(base, kk.key)
		kept := &table{m: map[string]*node{}}
		for _, name := range t.keys {
			full := kk.key + "." + name
			switch {
			case slices.Contains(have, name):
			case listed[full] != nil:
				delete(listed, full)
			default:
				d.keyErrorf(t.m[name], "the base has no %s %q%s; to add a component in a variant, list it: adds = [%q]",
					kk.kind, name, human.DidYouMean(name, have), full)
				continue
			}
			kept.keys = append(kept.keys, name)
			kept.m[name] = t.m[name]
		}
		cp := *n
		cp.v = kept
		out.m[kk.key] = &cp
	}
	for _, s := range slices.Sorted(maps.Keys(listed)) {
		e := listed[s]
		kind, name, _ := strings.Cut(s, ".")
		switch {
		case !slices.ContainsFunc(kindKeys, func(kk kindKey) bool { return kk.key == kind }):
			d.errorf(e, "adds: %q is not KIND.NAME, e.g. \"client.closed\"", s)
		case slices.Contains(componentNames(base, kind), name):
			d.errorf(e, "adds: the base already has %s %q; a variant changes it without listing it", kind, name)
		default:
			d.errorf(e, "adds: the variant defines no %s %q", kind, name)
		}
	}
	return out
}

// componentNames lists the components of one kind table (client, service...)
// of a scenario tree, in file order.
func componentNames(root *node, kind string) []string {
	rt, ok := root.v.(*table)
	if !ok || rt.m[kind] == nil {
		return nil
	}
	if t, ok := rt.m[kind].v.(*table); ok {
		return t.keys
	}
	return nil
}

// posAt converts a byte offset into a line and a rune column.
func posAt(src []byte, off int) tomlpos.Pos {
	off = min(max(off, 0), len(src))
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	lineStart := bytes.LastIndexByte(src[:off], '\n') + 1
	return tomlpos.Pos{Line: line, Col: 1 + utf8.RuneCount(src[lineStart:off])}
}
