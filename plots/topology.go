package plots

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// Topology draws a scenario's components as an SVG picture, left to right
// in the order calls flow: clients, then each tier at the depth of its
// longest path from a client. Replicas of a service are one box; each call
// is an arrow labelled with its timeout and retries, and with its link's
// delay, loss and faults; faults are written in the box or on the arrow
// they hit, and a link that loses messages, or that a fault cuts, is drawn
// red and dashed. Shapes follow the docs pages' Graphviz drawings:
// clients round, load balancers pointed, databases with a cylinder's top.
func Topology(sc *topology.Scenario) []byte {
	g := newTopoGraph(sc)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="'Liberation Sans',Arial,Helvetica,sans-serif" font-size="%d">`+"\n",
		g.width, g.height, g.width, g.height, topoFont)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>` + "\n")
	for _, e := range g.edges {
		from, to := g.nodes[e.from], g.nodes[e.to]
		x1, y1 := from.x+from.w, from.y+from.h/2
		x2, y2 := to.x, to.y+to.h/2
		mid := (x1 + x2) / 2
		stroke := `stroke="#666"`
		if e.lossy {
			stroke = `stroke="#a52a2a" stroke-dasharray="6,4"`
		}
		fmt.Fprintf(&b, `<path d="M%d,%d C%d,%d %d,%d %d,%d" fill="none" %s stroke-width="1.3" marker-end="url(#arrow)"/>`+"\n", x1, y1, mid, y1, mid, y2, x2, y2, stroke)
		lines := strings.Split(e.label, "\n")
		ly := (y1+y2)/2 - len(lines)*topoLine/2 + topoLine - 3
		for i, l := range lines {
			fill := "#444"
			if strings.HasPrefix(l, "fault") || strings.HasPrefix(l, "loses") {
				fill = "#a52a2a"
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s" font-size="%d" stroke="#fff" stroke-width="2" stroke-linejoin="round" paint-order="stroke">%s</text>`+"\n",
				mid, ly+i*topoLine, fill, topoFont-1, escape(l))
		}
	}
	for _, n := range g.nodes {
		b.WriteString(shape(n))
		top := n.y + topoPad
		if n.kind == topology.KindDatabase {
			top += 8 // below the cylinder's top
		}
		for i, l := range n.lines {
			weight := ""
			if i == 0 {
				weight = ` font-weight="bold"`
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle"%s fill="%s">%s</text>`+"\n",
				n.x+n.w/2, top+(i+1)*topoLine-3, weight, lineColor(l), escape(l))
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// Sizes in pixels: the font, a line of text, the padding inside a box and
// the gaps between boxes.
const (
	topoFont   = 12
	topoLine   = 15
	topoPad    = 8
	topoGapX   = 200
	topoGapY   = 24
	topoMargin = 16
)

type topoNode struct {
	group      string
	kind       topology.Kind
	lines      []string
	depth      int
	x, y, w, h int
}

type topoEdge struct {
	from, to int
	label    string
	lossy    bool // its link loses messages, or a fault on it does: drawn red and dashed
}

type topoGraph struct {
	nodes         []*topoNode
	edges         []topoEdge
	width, height int
}

func newTopoGraph(sc *topology.Scenario) *topoGraph {
	g := &topoGraph{}
	replicas := map[string]int{}
	for _, c := range sc.Components {
		replicas[c.Group]++
	}
	at := map[string]int{}
	for i, c := range sc.Components {
		if _, ok := at[c.Group]; !ok {
			at[c.Group] = len(g.nodes)
			g.nodes = append(g.nodes, &topoNode{group: c.Group, kind: c.Kind, lines: strings.Split(NodeLabel(sc, i, replicas[c.Group]), "\n")})
		}
	}
	seen := map[string]bool{}
	edge := func(from, to int, call string) {
		f, t := at[sc.Components[from].Group], at[sc.Components[to].Group]
		label, lossy := edgeLabel(call, sc, from, to)
		key := fmt.Sprint(f, t, label)
		if !seen[key] {
			seen[key] = true
			g.edges = append(g.edges, topoEdge{from: f, to: t, label: label, lossy: lossy})
		}
	}
	for i, c := range sc.Components {
		switch {
		case c.Client != nil:
			edge(i, c.Client.Target, CallLabel(c.Client.Call, false))
		case c.Balancer != nil:
			for _, t := range c.Balancer.Targets {
				edge(i, t, CallLabel(c.Balancer.Call, true))
			}
		case c.Durable != nil:
			for _, t := range c.Durable.Consumers {
				edge(i, t, "delivers")
			}
		default:
			for _, call := range c.Server.Calls {
				edge(i, call.To, GroupLabel(c.Server, &call)+CallLabel(call.CallPolicy, false))
			}
		}
	}
	// A tier's depth is its longest path from a client: the graph has no
	// cycle, so relaxing every edge once per node settles it.
	for range g.nodes {
		for _, e := range g.edges {
			g.nodes[e.to].depth = max(g.nodes[e.to].depth, g.nodes[e.from].depth+1)
		}
	}
	g.place()
	return g
}

// place sizes each box to its text and stacks the boxes of a depth in a
// column, in the order the scenario defines them.
func (g *topoGraph) place() {
	colW := map[int]int{}
	colH := map[int]int{}
	depths := 0
	for _, n := range g.nodes {
		for _, l := range n.lines {
			n.w = max(n.w, textWidth(l)+2*topoPad)
		}
		n.h = len(n.lines)*topoLine + 2*topoPad
		if n.kind == topology.KindDatabase {
			n.h += 8 // the cylinder's top
		}
		colW[n.depth] = max(colW[n.depth], n.w)
		colH[n.depth] += n.h + topoGapY
		depths = max(depths, n.depth+1)
	}
	x := topoMargin
	xs := make([]int, depths)
	for d := range depths {
		xs[d] = x
		x += colW[d] + topoGapX
	}
	g.width = x - topoGapX + topoMargin
	for d := range depths {
		g.height = max(g.height, colH[d]-topoGapY+2*topoMargin)
	}
	next := map[int]int{}
	for _, n := range g.nodes {
		n.x = xs[n.depth] + (colW[n.depth]-n.w)/2
		n.y = topoMargin + (g.height-2*topoMargin-(colH[n.depth]-topoGapY))/2 + next[n.depth]
		next[n.depth] += n.h + topoGapY
	}
}

// textWidth estimates a line's width in pixels at topoFont: Liberation
// Sans averages about 0.55 em a character.
func textWidth(s string) int { return len([]rune(s)) * topoFont * 55 / 100 }

// shape draws a box of its kind's shape.
func shape(n *topoNode) string {
	const style = `fill="#f6f8fb" stroke="#4e79a7" stroke-width="1.5"`
	switch n.kind {
	case topology.KindClient:
		return fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" rx="%d" %s/>`+"\n", n.x, n.y, n.w, n.h, n.h/2, style)
	case topology.KindLoadBalancer:
		d := 10
		return fmt.Sprintf(`<path d="M%d,%d L%d,%d L%d,%d L%d,%d L%d,%d L%d,%d z" %s/>`+"\n",
			n.x, n.y+n.h/2, n.x+d, n.y, n.x+n.w-d, n.y, n.x+n.w, n.y+n.h/2, n.x+n.w-d, n.y+n.h, n.x+d, n.y+n.h, style)
	case topology.KindDatabase:
		return fmt.Sprintf(`<path d="M%d,%d L%d,%d A%d,4 0 0 0 %d,%d L%d,%d A%d,4 0 0 0 %d,%d" %s/><path d="M%d,%d A%d,4 0 0 0 %d,%d" fill="none" stroke="#4e79a7" stroke-width="1.5"/>`+"\n",
			n.x, n.y+4, n.x, n.y+n.h-4, n.w/2, n.x+n.w, n.y+n.h-4, n.x+n.w, n.y+4, n.w/2, n.x, n.y+4, style,
			n.x, n.y+4, n.w/2, n.x+n.w, n.y+4)
	case topology.KindQueue:
		return fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" %s stroke-dasharray="5,3"/>`+"\n", n.x, n.y, n.w, n.h, style)
	}
	return fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" rx="3" %s/>`+"\n", n.x, n.y, n.w, n.h, style)
}

// lineColor writes faults in the faults' red.
func lineColor(l string) string {
	if strings.HasPrefix(l, "fault") {
		return "#a52a2a"
	}
	return "#222"
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// NodeLabel describes the component sc.Components[i], standing for its
// group of replicas: name (×replicas), its capacity or load, its limits and
// the faults that hit it, one line each.
func NodeLabel(sc *topology.Scenario, i, replicas int) string {
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

// CallLabel describes a call policy, one line each: its timeout (a
// balancer's per-try and route timeouts), retries and backoff, and the
// guards on it.
func CallLabel(p topology.CallPolicy, balancer bool) string {
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
	if r := p.Retry; r.MaxAttempts == topology.Unlimited {
		parts = append(parts, "attempts until the deadline, "+backoff(r.Backoff))
	} else if r.MaxAttempts > 1 {
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

// GroupLabel says how a call of a group is made: how many at once, and the
// join; "" for a call of its own.
func GroupLabel(s *topology.Server, c *topology.Call) string {
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
