package check

import (
	"math"
	"slices"
	"time"

	"github.com/failsim/failsim/topology"
)

// forever is a limit that is never reached.
const forever = time.Duration(math.MaxInt64)

// graph is the scenario as a reviewer reads it: one node per service (its
// instances share their settings), an edge for each way one calls another,
// and what the rules derive from them.
type graph struct {
	sc    *topology.Scenario
	nodes []*node // callers before callees
	of    []*node // component index -> its node
	load  []load  // per component
	found []Finding

	classes []*topology.Class // every client's request classes, in scenario order (sim numbers them the same)
}

// node is a client, a load balancer, a service with all its instances, or a
// database.
type node struct {
	name    string
	c       *topology.Component // its first instance: all share its settings
	comps   []int               // its instances' component indices
	out, in []*edge

	// hold is how long it may keep a call whose caller does not tell it that
	// it gave up, by its configured limits (its own work aside): a
	// database's timeout, a queue timeout, or how long it waits for its own
	// calls. holdWhy says which, e.g. "its route timeout".
	hold    time.Duration
	holdWhy string

	calls     time.Duration // servers: how long a call may wait for its own calls, by their limits
	unbounded bool          // servers: calls can wait in its queue and nothing bounds the wait
}

// edge is one way a caller calls a callee: a client's target, a balancer's
// targets that belong to one service, a service's call.
type edge struct {
	from, to *node
	p        *topology.CallPolicy
	call     int // the caller's call index (services); -1 for clients and balancers

	// giveUp is the longest the caller waits for an attempt: its own timeout
	// or deadline, or less when its callers tell it to stop (they cancel,
	// or pass on a deadline that it passes on in turn); forever when nothing
	// bounds it.
	giveUp time.Duration
}

func newGraph(sc *topology.Scenario) *graph {
	g := &graph{sc: sc, of: make([]*node, len(sc.Components)), load: make([]load, len(sc.Components)), classes: sc.Classes()}
	byName := map[string]*node{}
	var nodes []*node
	for i := range sc.Components {
		c := &sc.Components[i]
		n := byName[c.Group]
		if n == nil {
			n = &node{name: c.Group, c: c}
			byName[c.Group] = n
			nodes = append(nodes, n)
		}
		if !c.Standby {
			n.comps = append(n.comps, i)
		}
		g.of[i] = n
	}
	link := func(from *node, to int, p *topology.CallPolicy, call int) {
		for _, e := range from.out {
			if e.to == g.of[to] && e.call == call {
				return // another instance of a service the balancer already targets
			}
		}
		e := &edge{from: from, to: g.of[to], p: p, call: call}
		from.out = append(from.out, e)
		e.to.in = append(e.to.in, e)
	}
	for _, n := range nodes {
		switch c := n.c; {
		case c.Client != nil:
			link(n, c.Client.Target, &c.Client.Call, -1)
			for k := range c.Client.Classes { // each class's edge has its own policy
				x := &c.Client.Classes[k]
				link(n, x.Target, &x.Call, -2-k)
			}
		case c.Balancer != nil:
			for _, t := range c.Balancer.Targets {
				link(n, t, &c.Balancer.Call, -1)
			}
		case c.Durable != nil: // its consumers pull at their own pace: no load or hold passes through
		default:
			for i := range c.Server.Calls {
				link(n, c.Server.Calls[i].To, &c.Server.Calls[i].CallPolicy, i)
			}
		}
	}
	g.nodes = callersFirst(nodes)
	g.loads()
	g.holds()
	g.giveUps()
	return g
}

// callersFirst orders the nodes so that every caller comes before its
// callees (validation guarantees there is no cycle).
func callersFirst(nodes []*node) []*node {
	seen := map[*node]bool{}
	var post []*node
	var visit func(n *node)
	visit = func(n *node) {
		seen[n] = true
		for _, e := range n.out {
			if !seen[e.to] {
				visit(e.to)
			}
		}
		post = append(post, n)
	}
	for _, n := range nodes {
		if !seen[n] {
			visit(n)
		}
	}
	slices.Reverse(post)
	return post
}

// holds works out, callees first, how long each balancer and server may keep
// a call.
func (g *graph) holds() {
	for _, n := range slices.Backward(g.nodes) {
		switch {
		case n.c.Balancer != nil:
			g.balancerHold(n)
		case n.c.Server != nil:
			g.serverHold(n)
		}
	}
}

func (g *graph) balancerHold(n *node) {
	p := &n.c.Balancer.Call
	var callee *node
	for _, e := range n.out {
		if callee == nil || e.to.hold > callee.hold {
			callee = e.to
		}
	}
	n.hold = callHold(p, callee.hold)
	switch {
	case p.Deadline > 0 && n.hold == p.Deadline:
		n.holdWhy = "its route timeout"
	case n.hold == forever:
		n.holdWhy = "no route timeout"
	case p.Timeout > 0 && p.Timeout <= callee.hold:
		n.holdWhy = "its per-try timeout"
		if attemptsOf(p) > 1 {
			n.holdWhy = plural(attemptsOf(p), "try", "tries") + " of up to " + dur(p.Timeout)
		}
	default:
		n.holdWhy = "as long as " + callee.name + " keeps it"
	}
}

func (g *graph) serverHold(n *node) {
	s := n.c.Server
	var calls time.Duration
	var callees []string
	endless := ""
	hold := func(e *edge) time.Duration {
		h := callHold(e.p, e.to.hold)
		if h > 0 && !slices.Contains(callees, e.to.name) {
			callees = append(callees, e.to.name)
		}
		if h == forever && endless == "" {
			endless = e.to.name
		}
		return h
	}
	for _, st := range s.Steps() { // a group waits for its calls at once: the longest of them
		var h time.Duration
		for _, e := range n.out {
			if st.First <= e.call && e.call < st.End {
				h = max(h, hold(e))
			}
		}
		if st.Group != nil && st.Group.Timeout > 0 {
			h = min(h, st.Group.Timeout)
		}
		calls = addDur(calls, h)
	}
	var queue time.Duration
	switch {
	case s.Queue.Timeout > 0:
		queue = s.Queue.Timeout
	case g.queueForms(n, calls):
		queue = forever
	}
	n.calls, n.unbounded = calls, queue == forever
	n.hold = addDur(queue, calls)
	switch {
	case s.Timeout > 0: // a database: its limit, however fast its queries usually are
		n.hold, n.holdWhy = s.Timeout, "its timeout"
	case queue == forever && n.c.Kind == topology.KindDatabase:
		n.holdWhy = "no timeout, and its queue has no bound"
	case queue == forever:
		n.holdWhy = "its queue has no bound"
	case calls == forever:
		n.holdWhy = "its call to " + endless + " has no limit"
	default:
		var parts []string
		if queue > 0 {
			parts = append(parts, "its queue timeout")
		}
		if len(callees) == 1 {
			parts = append(parts, "its call to "+callees[0])
		} else if len(callees) > 1 {
			parts = append(parts, "its calls to "+and(callees))
		}
		n.holdWhy = and(parts)
	}
}

// callHold is how long a caller with policy p may wait for one call, all
// attempts and backoffs included, when its callee keeps an attempt for up to
// callee.
func callHold(p *topology.CallPolicy, callee time.Duration) time.Duration {
	attempt := min(orForever(p.Timeout), callee)
	longest, _ := backoffs(p.Retry.Backoff, attemptsOf(p)-1)
	return min(addDur(mulDur(attemptsOf(p), attempt), longest), orForever(p.Deadline))
}

// queueForms reports whether calls can wait in server n's queue: at the
// worst-case arrival rate, and with the slowdowns and capacity losses of the
// scenario's faults, some instance needs more workers than it has. calls is
// how long a call holds its worker after its work, waiting for its own calls.
func (g *graph) queueForms(n *node, calls time.Duration) bool {
	if n.c.Server.Queue.Capacity == 0 {
		return false // it refuses instead
	}
	for _, i := range n.comps {
		if need, workers := g.busy(i, calls); need > float64(workers) {
			return true
		}
	}
	return false
}

// busy is how many workers server i needs at its worst-case arrival rate,
// each call holding one for its work (slowed as the faults slow it) and for
// calls; and the fewest workers the faults leave it.
func (g *graph) busy(i int, calls time.Duration) (need float64, workers int) {
	l := g.load[i]
	factor, extra, workers := g.strain(i)
	switch {
	case l.worst == 0:
		return 0, workers
	case calls == forever:
		return math.Inf(1), workers
	}
	return l.worst * (l.work*factor + extra.Seconds() + calls.Seconds()), workers
}

// strain is the worst the scenario's faults do to server i at any one time:
// the factor its work is slowed by, the latency added to it, and the fewest
// workers it keeps.
func (g *graph) strain(i int) (factor float64, extra time.Duration, workers int) {
	factor, workers = 1, g.sc.Components[i].Server.Workers
	var on []topology.Fault
	for _, f := range g.sc.Faults {
		if f.At < g.sc.Duration && slices.Contains(f.Targets, i) {
			on = append(on, f)
		}
	}
	for _, f := range on {
		fac, lat := 1.0, time.Duration(0)
		for _, o := range on {
			if o.At <= f.At && f.At < o.End() {
				switch o.Kind {
				case topology.FaultSlowdown:
					fac *= o.Factor
				case topology.FaultLatency:
					lat += o.Latency
				case topology.FaultDrift: // at its worst
					if o.Drift.What == topology.DriftLatency {
						lat += time.Duration(max(o.Drift.From, o.Drift.To) * float64(time.Second))
					}
				}
			}
		}
		factor, extra = max(factor, fac), max(extra, lat)
		if f.Kind == topology.FaultCapacity {
			workers = min(workers, f.Workers)
		}
		if f.Kind == topology.FaultDrift && f.Drift.What == topology.DriftCapacity {
			workers = min(workers, int(min(f.Drift.From, f.Drift.To)))
		}
	}
	return factor, extra, workers
}

// giveUps works out, callers first, how long each caller waits for an
// attempt.
func (g *graph) giveUps() {
	for _, n := range g.nodes {
		for _, e := range n.out {
			e.giveUp = min(attemptLimit(e.p), toldAt(e))
		}
	}
}

// toldAt is when e's caller stops because all its own callers tell it to:
// they cancel, or they propagate a deadline and e propagates it too (a
// component waits no longer than a deadline only when it passes it on).
func toldAt(e *edge) time.Duration {
	if len(e.from.in) == 0 {
		return forever
	}
	var at time.Duration
	for _, in := range e.from.in {
		if !in.p.Cancel && !(in.p.PropagateDeadline && e.p.PropagateDeadline) {
			return forever
		}
		at = max(at, in.giveUp)
	}
	return at
}

// attemptLimit is how long a caller waits for one attempt by its own
// settings.
func attemptLimit(p *topology.CallPolicy) time.Duration {
	return min(orForever(p.Timeout), orForever(p.Deadline))
}

// told reports whether e's callee learns that its caller gave up: the edge
// cancels, or it propagates the deadline and the callee acts on it (a
// server drops queued calls past it and waits no longer for its own calls
// when they propagate it too; a balancer only when it propagates it).
func told(e *edge) bool {
	return e.p.Cancel || (e.p.PropagateDeadline && actsOnDeadline(e.to))
}

func actsOnDeadline(n *node) bool {
	switch {
	case n.c.Balancer != nil:
		return n.c.Balancer.Call.PropagateDeadline
	case n.c.Server != nil:
		for _, e := range n.out {
			if !e.p.PropagateDeadline {
				return false
			}
		}
		return true
	}
	return false
}

// orphans reports whether e's callee can keep working on a call after its
// caller gave up, without being told.
func orphans(e *edge) bool {
	return e.giveUp != forever && !told(e) && e.to.hold > e.giveUp
}

// paths calls f with every path of calls from a client: the client's edge,
// then each way on to every component it reaches.
func (g *graph) paths(f func(path []*edge)) {
	var walk func(path []*edge)
	walk = func(path []*edge) {
		f(path)
		for _, e := range path[len(path)-1].to.out {
			walk(append(path[:len(path):len(path)], e))
		}
	}
	for _, n := range g.nodes {
		if n.c.Client != nil {
			for _, e := range n.out { // the client's target, and its classes' targets
				walk([]*edge{e})
			}
		}
	}
}

// backoffs is the total wait before retries 1..n of b: at its longest, and
// on average.
func backoffs(b topology.Backoff, n int) (longest, mean time.Duration) {
	prevMean := b.Base
	for k := 1; k <= n; k++ {
		var hi, avg time.Duration
		switch b.Kind {
		case topology.BackoffConstant:
			hi, avg = b.Base, b.Base
		case topology.BackoffEnvoy:
			v := b.Base
			for i := 1; i < k && v <= b.Cap; i++ {
				v = 2*v + b.Base
			}
			hi = min(b.Cap, v)
			avg = hi / 2
		case topology.BackoffExponential:
			v := min(b.Cap, time.Duration(float64(b.Base)*math.Pow(b.Multiplier, float64(k-1))))
			switch b.Jitter {
			case topology.JitterNone:
				hi, avg = v, v
			case topology.JitterFull:
				hi, avg = v, v/2
			case topology.JitterEqual:
				hi, avg = v, v*3/4
			case topology.JitterDecorrelated:
				hi = min(b.Cap, time.Duration(float64(b.Base)*math.Pow(3, float64(k))))
				avg = min(b.Cap, (b.Base+3*prevMean)/2)
				prevMean = avg
			}
		}
		longest, mean = addDur(longest, hi), addDur(mean, avg)
	}
	return longest, mean
}

func orForever(d time.Duration) time.Duration {
	if d == 0 {
		return forever
	}
	return d
}

func addDur(a, b time.Duration) time.Duration {
	if a == forever || b == forever || a > forever-b {
		return forever
	}
	return a + b
}

func mulDur(n int, d time.Duration) time.Duration {
	if d == forever || (d > 0 && int64(n) > int64(forever)/int64(d)) {
		return forever
	}
	return time.Duration(n) * d
}
