package scenariofile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// linkKeys are the keys of a link, in [network] (every edge's default) and
// in [[link]] (one edge, overriding the default key by key).
var linkKeys = []string{"delay", "request_delay", "response_delay", "loss", "request_loss", "response_loss"}

// network reads [network] and the [[link]] entries into sc.Network.
func (d *decoder) network(o *object, r *resolver, sc *topology.Scenario) {
	if n := o.get("network"); n != nil {
		if no := d.object(n, "network", linkKeys...); no != nil {
			d.linkKeys(no, &sc.Network.Default)
			sc.Network.DefaultPos = d.pos(n)
		}
	}
	n := o.get("link")
	if n == nil {
		return
	}
	arr, ok := n.v.([]*node)
	if !ok {
		d.errorf(n, "link must be a list of links: write each as [[link]] with from and to")
		return
	}
	seen := map[topology.Edge]int{}
	for i, ln := range arr {
		lo := d.object(ln, fmt.Sprintf("link[%d]", i), append([]string{"from", "to"}, linkKeys...)...)
		if lo == nil {
			continue
		}
		edges := r.linkEdges(lo, sc)
		for _, e := range edges {
			if j, dup := seen[e]; dup {
				lo.errorf(lo.get("to"), "the link %s is already set by link[%d]; give each edge one [[link]]", sc.EdgeName(e), j)
				edges = nil
				break
			}
			seen[e] = i
		}
		l := sc.Network.Default
		d.linkKeys(lo, &l)
		for _, e := range edges {
			sc.Network.Links = append(sc.Network.Links, topology.EdgeLink{Edge: e, Link: l, Pos: d.pos(ln)})
		}
	}
}

// linkKeys reads a link's keys into l, each key that is given overriding
// l's value: delay and loss set both directions, the request_ and
// response_ keys one.
func (d *decoder) linkKeys(o *object, l *topology.Link) {
	for _, k := range []string{"request_delay", "response_delay"} {
		if o.has("delay") && o.has(k) {
			o.errorf(o.get(k), "give delay (both ways) or %s, not both", k)
		}
	}
	for _, k := range []string{"request_loss", "response_loss"} {
		if o.has("loss") && o.has(k) {
			o.errorf(o.get(k), "give loss (both ways) or %s, not both", k)
		}
	}
	if o.has("delay") {
		dl := d.dist(o, "delay", l.RequestDelay)
		l.RequestDelay, l.ResponseDelay = dl, dl
	}
	l.RequestDelay = d.dist(o, "request_delay", l.RequestDelay)
	l.ResponseDelay = d.dist(o, "response_delay", l.ResponseDelay)
	if o.has("loss") {
		p := o.number("loss", l.RequestLoss, 0, 1)
		l.RequestLoss, l.ResponseLoss = p, p
	}
	l.RequestLoss = o.number("request_loss", l.RequestLoss, 0, 1)
	l.ResponseLoss = o.number("response_loss", l.ResponseLoss, 0, 1)
}

// linkEdges resolves a [[link]]'s from and to into the edges it sets: from
// and to name components, or replicated services (all their instances), and
// from must call to.
func (r *resolver) linkEdges(o *object, sc *topology.Scenario) []topology.Edge {
	from := r.linkEnd(o, "from", false)
	to := r.linkEnd(o, "to", false)
	if from == nil || to == nil {
		return nil
	}
	edges := r.edgesBetween(sc, from, to)
	if len(edges) == 0 {
		fromName, _ := o.get("from").v.(string)
		toName, _ := o.get("to").v.(string)
		o.errorf(o.get("to"), "%s", r.notCalled(sc, fromName, toName, from, to))
	}
	return edges
}

// linkEnd resolves one end of a link: a component, a replicated service
// (all its instances), or "*" when star (every component).
func (r *resolver) linkEnd(o *object, key string, star bool) []int {
	n := o.get(key)
	if n == nil {
		o.missing(key, "the name of a component")
		return nil
	}
	name, ok := n.v.(string)
	if !ok {
		o.errorf(n, "%s must be a component name, got %s", key, describe(n.v))
		return nil
	}
	return r.end(o, n, key, name, star)
}

func (r *resolver) end(o *object, n *node, key, name string, star bool) []int {
	if star && name == "*" {
		all := make([]int, len(r.kinds))
		for i := range all {
			all[i] = i
		}
		return all
	}
	if g := r.groups[name]; g != nil {
		return g
	}
	i, ok := r.index[name]
	if !ok {
		o.errorf(n, "%s: no component named %q%s", key, name, human.DidYouMean(name, r.names))
		return nil
	}
	return []int{i}
}

// edgesBetween lists the edges from a component of from to one of to, in
// the scenario's order of edges.
func (r *resolver) edgesBetween(sc *topology.Scenario, from, to []int) []topology.Edge {
	var out []topology.Edge
	for _, e := range sc.Edges() {
		if slices.Contains(from, e.From) && slices.Contains(to, e.To) {
			out = append(out, e)
		}
	}
	return out
}

// notCalled says why no edge joins from and to: what from calls instead,
// and the edge the other way round when that is the one that exists.
func (r *resolver) notCalled(sc *topology.Scenario, fromName, toName string, from, to []int) string {
	if len(r.edgesBetween(sc, to, from)) > 0 {
		return fmt.Sprintf("%s does not call %s, %s calls %s: a link is named caller first, did you mean %q?",
			fromName, toName, toName, fromName, toName+" -> "+fromName)
	}
	var callees []string
	for _, f := range from {
		for _, t := range sc.Components[f].Callees() {
			if g := sc.Components[t].Group; !slices.Contains(callees, g) {
				callees = append(callees, g)
			}
		}
	}
	if len(callees) == 0 {
		return fmt.Sprintf("%s calls nothing, so no link starts there", fromName)
	}
	return fmt.Sprintf("%s does not call %s; it calls %s%s", fromName, toName, quoteList(callees), human.DidYouMean(toName, callees))
}

// linkTarget reads a link fault's link = "FROM -> TO", where either end may
// be "*" (every edge into TO, or out of FROM), and its direction.
func (d *decoder) linkTarget(o *object, key string, r *resolver, sc *topology.Scenario) *topology.LinkTarget {
	n := o.get(key)
	s, ok := n.v.(string)
	if !ok {
		o.errorf(n, "%s must be a link such as \"api -> db\", got %s", key, describe(n.v))
		return nil
	}
	fromName, toName, ok := topology.ParseEdge(s)
	if !ok {
		o.errorf(n, "%s: %q is not a link; write the caller, an arrow and the callee, e.g. \"api -> db\", \"* -> db\" (every edge into db) or \"api -> *\" (every edge out of api)", key, s)
		return nil
	}
	if fromName == "*" && toName == "*" {
		o.errorf(n, "%s: \"* -> *\" names every edge; name at least one end", key)
		return nil
	}
	from := r.end(o, n, key, fromName, true)
	to := r.end(o, n, key, toName, true)
	if from == nil || to == nil {
		return nil
	}
	edges := r.edgesBetween(sc, from, to)
	if len(edges) == 0 {
		why := r.notCalled(sc, fromName, toName, from, to)
		switch {
		case fromName == "*":
			why = fmt.Sprintf("nothing calls %s", toName)
		case toName == "*":
			why = fmt.Sprintf("%s calls nothing", fromName)
		}
		o.errorf(n, "%s: no edge %s: %s", key, strings.Join([]string{fromName, toName}, " -> "), why)
		return nil
	}
	dir := topology.Direction(o.enum("direction", int(topology.BothWays), topology.DirectionNames))
	return &topology.LinkTarget{Edges: edges, Direction: dir, Name: fromName + " -> " + toName}
}
