package scenariofile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile/tomlpos"
)

// resolver turns component names in a scenario into indices.
type resolver struct {
	d      *decoder
	index  map[string]int   // component name -> index
	groups map[string][]int // service name -> its instances
	ready  map[string]int   // service name -> the instances that serve at the start
	kinds  []topology.Kind
	cname  []string // by component: its name
	names  []string // every name a reference may use, for did-you-mean
	group  []string // component index -> the name of its group

	caller string                    // the component being decoded
	refs   map[[2]string]tomlpos.Pos // where (caller, callee group) was first written, for cycles
}

func newResolver(d *decoder, defs []*def) *resolver {
	r := &resolver{d: d, index: map[string]int{}, groups: map[string][]int{}, ready: map[string]int{}, refs: map[[2]string]tomlpos.Pos{}}
	for _, df := range defs {
		var idx []int
		for _, name := range df.names {
			r.index[name] = len(r.kinds)
			idx = append(idx, len(r.kinds))
			r.kinds = append(r.kinds, df.kind)
			r.cname = append(r.cname, name)
			r.names = append(r.names, name)
			r.group = append(r.group, df.name)
		}
		if len(df.names) > 1 {
			r.groups[df.name] = idx
			r.ready[df.name] = df.ready
			r.names = append(r.names, df.name)
		}
	}
	return r
}

// single resolves key to one component that can be called, or -1 after
// reporting why it cannot.
func (r *resolver) single(o *object, key string) int {
	n := o.get(key)
	if n == nil {
		o.missing(key, "the name of the component it calls")
		return -1
	}
	name, ok := n.v.(string)
	if !ok {
		o.errorf(n, "%s must be a component name, got %s", key, describe(n.v))
		return -1
	}
	if g := r.groups[name]; g != nil {
		o.errorf(n, "%s: %s %q has %d instances; call it through a load_balancer whose targets include %q, or scatter to them", key, r.kinds[g[0]], name, len(g), name)
		return -1
	}
	return r.callee(o, n, key, name)
}

func (r *resolver) callee(o *object, n *node, key, name string) int {
	i, ok := r.index[name]
	switch {
	case !ok:
		o.errorf(n, "%s: no component named %q%s", key, name, human.DidYouMean(name, r.names))
		return -1
	case r.kinds[i] == topology.KindClient:
		o.errorf(n, "%s: %q is a client; clients make calls, they do not take them", key, name)
		return -1
	}
	r.referred(n, r.group[i])
	return i
}

// referred remembers where the component being decoded first names group,
// so that a cycle is reported at the reference that closes it.
func (r *resolver) referred(n *node, group string) {
	k := [2]string{r.caller, group}
	if _, ok := r.refs[k]; !ok {
		r.refs[k] = n.val
	}
}

// targets resolves a load balancer's targets; a replicated service stands
// for all its instances.
func (r *resolver) targets(o *object, key string) []int {
	n := o.get(key)
	if n == nil {
		o.missing(key, "the components it balances over")
		return nil
	}
	names := o.strings(key)
	if len(names) == 0 {
		o.errorf(n, "%s must name at least one component", key)
		return nil
	}
	var out []int
	seen := map[int]bool{}
	for i, name := range names {
		en := n.v.([]*node)[i]
		idx := r.groups[name]
		if idx != nil {
			r.referred(en, name)
		}
		if idx == nil {
			i := r.callee(o, en, key, name)
			if i < 0 {
				continue
			}
			idx = []int{i}
		}
		for _, t := range idx {
			if seen[t] {
				o.errorf(en, "%s: %q is listed twice", key, r.names[t])
				continue
			}
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// resolveTarget resolves a fault's target: a component, or a replicated
// service (all its instances).
func (r *resolver) resolveTarget(o *object, key string) []int {
	n := o.get(key)
	if n == nil {
		o.missing(key, "the component it hits")
		return nil
	}
	name, ok := n.v.(string)
	if !ok {
		o.errorf(n, "%s must be a component name, got %s", key, describe(n.v))
		return nil
	}
	if g := r.groups[name]; g != nil {
		r.referred(n, name)
		return g
	}
	i, ok := r.index[name]
	if !ok {
		o.errorf(n, "%s: no component named %q%s", key, name, human.DidYouMean(name, r.names))
		return nil
	}
	r.referred(n, r.group[i])
	return []int{i}
}

// checkCycles reports a call cycle: a component that, through its calls,
// ends up calling itself. Real systems have them by accident; here the
// model would never finish a request.
func (d *decoder) checkCycles(cs []topology.Component, r *resolver) {
	edges := func(i int) []int {
		c := cs[i]
		var out []int
		switch {
		case c.Client != nil:
			out = []int{c.Client.Target}
		case c.Balancer != nil:
			out = c.Balancer.Targets
		case c.Durable != nil:
			out = c.Durable.Consumers
		default:
			for _, call := range c.Server.Calls {
				out = append(out, call.To)
			}
		}
		return slices.DeleteFunc(slices.Clone(out), func(j int) bool { return j < 0 })
	}
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int, len(cs))
	var path []int
	reported := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		state[i] = onPath
		path = append(path, i)
		for _, j := range edges(i) {
			switch state[j] {
			case onPath:
				start := 0
				for k, p := range path {
					if p == j {
						start = k
					}
				}
				// Instances of one service make one cycle, named by the service.
				var names []string
				for _, p := range path[start:] {
					names = append(names, cs[p].Group)
				}
				names = append(names, cs[j].Group)
				key := canonicalCycle(names)
				if !reported[key] {
					reported[key] = true
					c := cs[path[len(path)-1]]
					at, ok := r.refs[[2]string{c.Group, cs[j].Group}] // the reference that closes it
					if !ok {
						at = posOf(c.Pos)
					}
					d.at(at, "call cycle: %s; a request would never finish", strings.Join(names, " -> "))
				}
			case unvisited:
				visit(j)
			}
		}
		path = path[:len(path)-1]
		state[i] = done
	}
	for i := range cs {
		if state[i] == unvisited {
			visit(i)
		}
	}
}

// canonicalCycle names a cycle the same whichever member it starts from.
func canonicalCycle(names []string) string {
	ring := append([]string(nil), names[:len(names)-1]...)
	sorted := append([]string(nil), ring...)
	sort.Strings(sorted)
	return fmt.Sprint(sorted)
}
