package scenariofile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// operationKeys are the keys of a client's [client.NAME.operation.OP]
// beyond the call keys it may set for itself.
var operationKeys = []string{"weight", "criticality", "target", "path"}

// maxClasses is how many request classes a scenario may have: every call
// carries its class in a byte.
const maxClasses = 255

// classes reads every client's operations, once the servers' steps are
// known, and the servers' class bulkheads, once the classes are.
func (d *decoder) classes(defs []*def, r *resolver, sc *topology.Scenario) {
	reported := map[topology.Pos]bool{}
	for _, e := range d.errs {
		reported[e.Pos] = true
	}
	names := map[string]bool{}
	total := 0
	for _, df := range defs {
		t, ok := df.n.v.(*table)
		if df.kind != topology.KindClient || !ok || t.m["operation"] == nil {
			continue
		}
		n := t.m["operation"]
		ot, ok := n.v.(*table)
		if !ok {
			d.errorf(n, "client %q: operation must hold named tables, e.g. [client.%s.operation.browse]", df.name, df.name)
			continue
		}
		for _, name := range ot.keys {
			on := ot.m[name]
			if !validName.MatchString(name) {
				d.keyErrorf(on, "client %q: operation name %q: %s", df.name, name, nameRule)
				continue
			}
			start := len(d.errs)
			c := d.operation(inherit(on, df.n, callKeys), fmt.Sprintf("client %q operation %q", df.name, name), df.client, r, sc)
			d.errs = append(d.errs[:start], slices.DeleteFunc(d.errs[start:], func(e *Error) bool { return reported[e.Pos] })...)
			if c == nil {
				continue
			}
			c.Name, c.Pos = name, d.pos(on)
			df.client.Classes = append(df.client.Classes, *c)
			names[name] = true
			if total++; total == maxClasses+1 {
				d.keyErrorf(on, "client %q: operation %q: a scenario may have at most %d request classes", df.name, name, maxClasses)
			}
		}
		if len(ot.keys) == 0 {
			d.errorf(n, "client %q: operation lists no operation; define each as [client.%s.operation.NAME] with a weight", df.name, df.name)
		}
	}
	for _, df := range defs {
		if df.server != nil {
			d.classBulkheads(df, names)
		}
	}
}

// operation reads one request class; o's call keys are the client's unless
// the operation sets its own.
func (d *decoder) operation(n *node, what string, cl *topology.Client, r *resolver, sc *topology.Scenario) *topology.Class {
	o := d.object(n, what, slices.Concat(operationKeys, callKeys)...)
	if o == nil {
		return nil
	}
	c := &topology.Class{Target: cl.Target, Criticality: topology.Critical}
	if !o.has("weight") {
		o.missing("weight", "its share of the client's requests, relative to the other operations")
	}
	if wn := o.get("weight"); wn != nil {
		switch v := wn.v.(type) {
		case int64:
			c.Weight = float64(v)
		case float64:
			c.Weight = v
		default:
			o.errorf(wn, "weight must be a number, got %s", describe(wn.v))
		}
		if c.Weight <= 0 || c.Weight > 1e9 || c.Weight != c.Weight {
			o.errorf(wn, "weight must be more than zero (and at most 1e9), got %s", describe(wn.v))
		}
	}
	if cn := o.get("criticality"); cn != nil {
		c.Explicit = true
		s, _ := cn.v.(string)
		i := slices.Index(topology.CriticalityNames, s)
		switch {
		case i >= 0:
			c.Criticality = topology.Criticality(i)
		case slices.Contains(topology.CriticalityNames, strings.ToLower(s)):
			o.errorf(cn, "criticality %q: write it in lower case, %q", s, strings.ToLower(s))
		default:
			o.errorf(cn, "criticality must be one of %s (Google's levels, lowest first), got %s%s",
				quoteList(topology.CriticalityNames), describe(cn.v), human.DidYouMean(strings.ToLower(s), topology.CriticalityNames))
		}
	}
	if o.has("target") {
		c.Target = r.single(o, "target")
	}
	c.Call = d.callPolicy(o)
	if pn := o.get("path"); pn != nil {
		c.Paths = d.paths(o, pn, r, sc)
	}
	return c
}

// paths reads what a class changes at each server it names: the steps it
// makes there and its service (query) time.
func (d *decoder) paths(o *object, pn *node, r *resolver, sc *topology.Scenario) []topology.ClassPath {
	pt, ok := pn.v.(*table)
	if !ok {
		o.errorf(pn, "path must be a table of services, e.g. path.api = { steps = [\"db\"], service_time = \"5ms\" }")
		return nil
	}
	var out []topology.ClassPath
	for _, svc := range pt.keys {
		sn := pt.m[svc]
		idx := r.groups[svc]
		if idx == nil {
			i, ok := r.index[svc]
			if !ok {
				d.keyErrorf(sn, "%s: path: no component named %q%s", o.what, svc, human.DidYouMean(svc, r.names))
				continue
			}
			idx = []int{i}
		}
		comp := &sc.Components[idx[0]]
		if comp.Server == nil {
			d.keyErrorf(sn, "%s: path: %q is a %s; a path says what services and databases do for the class", o.what, svc, comp.Kind)
			continue
		}
		workKey, other := "service_time", "query_time"
		if comp.Kind == topology.KindDatabase {
			workKey, other = other, workKey
		}
		po := d.object(sn, fmt.Sprintf("%s path.%s", o.what, svc), "steps", workKey, other)
		if po == nil {
			continue
		}
		if n := po.get(other); n != nil {
			d.keyErrorf(n, "%s path.%s: %q is a %s: its time is %s", o.what, svc, svc, comp.Kind, workKey)
		}
		p := topology.ClassPath{}
		if po.has(workKey) {
			w := d.dist(po, workKey, topology.Dist{Kind: topology.DistConstant})
			p.Work = &w
		}
		if po.has("steps") {
			p.Calls = d.classSteps(po, comp.Server, svc)
		}
		for _, i := range idx {
			p.Server = i
			out = append(out, p)
		}
	}
	return out
}

// classSteps reads the steps a class makes at a server, by name, as the
// calls they are made of.
func (d *decoder) classSteps(po *object, s *topology.Server, svc string) []bool {
	calls := make([]bool, len(s.Calls))
	steps := s.Steps()
	var known []string
	count := map[string]int{}
	for _, st := range steps {
		if count[st.Name] == 0 {
			known = append(known, st.Name)
		}
		count[st.Name]++
	}
	sort.Strings(known)
	names := po.strings("steps")
	arr, _ := po.get("steps").v.([]*node)
	for i, name := range names {
		at := po.get("steps")
		if i < len(arr) {
			at = arr[i]
		}
		switch count[name] {
		case 0:
			hint := "it has no [[call]]"
			if len(known) > 0 {
				hint = "its steps are " + quoteList(known)
			}
			po.errorf(at, "steps: %q has no step named %q; %s%s", svc, name, hint, human.DidYouMean(name, known))
			continue
		case 1:
		default:
			po.errorf(at, "steps: %q has %d steps named %q; give each [[call]] its own name = \"...\"", svc, count[name], name)
			continue
		}
		for _, st := range steps {
			if st.Name == name {
				for c := st.First; c < st.End; c++ {
					calls[c] = true
				}
			}
		}
	}
	return calls
}

// classBulkheads reads a server's class_bulkheads: at most so many calls of
// a class inside it at once.
func (d *decoder) classBulkheads(df *def, classes map[string]bool) {
	t, ok := df.n.v.(*table)
	if !ok || t.m["class_bulkheads"] == nil {
		return
	}
	n := t.m["class_bulkheads"]
	what := fmt.Sprintf("%s %q class_bulkheads", df.kind, df.name)
	bt, ok := n.v.(*table)
	if !ok {
		d.errorf(n, "%s must be a table of request classes, e.g. class_bulkheads = { search = 40 }", what)
		return
	}
	var known []string
	for name := range classes {
		known = append(known, name)
	}
	sort.Strings(known)
	o := &object{d: d, n: n, t: bt, what: what}
	df.server.ClassBulkheads = map[string]int{}
	for _, name := range bt.keys {
		if !classes[name] {
			d.keyErrorf(bt.m[name], "%s: no client has an operation named %q%s", what, name, human.DidYouMean(name, known))
			continue
		}
		df.server.ClassBulkheads[name] = o.integer(name, 1, 1, 1_000_000)
	}
}
