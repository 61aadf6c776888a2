package scenariofile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// stepKeys are the keys of a [[call]] entry beyond the call policy: where
// it goes and how often, its bulkhead, its name, and, for a group of calls
// made at once, how they are made and joined.
var (
	stepKeys   = []string{"to", "fraction", "bulkhead", "name"}
	groupKeys  = []string{"parallel", "scatter", "join", "quorum", "join_timeout", "accept_stale", "optional"}
	memberKeys = []string{"to", "scatter", "optional"}
)

// callStep reads one [[call]] entry of a server and appends its calls: one
// for a call of its own, one per member for a group (parallel, or a
// scatter to every instance of a replicated service). names holds the
// explicit step names seen so far, which must differ.
func (d *decoder) callStep(cn *node, what string, r *resolver, calls []topology.Call, names map[string]*node) []topology.Call {
	keys := slices.Concat(stepKeys, groupKeys, callKeys)
	co := d.object(cn, what, keys...)
	if co == nil {
		return calls
	}
	fraction := co.number("fraction", 1, 0, 1)
	checkFraction(co, fraction)
	bulkhead := co.integer("bulkhead", 0, 1, 1_000_000)
	name := co.str("name", "")
	if n := co.get("name"); n != nil && name != "" {
		if prev := names[name]; prev != nil {
			co.errorf(n, "name %q is already the name of the step at line %d; request classes refer to steps by name", name, prev.key.Line)
		}
		names[name] = n
	}
	if n := co.get("name"); n != nil && name == "" {
		co.errorf(n, "name must not be empty")
	}
	if !co.has("parallel") && !co.has("scatter") {
		for _, k := range groupKeys {
			if n := co.get(k); n != nil {
				co.errorf(n, "%s applies to a group of calls made at once: add scatter = \"all\" (every instance of a replicated service) or parallel = [...] (several calls)", k)
			}
		}
		call := topology.Call{To: r.single(co, "to"), CallPolicy: d.callPolicy(co), Fraction: fraction, Bulkhead: bulkhead}
		call.Step = name
		if call.Step == "" && call.To >= 0 {
			call.Step = r.cname[call.To]
		}
		return append(calls, call)
	}

	g := &topology.Group{Name: name, First: len(calls), Pos: d.pos(cn)}
	g.Join = topology.Join(co.enum("join", int(topology.JoinAll), topology.JoinNames))
	g.Timeout = d.limit(co, "join_timeout")
	optional := co.boolean("optional", false)
	if n := co.get("optional"); n != nil && g.Join != topology.JoinAll && optional {
		co.errorf(n, "optional applies to join = \"all\"; with join = %q no single call is required anyway", g.Join)
	}
	switch {
	case co.has("parallel") && co.has("scatter"):
		co.errorf(co.get("scatter"), "give scatter (one call to every instance of a service) or parallel (a list of calls), not both; a call of parallel may scatter")
		return calls
	case co.has("parallel"):
		if n := co.get("to"); n != nil {
			co.errorf(n, "to goes in each call of parallel, e.g. parallel = [{ to = \"users\" }, { to = \"cart\" }]")
		}
		calls = d.parallel(co, r, calls, g, optional)
	default:
		call := topology.Call{CallPolicy: d.callPolicy(co), Fraction: 1, Optional: optional}
		d.scatter(co, r, &call)
		calls = append(calls, call)
	}
	g.End = len(calls)
	var callees []string
	for i := g.First; i < g.End; i++ {
		c := &calls[i]
		c.Group = g
		switch {
		case c.Targets != nil:
			callees = append(callees, r.group[c.Targets[0]])
		case c.To >= 0:
			callees = append(callees, r.cname[c.To])
		}
	}
	if g.Name == "" {
		g.Name = strings.Join(callees, "+")
	}
	for i := g.First; i < g.End; i++ {
		calls[i].Step = g.Name
	}
	if g.First < g.End {
		calls[g.First].Fraction, calls[g.First].Bulkhead = fraction, bulkhead
	}
	d.join(co, g, calls)
	return calls
}

// parallel reads a group's list of calls. Each call takes the group's call
// keys (timeout, retry, cancel...) unless it sets its own; a problem in one
// of the group's keys is reported once, at the group.
func (d *decoder) parallel(co *object, r *resolver, calls []topology.Call, g *topology.Group, optional bool) []topology.Call {
	n := co.get("parallel")
	arr, ok := n.v.([]*node)
	if !ok {
		co.errorf(n, "parallel must be a list of calls, e.g. parallel = [{ to = \"users\" }, { to = \"cart\" }], got %s", describe(n.v))
		return calls
	}
	if len(arr) == 0 {
		co.errorf(n, "parallel lists no call; a group needs at least one")
		return calls
	}
	before := len(d.errs)
	d.callPolicy(co) // the group's own keys, checked once
	reported := map[topology.Pos]bool{}
	for _, e := range d.errs[before:] {
		reported[e.Pos] = true
	}
	for j, mn := range arr {
		start := len(d.errs)
		mo := d.object(inherit(mn, co.n, callKeys), fmt.Sprintf("%s parallel[%d]", co.what, j), slices.Concat(memberKeys, callKeys)...)
		if mo == nil {
			continue
		}
		call := topology.Call{CallPolicy: d.callPolicy(mo), Fraction: 1, Optional: mo.boolean("optional", optional)}
		if on := mo.get("optional"); on != nil && g.Join != topology.JoinAll && call.Optional {
			mo.errorf(on, "optional applies to join = \"all\"; with join = %q no single call is required anyway", g.Join)
		}
		if mo.has("scatter") {
			d.scatter(mo, r, &call)
		} else {
			call.To = r.single(mo, "to")
		}
		d.errs = append(d.errs[:start], slices.DeleteFunc(d.errs[start:], func(e *Error) bool { return reported[e.Pos] })...)
		calls = append(calls, call)
	}
	return calls
}

// inherit is member with the keys of group it does not set itself.
func inherit(member, group *node, keys []string) *node {
	mt, ok1 := member.v.(*table)
	gt, ok2 := group.v.(*table)
	if !ok1 || !ok2 {
		return member
	}
	t := &table{m: make(map[string]*node, len(mt.m)), keys: slices.Clone(mt.keys)}
	for k, v := range mt.m {
		t.m[k] = v
	}
	for _, k := range keys {
		if v := gt.m[k]; v != nil && t.m[k] == nil {
			t.m[k] = v
			t.keys = append(t.keys, k)
		}
	}
	n := *member
	n.v = t
	return &n
}

// scatter reads to and scatter: one call to every instance of a replicated
// service ("all"), or to n of them drawn at random for each run.
func (d *decoder) scatter(o *object, r *resolver, call *topology.Call) {
	call.To = -1
	tn := o.get("to")
	if tn == nil {
		o.missing("to", "the replicated service whose instances it calls")
		return
	}
	name, ok := tn.v.(string)
	if !ok {
		o.errorf(tn, "to must be a component name, got %s", describe(tn.v))
		return
	}
	idx := r.groups[name]
	if idx == nil {
		if i, ok := r.index[name]; ok {
			o.errorf(tn, "to: scatter calls every instance of a replicated service, and %s %q has one; set its instances, or drop scatter to call it once", r.kinds[i], name)
		} else {
			o.errorf(tn, "to: no component named %q%s", name, human.DidYouMean(name, r.names))
		}
		return
	}
	if ready := r.ready[name]; ready < len(idx) {
		o.errorf(tn, "to: service %q has %d instances of which %d serve at the start (max_instances); scatter needs a fixed set of instances, as shards are", name, len(idx), ready)
		return
	}
	call.Targets, call.To, call.Pick = idx, idx[0], len(idx)
	sn := o.get("scatter")
	switch v := sn.v.(type) {
	case string:
		if v != "all" {
			o.errorf(sn, "scatter must be \"all\" (every instance) or how many instances each call reaches, 1 to %d, got %q", len(idx), v)
		}
	case int64:
		if v < 1 || v > int64(len(idx)) {
			o.errorf(sn, "scatter must be between 1 and the %d instances of %q, got %d", len(idx), name, v)
			return
		}
		call.Pick = int(v)
	default:
		o.errorf(sn, "scatter must be \"all\" (every instance) or how many instances each call reaches, got %s", describe(sn.v))
	}
}

// join reads how a group's members decide its step, and checks it against
// the members.
func (d *decoder) join(co *object, g *topology.Group, calls []topology.Call) {
	members := g.Members(calls)
	qn := co.get("quorum")
	switch {
	case g.Join == topology.JoinQuorum && qn == nil:
		co.missing("quorum", "how many of the calls must succeed")
	case g.Join != topology.JoinQuorum && qn != nil:
		co.errorf(qn, "quorum applies to join = \"quorum\"")
	case qn != nil:
		g.Quorum = co.integer("quorum", 1, 1, 1_000_000)
		if g.Quorum > members && members > 0 {
			co.errorf(qn, "quorum %d is more than the %d calls of the group; it could never be reached", g.Quorum, members)
		}
	}
	g.AcceptStale = co.boolean("accept_stale", false)
	if n := co.get("accept_stale"); n != nil && g.Join != topology.JoinQuorum {
		co.errorf(n, "accept_stale applies to join = \"quorum\"")
	}
}
