package check

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/failsim/failsim/topology"
)

// capacities compares each server's load with what it can serve, and finds
// queues that can fill without a bound.
func (g *graph) capacities() {
	retriers := map[*node][]*edge{} // the retrying or hedging callers on the way to each node
	g.paths(func(path []*edge) {
		x := path[len(path)-1].to
		for _, e := range path {
			if sends := attemptsOf(e.p) > 1 || e.p.Hedge != nil; sends && !slices.ContainsFunc(retriers[x], func(o *edge) bool { return o.p == e.p }) {
				retriers[x] = append(retriers[x], e)
			}
		}
	})
	for _, n := range g.nodes {
		if n.c.Server != nil {
			g.capacity(n, retriers[n])
			g.unboundedQueue(n)
		}
	}
}

// vocabulary is what a server's calls and workers are called.
func vocabulary(n *node) (calls, call, workers, work string) {
	if n.c.Kind == topology.KindDatabase {
		return "queries", "query", "connections", "query_time"
	}
	return "calls", "call", "workers", "service_time"
}

func (g *graph) capacity(n *node, retriers []*edge) {
	var normal, worst, capacity, wcapacity, overloaded, saturated, worstBusy float64
	for _, i := range n.comps {
		l := g.load[i]
		normal, worst, capacity, wcapacity = normal+l.normal, worst+l.worst, capacity+l.capacity, wcapacity+l.wcapacity
		overloaded = max(overloaded, l.open/l.capacity)
		saturated = max(saturated, l.normal/l.capacity)
		worstBusy = max(worstBusy, l.worst/l.wcapacity)
	}
	f := Finding{Rule: ruleCapacity, Components: []string{n.name}}
	switch {
	case overloaded > 1:
		f.Severity = Error
	case saturated > 1 || worstBusy > 1:
		f.Severity = Warning
	case worstBusy >= 0.8:
		f.Severity = Note
	default:
		return
	}
	s := n.c.Server
	calls, call, workers, work := vocabulary(n)
	demand := g.load[n.comps[0]].demand
	held := "its " + work
	if len(n.out) > 0 {
		var callees []string
		for _, e := range n.out {
			callees = append(callees, e.to.name)
		}
		held += " and its calls to " + and(callees)
	}
	if s.Slowdown != (topology.Slowdown{}) {
		held += ", slowed by load as its slowdown says"
	}
	instances := ""
	if len(n.comps) > 1 {
		instances = fmt.Sprintf("%d instances of ", len(n.comps))
	}
	can := fmt.Sprintf("%s can serve about %s: %s%s, each %s holding one for %s on average (%s)",
		n.name, rate(capacity, calls), instances, plural(s.Workers, strings.TrimSuffix(workers, "s"), workers), call, secs(demand), held)
	need := func(load, busy float64) string {
		return fmt.Sprintf("%.0f %s", math.Ceil(load*demand/busy), workers)
	}
	if wd := g.load[n.comps[0]].wdemand; f.Severity != Error && saturated <= 1 && math.Abs(wd-demand) > 1e-9*demand {
		// The worst case has another mix of request classes: its own demand.
		demand, capacity = wd, wcapacity
		can = fmt.Sprintf("%s can serve about %s with the mix of request classes of the worst case: %s%s, each %s holding one for %s on average (%s)",
			n.name, rate(capacity, calls), instances, plural(s.Workers, strings.TrimSuffix(workers, "s"), workers), call, secs(demand), held)
	}
	if a := s.Autoscale; f.Severity == Error && a != nil && normal < g.scaledCapacity(n, capacity) {
		most := plural(a.Max, "instance", "instances")
		if a.Workers {
			most = plural(a.Max, "worker", "workers") + " per instance"
		}
		f.Severity = Warning
		f.Summary = fmt.Sprintf("%s is overloaded at the fault-free peak until its autoscaler adds capacity: %s against %s now, %s at its maximum of %s",
			n.name, rate(normal, calls), rate(capacity, calls), rate(g.scaledCapacity(n, capacity), calls), most)
		f.Explanation = fmt.Sprintf("%s. At the fault-free peak of the load it receives %s, %s of that. Its autoscaler can "+
			"serve it at its maximum, but only after a metric window, a decision and a provisioning delay; until then its "+
			"queue grows, callers time out, and whatever they retry is load the autoscaler measures and scales for too.",
			can, rate(normal, calls), percent(normal/capacity))
		f.Fix = fmt.Sprintf("Start with enough capacity for the peak (%s in all, and it has %d), shorten the provisioning "+
			"delay, or bound the retries so that the autoscaler sees the load and not the retries.", need(normal, 1), s.Workers*serving(g, n))
		g.report(f, a.Pos, n.c.Pos)
		return
	}
	switch f.Severity {
	case Error:
		backlog := "its queue grows without end"
		if s.Queue.Capacity >= 0 {
			backlog = "its queue fills and it refuses the rest"
		}
		f.Summary = fmt.Sprintf("%s is overloaded at the fault-free peak: %s against a capacity of %s",
			n.name, rate(normal, calls), rate(capacity, calls))
		f.Explanation = fmt.Sprintf("%s. At the fault-free peak of the load it receives %s, %s of that, before any "+
			"fault or retry: %s, and every caller's timeout fires sooner or later.", can, rate(normal, calls), percent(normal/capacity), backlog)
		f.Fix = fmt.Sprintf("Add capacity: at that rate it needs at least %s in all, and has %d; or make each %s cheaper.",
			need(normal, 1), s.Workers*len(n.comps), call)
	case Warning:
		if saturated > 1 {
			f.Summary = fmt.Sprintf("%s is saturated at the fault-free peak: its closed-loop users would send %s, it serves %s",
				n.name, rate(normal, calls), rate(capacity, calls))
			f.Explanation = fmt.Sprintf("%s. Its closed-loop users would send %s at the fault-free peak (users / (think "+
				"+ demand)), %s of that. They cannot send more than it serves, so they wait in its queue instead: it "+
				"runs flat out, every request waits behind the others, and a fault or a retry finds no room at all.",
				can, rate(normal, calls), percent(normal/capacity))
			f.Fix = fmt.Sprintf("Add capacity: the users need at least %s in all, and it has %d; or make each %s cheaper.",
				need(normal, 1), s.Workers*len(n.comps), call)
			break
		}
		var from []string
		budgets, retries, hedges := "", false, false
		for _, e := range retriers {
			m := sustained(e.p, g.edgeRate(e))
			if m <= 1 {
				continue
			}
			per := "per request"
			if e.from.c.Client == nil {
				per = "per call"
			}
			if h := e.p.Hedge; h != nil {
				hedges = true
				from = append(from, fmt.Sprintf("%s (up to %d hedged copies %s, every one sent once %s answers slower than %s)",
					e.from.name, h.MaxAttempts, per, e.to.name, secs(h.HedgingDelay.Seconds())))
				continue
			}
			retries = true
			if e.p.Retry.Budget != nil && m < float64(attemptsOf(e.p)) {
				budgets = ", as far as retry budgets allow"
				from = append(from, fmt.Sprintf("%s (about %s attempts %s within its %s budget)", e.from.name, num(m), per, e.p.Retry.Budget.Kind))
				continue
			}
			from = append(from, fmt.Sprintf("%s (up to %d attempts %s)", e.from.name, attemptsOf(e.p), per))
		}
		extra, failing, bound := "retries", "with every attempt failing and retried", ""
		switch {
		case hedges && retries:
			extra, failing = "retries and hedged copies", "with every attempt failing and retried, and every hedged call slow enough to send all its copies"
		case hedges:
			extra, failing = "hedged copies", "with every hedged call slower than its hedging delay, so that it sends all its copies"
		}
		if hedges {
			bound = ", hedge later (a hedging_delay near the callee's p95 latency) or with fewer copies"
		}
		from = slices.Compact(from) // a client's request classes share its retries
		sources := ""
		if len(from) > 0 {
			sources = " The " + extra + " come from " + and(from) + "."
		}
		f.Summary = fmt.Sprintf("%s can push %s past its capacity: up to %s against %s", extra, n.name, rate(worst, calls), rate(capacity, calls))
		f.Explanation = fmt.Sprintf("%s. At the fault-free peak it receives %s (%s busy), but in a sustained failure, "+
			"%s%s, it can receive up to %s: %s of what it can serve.%s Once a fault makes attempts fail or slow, the "+
			"%s alone can keep %s overloaded after the fault ends: a metastable failure, whose trigger is gone but not "+
			"the failure.",
			can, rate(normal, calls), percent(normal/capacity), failing, budgets, rate(worst, calls), percent(worst/capacity), sources, extra, n.name)
		f.Fix = fmt.Sprintf("Keep the worst case below capacity: bound the callers' retries (a retry budget such as "+
			"retry.budget = { kind = \"grpc\" }, or fewer attempts)%s, back off for closed-loop users, or shed load in "+
			"front of %s (queue.timeout, concurrency_limit). Or add capacity: about %s in all cover the worst case.",
			bound, n.name, need(worst, 1))
	default:
		f.Summary = fmt.Sprintf("%s has little headroom: up to %s at the worst case against a capacity of %s",
			n.name, rate(worst, calls), rate(capacity, calls))
		f.Explanation = fmt.Sprintf("%s. At the worst case, load spikes included and failed attempts retried, it can "+
			"receive up to %s, %s of that: little room for a burst, a slower dependency or growth, and queues grow "+
			"fast near capacity.", can, rate(worst, calls), percent(worst/capacity))
		f.Fix = fmt.Sprintf("Plan for headroom: about %s in all keep the worst case near 70%% busy.", need(worst, 0.7))
	}
	g.report(f, s.WorkersPos, n.c.Pos)
}

// unboundedQueue finds a server whose queue can fill and whose wait nothing
// bounds: no capacity, no queue timeout, no concurrency limit, no database
// timeout, and callers that do not tell it when they leave.
func (g *graph) unboundedQueue(n *node) {
	s := n.c.Server
	if s.Queue.Capacity >= 0 || s.Queue.Timeout > 0 || s.Limit != nil || s.Timeout > 0 || !g.queueForms(n, n.calls) {
		return
	}
	var callers []string
	var waited time.Duration
	toldAll := len(n.in) > 0
	for _, e := range n.in {
		toldAll = toldAll && (e.p.Cancel || e.p.PropagateDeadline)
		if !slices.Contains(callers, e.from.name) {
			callers = append(callers, e.from.name)
		}
		waited = max(waited, e.giveUp)
	}
	if toldAll {
		return
	}
	var most, ratio, worst float64 // the instance that needs the most workers for those it has
	fewest := 0
	strained := false
	for _, i := range n.comps {
		need, workers := g.busy(i, n.calls)
		if r := need / float64(max(workers, 1)); r >= ratio {
			most, fewest, ratio, worst = need, workers, r, g.load[i].worst
		}
		factor, extra, _ := g.strain(i)
		strained = strained || factor > 1 || extra > 0 || workers < s.Workers
	}
	calls, _, workers, _ := vocabulary(n)
	its, it := "its", "it receives"
	if len(n.comps) > 1 {
		its, it = "an instance's", fmt.Sprintf("each of its %d instances receives", len(n.comps))
	}
	needs := fmt.Sprintf("needs about %.0f %s busy", most, workers)
	if math.IsInf(most, 1) {
		needs = fmt.Sprintf("keeps its %s busy as long as its calls wait, which nothing bounds", workers)
	}
	if strained {
		needs += " under the scenario's faults"
	}
	past, bounds := "", []string{"a queue timeout shorter than its callers wait (load shedding)", "a concurrency_limit"}
	if waited != forever {
		past = fmt.Sprintf(", past the %s its callers wait for them,", dur(waited))
		bounds[0] = "a queue timeout shorter than " + dur(waited) + " (load shedding)"
	}
	noTimeout := ""
	if n.c.Kind == topology.KindDatabase {
		noTimeout, bounds = ", no timeout", append(bounds, "a timeout")
	}
	g.report(Finding{
		Rule:       ruleUnboundedQueue,
		Severity:   Warning,
		Components: append(callers, n.name),
		Summary:    fmt.Sprintf("%s queue has no bound: %s can wait longer than their callers do", possessive(n.name), calls),
		Explanation: fmt.Sprintf("%s queues %s when %s %d %s are busy, and nothing bounds the wait: no queue "+
			"capacity, no queue timeout, no concurrency limit%s, and its callers (%s) neither cancel nor pass a "+
			"deadline. It can fill: at the worst case %s up to %s and %s, more than the %d it has. They then wait "+
			"as long as it takes%s and are served for callers that have left; the backlog outlives what caused it.",
			n.name, calls, its, s.Workers, workers, noTimeout, and(callers), it, rate(worst, calls), needs, fewest, past),
		Fix: fmt.Sprintf("Bound the wait with %s; or set cancel = true or propagate_deadline = true on the calls into "+
			"%s, so that %s whose caller left are dropped before they are served.", or(bounds), n.name, calls),
	}, s.Queue.Pos, n.c.Pos)
}

// secs writes seconds as a duration: "25.4ms".
func secs(x float64) string {
	return dur(time.Duration(x * float64(time.Second)).Round(100 * time.Microsecond))
}

// serving counts the instances of n that take calls now (not on standby).
func serving(g *graph, n *node) int {
	k := 0
	for _, i := range n.comps {
		if !g.sc.Components[i].Standby {
			k++
		}
	}
	return k
}

// scaledCapacity is what n, serving capacity now, can serve once its
// autoscaler has scaled it to its maximum.
func (g *graph) scaledCapacity(n *node, capacity float64) float64 {
	a := n.c.Server.Autoscale
	if a.Workers {
		return capacity * float64(a.Max) / float64(n.c.Server.Workers)
	}
	return capacity * float64(a.Max) / float64(serving(g, n))
}
