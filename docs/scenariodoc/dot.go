package scenariodoc

import (
	"fmt"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// DOT draws the scenario's topology as a Graphviz digraph: clients as
// ellipses, load balancers as diamonds, services as boxes, databases as
// cylinders; replicas of a service as one node; each call an edge labelled
// with its timeout and retries; faults on the node they hit.
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
			fmt.Fprintf(&b, "  %q [shape=%s, label=%q];\n", g, shapes[c.Kind], nodeLabel(sc, i, groups[g]))
		}
		edge := func(to int, label string) {
			key := g + "->" + node(to) + label
			if edges[key] {
				return
			}
			edges[key] = true
			fmt.Fprintf(&b, "  %q -> %q [label=%q];\n", g, node(to), label)
		}
		switch {
		case c.Client != nil:
			edge(c.Client.Target, callLabel(c.Client.Call, false))
		case c.Balancer != nil:
			for _, t := range c.Balancer.Targets {
				edge(t, callLabel(c.Balancer.Call, true))
			}
		case c.Durable != nil:
			for _, t := range c.Durable.Consumers {
				edge(t, "delivers")
			}
		default:
			for _, call := range c.Server.Calls {
				edge(call.To, groupLabel(c.Server, &call)+callLabel(call.CallPolicy, false))
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

func nodeLabel(sc *topology.Scenario, i, replicas int) string {
	c := sc.Components[i]
	lines := []string{c.Group}
	if replicas > 1 {
		lines[0] = fmt.Sprintf("%s ×%d", c.Group, replicas)
	}
	switch {
	case c.Client != nil:
		cl := c.Client
		if cl.Users > 0 {
			s := fmt.Sprintf("%s, think %s", count(cl.Users, "user"), dist(cl.Think))
			if cl.Requests > 0 {
				s += ", " + count(cl.Requests, "request") + " each"
			}
			lines = append(lines, s)
		} else {
			lines = append(lines, fmt.Sprintf("%g requests/s", cl.Rate[0].RPS))
		}
		lines = append(lines, classLines(cl)...)
	case c.Balancer != nil:
		lines = append(lines, c.Balancer.Policy.String())
	case c.Durable != nil:
		q := c.Durable
		if q.Capacity >= 0 {
			lines = append(lines, count(q.Capacity, "message")+" at most")
		}
		if q.Retention > 0 {
			lines = append(lines, "retention "+human.Duration(q.Retention))
		}
	default:
		s := c.Server
		unit := "worker"
		if c.Kind == topology.KindDatabase {
			unit = "connection"
		}
		lines = append(lines, count(s.Workers, unit)+", "+dist(s.Work))
		if s.Queue.Capacity >= 0 {
			lines = append(lines, fmt.Sprintf("queue of %d", s.Queue.Capacity))
		}
		if s.Timeout > 0 {
			lines = append(lines, "timeout "+human.Duration(s.Timeout))
		}
		if s.Cache != nil {
			lines = append(lines, fmt.Sprintf("cache of %d keys", s.Cache.Capacity))
		}
	}
	for _, f := range sc.Faults {
		for _, t := range f.Targets {
			if sc.Components[t].Group != c.Group {
				continue
			}
			on := ""
			if replicas > 1 {
				on = " on " + sc.Components[t].Name
			}
			lines = append(lines, fmt.Sprintf("fault%s: %s %s–%s", on, faultWhat(f), human.Duration(f.At), human.Duration(f.End())))
		}
	}
	return strings.Join(lines, "\n")
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func faultWhat(f topology.Fault) string {
	switch f.Kind {
	case topology.FaultSlowdown:
		return fmt.Sprintf("slowdown ×%g", f.Factor)
	case topology.FaultLatency:
		return "latency +" + human.Duration(f.Latency)
	case topology.FaultErrors:
		return fmt.Sprintf("errors %g%%", 100*f.ErrorRate)
	case topology.FaultCapacity:
		return fmt.Sprintf("capacity %d", f.Workers)
	case topology.FaultLoadSpike:
		return fmt.Sprintf("load ×%g", f.Factor)
	}
	return f.Kind.String()
}

func callLabel(p topology.CallPolicy, balancer bool) string {
	var parts []string
	if p.Timeout > 0 {
		what := "timeout "
		if balancer {
			what = "per try "
		}
		parts = append(parts, what+human.Duration(p.Timeout))
	}
	if p.Deadline > 0 {
		what := "deadline "
		if balancer {
			what = "route timeout "
		}
		parts = append(parts, what+human.Duration(p.Deadline))
	}
	if p.Timeout == 0 && p.Deadline == 0 {
		parts = append(parts, "no timeout")
	}
	if r := p.Retry; r.MaxAttempts > 1 {
		parts = append(parts, fmt.Sprintf("%d attempts, %s", r.MaxAttempts, backoff(r.Backoff)))
	}
	var also []string
	for _, m := range []struct {
		on   bool
		what string
	}{
		{p.Retry.Budget != nil, "retry budget"}, {p.Breaker != nil, "breaker"}, {p.Throttle != nil, "throttle"},
		{p.Cancel, "cancels"}, {p.PropagateDeadline, "propagates deadline"},
	} {
		if m.on {
			also = append(also, m.what)
		}
	}
	if len(also) > 0 {
		parts = append(parts, strings.Join(also, ", "))
	}
	return strings.Join(parts, "\n")
}

func backoff(b topology.Backoff) string {
	switch b.Kind {
	case topology.BackoffNone:
		return "no backoff"
	case topology.BackoffConstant:
		return "wait " + human.Duration(b.Base)
	case topology.BackoffEnvoy:
		return "Envoy backoff " + human.Duration(b.Base)
	}
	jitter := [...]string{"no jitter", "full jitter", "equal jitter", "decorrelated jitter"}[b.Jitter]
	return fmt.Sprintf("exponential %s–%s, %s", human.Duration(b.Base), human.Duration(b.Cap), jitter)
}

func dist(d topology.Dist) string {
	switch d.Kind {
	case topology.DistConstant:
		return human.Duration(d.Value)
	case topology.DistExponential:
		return "exp. mean " + human.Duration(d.Mean)
	case topology.DistUniform:
		return human.Duration(d.Min) + "–" + human.Duration(d.Max)
	case topology.DistLognormal:
		return fmt.Sprintf("median %s, p99 %s", human.Duration(d.Median), human.Duration(d.P99))
	}
	return "measured"
}

// groupLabel says how a call of a group is made: how many at once, and the
// join; "" for a call of its own.
func groupLabel(s *topology.Server, c *topology.Call) string {
	g := c.Group
	if g == nil {
		return ""
	}
	var parts []string
	if c.Targets != nil {
		if c.Pick == len(c.Targets) {
			parts = append(parts, fmt.Sprintf("to all %d at once", c.Pick))
		} else {
			parts = append(parts, fmt.Sprintf("to %d of %d at once", c.Pick, len(c.Targets)))
		}
	} else {
		parts = append(parts, "in parallel")
	}
	switch g.Join {
	case topology.JoinAll:
		parts = append(parts, "wait for all")
	case topology.JoinAny:
		parts = append(parts, "first answer")
	default:
		parts = append(parts, fmt.Sprintf("quorum %d of %d", g.Quorum, g.Members(s.Calls)))
	}
	if c.Optional {
		parts = append(parts, "optional")
	}
	if g.Timeout > 0 {
		parts = append(parts, "join within "+human.Duration(g.Timeout))
	}
	return strings.Join(parts, ", ") + "\n"
}

// classLines lists a client's request classes: their share and criticality.
func classLines(cl *topology.Client) []string {
	var total float64
	for _, x := range cl.Classes {
		total += x.Weight
	}
	var out []string
	for _, x := range cl.Classes {
		out = append(out, fmt.Sprintf("%s %s, %s", x.Name, human.Percent(x.Weight/total), x.Criticality))
	}
	return out
}
