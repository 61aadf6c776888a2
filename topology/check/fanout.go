package check

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/failsim/failsim/topology"
)

// mix is the share of component i's calls of each class (index + 1; 0 for
// calls without one), by its normal rate; all without a class when it
// receives none.
func (g *graph) mix(i int) []float64 { return shares(g.load[i].classes) }

// shares are rates by class as fractions of their sum.
func shares(rates []float64) []float64 {
	var total float64
	for _, r := range rates {
		total += r
	}
	if total == 0 {
		return []float64{1}
	}
	out := make([]float64, len(rates))
	for c, r := range rates {
		out[c] = r / total
	}
	return out
}

// classPath is what class c (index + 1) changes at server i, or nil.
func (g *graph) classPath(c, i int) *topology.ClassPath {
	if c == 0 || c > len(g.classes) {
		return nil
	}
	for k := range g.classes[c-1].Paths {
		if p := &g.classes[c-1].Paths[k]; p.Server == i {
			return p
		}
	}
	return nil
}

// makes reports whether a call of class c at server i makes the call at
// index call (every call, for a call without a class or a class without
// steps there).
func (g *graph) makes(c, i, call int) bool {
	p := g.classPath(c, i)
	return p == nil || p.Calls == nil || p.Calls[call]
}

// stepDemand is how long a step holds a worker when nothing queues: its
// call's demand, or a group's calls at once, joined: the longest of them
// for all, the shortest for any, the quorum-th for a quorum.
func (g *graph) stepDemand(s *topology.Server, st topology.Step) float64 {
	if st.Group == nil {
		return g.load[s.Calls[st.First].To].demand
	}
	var ds []float64
	for _, c := range s.Calls[st.First:st.End] {
		var d float64
		for _, t := range c.Callees() {
			d += g.load[t].demand / float64(len(c.Callees()))
		}
		for range c.Fanout() {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	switch st.Group.Join {
	case topology.JoinAny:
		return ds[0]
	case topology.JoinQuorum:
		return ds[min(st.Group.Quorum, len(ds))-1]
	}
	return ds[len(ds)-1]
}

// clientForward passes client i's load on to its target, or, by weight, to
// its classes' targets.
func (g *graph) clientForward(i int) {
	cl := g.sc.Components[i].Client
	l := &g.load[i]
	send := func(to int, share float64, class int, p *topology.CallPolicy) {
		t := &g.load[to]
		worst := l.worst * share * sustained(p, l.normal) / sustained(&cl.Call, l.normal)
		t.normal += l.normal * share
		t.worst += worst
		if cl.Users == 0 {
			t.open += l.normal * share
		}
		if len(g.classes) > 0 {
			grow(&t.classes, len(g.classes)+1)
			grow(&t.wclasses, len(g.classes)+1)
			t.classes[class] += l.normal * share
			t.wclasses[class] += worst
		}
	}
	if len(cl.Classes) == 0 {
		send(cl.Target, 1, 0, &cl.Call)
		return
	}
	first := slices.Index(g.classes, &cl.Classes[0])
	var total float64
	for _, x := range cl.Classes {
		total += x.Weight
	}
	for k := range cl.Classes {
		x := &cl.Classes[k]
		send(x.Target, x.Weight/total, first+k+1, &x.Call)
	}
}

// serverForward passes server i's load on to its callees, step by step: a
// step gets the calls whose class makes it, and a scatter sends a call to
// each of its picks.
func (g *graph) serverForward(i int) {
	s := g.sc.Components[i].Server
	l := &g.load[i]
	miss := missRatio(s)
	made := func(mix []float64, ci int) float64 { // of i's calls, the share whose class makes call ci
		var m float64
		for c, share := range mix {
			if g.makes(c, i, ci) {
				m += share
			}
		}
		return m
	}
	mix, wmix := g.mix(i), shares(l.wclasses)
	for ci := range s.Calls {
		call := &s.Calls[ci]
		step := s.Calls[stepOf(s, ci)].Fraction * miss
		f, wf := step*made(mix, ci), step*made(wmix, ci)
		each := float64(call.Fanout()) / float64(len(call.Callees()))
		m := sustained(&call.CallPolicy, l.normal*f)
		for _, t := range call.Callees() {
			g.load[t].normal += l.normal * f * each
			g.load[t].open += l.open * f * each
			g.load[t].worst += l.worst * wf * each * m
			g.addClasses(t, i, ci, step*each, m)
		}
	}
}

// stepOf is the index of the first call of the step call ci belongs to:
// where a group keeps its fraction.
func stepOf(s *topology.Server, ci int) int {
	if g := s.Calls[ci].Group; g != nil {
		return g.First
	}
	return ci
}

// addClasses passes component from's rates by class on to to, times f
// (and worst ones times f and m, the attempts each call may make), keeping
// only the classes that make its call ci (-1: every class).
func (g *graph) addClasses(to, from, ci int, f, m float64) {
	src, wsrc := g.load[from].classes, g.load[from].wclasses
	if len(src) == 0 {
		return
	}
	grow(&g.load[to].classes, len(src))
	grow(&g.load[to].wclasses, len(src))
	for c := range src {
		if ci < 0 || g.makes(c, from, ci) {
			g.load[to].classes[c] += src[c] * f
			g.load[to].wclasses[c] += wsrc[c] * f * m
		}
	}
}

func grow(s *[]float64, n int) {
	for len(*s) < n {
		*s = append(*s, 0)
	}
}

// fanouts finds what groups of calls made at once do to load and latency,
// and what request classes miss to be shed by criticality.
func (g *graph) fanouts() {
	for _, n := range g.nodes {
		s := n.c.Server
		if s == nil || n.c.Standby {
			continue
		}
		for _, st := range s.Steps() {
			if st.Group != nil {
				g.groupLoad(n, s, st)
				g.joinTimeout(n, s, st)
				g.fanoutTail(n, s, st)
			}
		}
		g.quorumOverlap(n, s)
	}
	g.classCriticality()
}

// memberCalls is the most calls one run of group st's call c can make: its
// instances, times its attempts or hedged copies.
func memberCalls(c *topology.Call) int {
	copies := attemptsOf(&c.CallPolicy)
	if c.Hedge != nil {
		copies = c.Hedge.MaxAttempts
	}
	return c.Fanout() * copies
}

// groupLoad reports what one run of a group can send at worst: every call,
// every attempt or hedged copy.
func (g *graph) groupLoad(n *node, s *topology.Server, st topology.Step) {
	members := st.Group.Members(s.Calls)
	worst := 0
	var parts []string
	for _, c := range s.Calls[st.First:st.End] {
		worst += memberCalls(&c)
		copies := memberCalls(&c) / c.Fanout()
		what := fmt.Sprintf("%s to %s", plural(c.Fanout(), "call", "calls"), calleeName(g.sc, &c))
		if copies > 1 {
			how := "attempts"
			if c.Hedge != nil {
				how = "hedged copies"
			}
			what += fmt.Sprintf(" × %d %s", copies, how)
		}
		parts = append(parts, what)
	}
	if worst == members {
		return // no call is retried or hedged: a run makes its calls once
	}
	sev := Note
	if worst > amplificationLimit*members {
		sev = Warning
	}
	fix := "Nothing to do if the callees have the capacity for it: the worst case is every call failing or slow at once."
	if sev == Warning {
		fix = "Bound the copies: fewer attempts per call, a retry budget, or hedging with max_attempts = 2; the load of a fan-out multiplies the load of each call."
	}
	g.report(Finding{Rule: ruleGroupLoad, Severity: sev, Components: []string{n.name},
		Summary: fmt.Sprintf("%s's group %s makes %s per run, and up to %d at worst", n.name, st.Name, plural(members, "call", "calls"), worst),
		Explanation: fmt.Sprintf("Each run of the step %s makes %s at once (%s). Every call counts against its callee's capacity, "+
			"and when the callees are slow or failing each may be retried or hedged: one logical request then sends %d calls, "+
			"%.3g times what it sends when all is well.", st.Name, plural(members, "call", "calls"), and(parts), worst, float64(worst)/float64(members)),
		Fix: fix}, st.Group.Pos)
}

// groupWait is the longest group st may wait for its calls: its
// join_timeout, else the longest any of its calls may take by its limits.
func (g *graph) groupWait(n *node, s *topology.Server, st topology.Step) (time.Duration, string) {
	if t := st.Group.Timeout; t > 0 {
		return t, "its join_timeout"
	}
	var longest time.Duration
	for _, e := range n.out {
		if st.First <= e.call && e.call < st.End {
			longest = max(longest, callHold(e.p, e.to.hold))
		}
	}
	return longest, "the limits of its calls"
}

// joinTimeout reports a group that may wait for its calls longer than a
// caller of its server waits for it: the join's answer, partial or whole,
// can come after the caller has gone.
func (g *graph) joinTimeout(n *node, s *topology.Server, st topology.Step) {
	wait, why := g.groupWait(n, s, st)
	for _, e := range n.in {
		if e.giveUp == forever || wait < e.giveUp {
			continue
		}
		callerWhy, at := giveUpWhy(e)
		fix := fmt.Sprintf("Give the group a join_timeout below %s (with optional calls, it answers with what it has by then), or shorten its calls' timeouts.", dur(e.giveUp))
		g.report(Finding{Rule: ruleJoinTimeout, Severity: Warning, Components: []string{e.from.name, n.name},
			Summary: fmt.Sprintf("%s's group %s may wait %s for its calls, longer than %s waits for %s (%s)", n.name, st.Name, dur(wait), e.from.name, n.name, dur(e.giveUp)),
			Explanation: fmt.Sprintf("%s waits up to %s for the calls of its group %s (%s), but %s gives up on %s after %s (%s). "+
				"A join that outlasts its caller answers nobody: the calls still running, and the worker waiting for them, "+
				"work for a request that has failed already, and a partial answer after a join_timeout comes too late to be used.",
				n.name, dur(wait), st.Name, why, e.from.name, n.name, dur(e.giveUp), callerWhy),
			Fix: fix}, st.Group.Pos, at)
		return
	}
}

// slowFactor is how many times its callee's median service time a call
// takes to count as slow, for fanout-tail.
const slowFactor = 10

// fanoutTail reports a group whose calls' rare slowness makes its runs
// often slow: a run that waits for N calls is as slow as the slowest, and
// 1 - (1-p)^N grows fast with N. Nothing bounds it when the group has no
// join_timeout and its calls no hedge.
func (g *graph) fanoutTail(n *node, s *topology.Server, st topology.Step) {
	if st.Group.Timeout > 0 || st.Group.Join == topology.JoinAny {
		return
	}
	var ps []float64
	var about []string
	for _, c := range s.Calls[st.First:st.End] {
		if c.Hedge != nil {
			return
		}
		for _, t := range c.Callees()[:1] {
			callee := g.sc.Components[t]
			if callee.Server == nil {
				return
			}
			w := callee.Server.Work
			median := w.QuantileSeconds(0.5)
			p := w.ExceedProbability(slowFactor * median)
			for range c.Fanout() {
				ps = append(ps, p)
			}
			about = append(about, fmt.Sprintf("%s takes over %s (%d× its median of %s) %s of the time, by its %s", callee.Group,
				secs(slowFactor*median), slowFactor, secs(median), percentDigits(p), workKey(callee.Kind)))
		}
	}
	spare := 0 // a run is fast when no more calls are slow than the join can spare
	if st.Group.Join == topology.JoinQuorum {
		spare = len(ps) - st.Group.Quorum
	}
	slow := 1 - atMostSlow(ps, spare)
	if slow < 0.1 {
		return
	}
	formula := fmt.Sprintf("1 − (1 − p)^%d", len(ps))
	if spare > 0 {
		formula = fmt.Sprintf("the chance that more than %d of %d calls are slow", spare, len(ps))
	}
	g.report(Finding{Rule: ruleFanoutTail, Severity: Warning, Components: []string{n.name},
		Summary: fmt.Sprintf("%s of %s's runs of %s wait for a slow call: the calls' rare tail is the group's common case", percentDigits(slow), n.name, st.Name),
		Explanation: fmt.Sprintf("The group %s waits for %s of its %s; %s. A run is slow when the call it waits for is, "+
			"which happens in %s of runs (%s), though each call is rarely slow. Only the callees' service time is counted, not "+
			"their queues or their own calls: the true figure is higher.", st.Name, joinWords(st.Group), plural(len(ps), "call", "calls"),
			strings.Join(slices.Compact(about), "; "), percentDigits(slow), formula),
		Fix: "Hedge the calls after about their p95 (a few percent more calls), or give the group a join_timeout with optional calls " +
			"(answer with what came back), or make fewer, bigger calls."}, st.Group.Pos)
}

// atMostSlow is the probability that at most k of independent calls, slow
// with probabilities ps, are slow.
func atMostSlow(ps []float64, k int) float64 {
	dist := []float64{1} // dist[j]: j calls slow so far
	for _, p := range ps {
		next := make([]float64, len(dist)+1)
		for j, q := range dist {
			next[j] += q * (1 - p)
			next[j+1] += q * p
		}
		dist = next
	}
	var sum float64
	for j := 0; j <= k && j < len(dist); j++ {
		sum += dist[j]
	}
	return sum
}

func joinWords(g *topology.Group) string {
	switch g.Join {
	case topology.JoinQuorum:
		return fmt.Sprintf("a quorum of %d", g.Quorum)
	case topology.JoinAny:
		return "the first"
	}
	return "every one"
}

func workKey(k topology.Kind) string {
	if k == topology.KindDatabase {
		return "query_time"
	}
	return "service_time"
}

// percentDigits writes a fraction as a percentage with enough digits to
// tell small ones apart.
func percentDigits(x float64) string {
	switch {
	case x >= 0.1:
		return fmt.Sprintf("%.0f%%", 100*x)
	case x >= 0.001:
		return fmt.Sprintf("%.2g%%", 100*x)
	}
	return fmt.Sprintf("%.1g%%", 100*x)
}

// quorumOverlap reports reads and writes to one replicated service, both
// at a quorum, whose quorums need not overlap: R + W ≤ N, so a read may ask
// only replicas the last write did not reach.
func (g *graph) quorumOverlap(n *node, s *topology.Server) {
	type q struct {
		size, n int
		step    topology.Step
	}
	reads, writes := map[string]q{}, map[string]q{}
	for _, st := range s.Steps() {
		if st.Group == nil || st.End-st.First != 1 || s.Calls[st.First].Targets == nil {
			continue
		}
		c := &s.Calls[st.First]
		size := map[topology.Join]int{topology.JoinAll: c.Pick, topology.JoinAny: 1, topology.JoinQuorum: st.Group.Quorum}[st.Group.Join]
		svc := g.sc.Components[c.Targets[0]].Group
		if c.Write != topology.WriteNone {
			writes[svc] = q{size, len(c.Targets), st}
		} else {
			reads[svc] = q{size, len(c.Targets), st}
		}
	}
	for _, svc := range sortedKeys(reads) {
		r, ok := reads[svc]
		w, ok2 := writes[svc]
		if !ok || !ok2 || r.size+w.size > r.n {
			continue
		}
		g.report(Finding{Rule: ruleQuorumOverlap, Severity: Warning, Components: []string{n.name, svc},
			Summary: fmt.Sprintf("%s reads %s at %d and writes at %d of %d replicas: R + W ≤ N, a read may miss the last write", n.name, svc, r.size, w.size, r.n),
			Explanation: fmt.Sprintf("%s's step %s answers a read with %s of %s's %d replicas, and its step %s acknowledges a write once %s. "+
				"With R + W = %d, not more than N = %d, the replicas a read hears from can all be ones the last write has not reached: "+
				"the read returns the value before it.", n.name, r.step.Name, plural(r.size, "replica", "replicas"), svc, r.n, w.step.Name,
				plural(w.size, "replica has", "replicas have"), r.size+w.size, r.n),
			Fix: fmt.Sprintf("Read and write at quorums that overlap: R + W > N, such as %d and %d of %d.", r.n/2+1, r.n/2+1, r.n)},
			r.step.Group.Pos)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// classCriticality reports a request class whose criticality is not
// written, whose calls reach a server that sheds by criticality: it is
// shed as CRITICAL, the default, which may not be what it is.
func (g *graph) classCriticality() {
	for _, n := range g.nodes {
		s := n.c.Server
		if s == nil || !s.Queue.ByCriticality {
			continue
		}
		var unset []string
		var at topology.Pos
		for c, x := range g.classes {
			reaches := false
			for _, i := range n.comps {
				if l := g.load[i].classes; c+1 < len(l) && l[c+1] > 0 {
					reaches = true
				}
			}
			if reaches && !x.Explicit && !slices.Contains(unset, x.Name) {
				unset = append(unset, x.Name)
				if at.Line == 0 {
					at = x.Pos
				}
			}
		}
		if len(unset) == 0 {
			continue
		}
		classes, has, is := "request class "+and(quote(unset))+" has", "reaches", "it is"
		if len(unset) > 1 {
			classes, has, is = "request classes "+and(quote(unset))+" have", "reach", "they are"
		}
		g.report(Finding{Rule: ruleClassCriticality, Severity: Warning, Components: []string{n.name},
			Summary: fmt.Sprintf("%s sheds by criticality, and %s no criticality", n.name, classes),
			Explanation: fmt.Sprintf("%s's queue serves and sheds by criticality (queue.by_criticality), and %s no criticality of "+
				"its own but %s it: %s taken as CRITICAL, the default, above every SHEDDABLE class and level with every other CRITICAL "+
				"one. When %s is overloaded, the order it sheds in is then a default, not a decision.", n.name, classes, has, is, n.name),
			Fix: "Give each operation a criticality: critical_plus for what users must not lose, sheddable for what can wait or be dropped."}, at)
	}
}

func quote(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// calleeName names a call's callee: the service a scatter calls, or its
// component's group.
func calleeName(sc *topology.Scenario, c *topology.Call) string {
	return sc.Components[c.Callees()[0]].Group
}
