package scenariodoc

import (
	"fmt"
	"strings"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/topology"
)

// DOT draws the scenario's topology as a Graphviz digraph: clients as
// ellipses, load balancers as diamonds, services as boxes, databases as
// cylinders; replicas of a service as one node; each call an edge labelled
// with its timeout and retries and its link's delay, loss and faults (red
// and dashed when the link loses messages or a fault cuts it); faults on
// the node they hit.
func DOT(sc *topology.Scenario) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n", sc.Name)
	groups := map[string]int{} // replicas per group
	for _, c := range sc.Components {
		groups[c.Group]++
	}
	drawn := map[string]bool{}
	edges := map[string]bool{}
	node := func(i int) string { return sc.Components[i].Group }
	for i, c := range sc.Components {
		g := c.Group
		if !drawn[g] {
			drawn[g] = true
			fmt.Fprintf(&b, "  %q [shape=%s, label=%q];\n", g, shapes[c.Kind], plots.NodeLabel(sc, i, groups[g]))
		}
		edge := func(to int, call string) {
			label, lossy := call, false
			if link, lossyLink := plots.LinkLabel(sc, i, to); link != "" {
				label, lossy = call+"\n"+link, lossyLink
			}
			key := g + "->" + node(to) + label
			if edges[key] {
				return
			}
			edges[key] = true
			style := ""
			if lossy {
				style = `, color="#a52a2a", style=dashed`
			}
			fmt.Fprintf(&b, "  %q -> %q [label=%q%s];\n", g, node(to), label, style)
		}
		switch {
		case c.Client != nil:
			edge(c.Client.Target, plots.CallLabel(c.Client.Call, false))
		case c.Balancer != nil:
			for _, t := range c.Balancer.Targets {
				edge(t, plots.CallLabel(c.Balancer.Call, true))
			}
		case c.Durable != nil:
			for _, t := range c.Durable.Consumers {
				edge(t, "delivers")
			}
		default:
			for _, call := range c.Server.Calls {
				edge(call.To, plots.GroupLabel(c.Server, &call)+plots.CallLabel(call.CallPolicy, false))
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}

var shapes = [...]string{
	topology.KindClient: "ellipse", topology.KindLoadBalancer: "diamond",
	topology.KindService: "box", topology.KindDatabase: "cylinder",
	topology.KindQueue: "cds",
}
