package check

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/failsim/failsim/topology"
)

// boundless is what the review counts for attempts that only a deadline
// bounds and that can come back to back: the most max_attempts may say.
const boundless = 100

// attemptsOf is how many attempts policy p can make for one call: its
// max_attempts, or, with max_attempts = "none", as many as fit in its
// deadline when every attempt fails at once and every wait is the shortest
// its backoff can draw (boundless when that can be zero: no backoff, full
// jitter, Envoy's).
func attemptsOf(p *topology.CallPolicy) int {
	r := p.Retry
	if r.MaxAttempts != topology.Unlimited {
		return r.MaxAttempts
	}
	var spent time.Duration
	for n := 1; n < boundless; n++ {
		w := shortestWait(r.Backoff, n)
		if w <= 0 {
			return boundless
		}
		if spent += w; spent >= p.Deadline {
			return n
		}
	}
	return boundless
}

// shortestWait is the least backoff wait before retry n.
func shortestWait(b topology.Backoff, n int) time.Duration {
	switch b.Kind {
	case topology.BackoffConstant:
		return b.Base
	case topology.BackoffExponential:
		longest, _ := backoffs(topology.Backoff{Kind: b.Kind, Base: b.Base, Cap: b.Cap, Multiplier: b.Multiplier}, n)
		previous, _ := backoffs(topology.Backoff{Kind: b.Kind, Base: b.Base, Cap: b.Cap, Multiplier: b.Multiplier}, n-1)
		v := longest - previous // the wait without jitter
		switch b.Jitter {
		case topology.JitterNone:
			return v
		case topology.JitterEqual:
			return v / 2
		case topology.JitterDecorrelated:
			return b.Base
		}
	}
	return 0
}

// edgeLinks are the links between e's caller and callee that the file
// sets, with where it sets each (the [network] default among them when some
// pair of their instances keeps it), and the faults on links that hit any
// of them. It reads the links and faults the file has, not every pair of
// instances: a fleet of thousands has millions of pairs.
func (g *graph) edgeLinks(e *edge) (links []topology.Link, at []topology.Pos, faults []*topology.Fault) {
	joins := func(x topology.Edge) bool {
		sc := g.sc
		return g.of[x.From] == e.from && g.of[x.To] == e.to && !sc.Components[x.From].Standby && !sc.Components[x.To].Standby
	}
	nw := &g.sc.Network
	for _, l := range nw.Links {
		if joins(l.Edge) {
			links, at = append(links, l.Link), append(at, l.Pos)
		}
	}
	if !nw.Default.IsZero() && len(links) < g.pairs(e) {
		links, at = append(links, nw.Default), append(at, nw.DefaultPos)
	}
	for i := range g.sc.Faults {
		f := &g.sc.Faults[i]
		if f.Link != nil && slices.ContainsFunc(f.Link.Edges, joins) {
			faults = append(faults, f)
		}
	}
	return links, at, faults
}

// pairs is how many pairs of e's caller's and callee's instances the
// scenario calls: the edges of e between components.
func (g *graph) pairs(e *edge) int {
	n := 0
	for _, from := range e.from.comps {
		for _, t := range g.sc.Components[from].Callees() {
			if g.of[t] == e.to && !g.sc.Components[t].Standby {
				n++
			}
		}
	}
	return n
}

// links finds what links do to the calls that cross them: timeouts shorter
// than the round trip (timeout-below-round-trip), retries that repeat a
// write whose answer a link can lose (retry-lossy-write), and conditional
// writes retried in step (conditional-retry-no-jitter).
func (g *graph) links() {
	seen := map[*topology.CallPolicy]bool{}
	for _, n := range g.nodes {
		for _, e := range n.out {
			g.roundTrip(e)
			if !seen[e.p] {
				seen[e.p] = true
				g.conditionalNoJitter(e)
			}
			g.lossyWrite(e)
		}
	}
}

// roundTrip reports a per-attempt timeout shorter than the p99 of the
// link's delay each way plus the callee's own p99 work.
func (g *graph) roundTrip(e *edge) {
	wait := e.p.Timeout
	if wait == 0 {
		wait = e.p.Deadline
	}
	s := e.to.c.Server
	if wait == 0 || s == nil {
		return
	}
	links, at, _ := g.edgeLinks(e)
	worst, pos := -1, topology.Pos{}
	for i, l := range links {
		if l.RoundTripSeconds(0.99) > 0 && (worst < 0 || l.RoundTripSeconds(0.99) > links[worst].RoundTripSeconds(0.99)) {
			worst, pos = i, at[i]
		}
	}
	if worst < 0 {
		return
	}
	l := links[worst]
	rtt := seconds(l.RoundTripSeconds(0.99))
	work := seconds(s.Work.QuantileSeconds(0.99))
	if wait >= rtt+work {
		return
	}
	c, y := e.from.name, e.to.name
	what := "timeout"
	if e.p.Timeout == 0 {
		what = "deadline"
	}
	g.report(Finding{
		Rule:       ruleRoundTrip,
		Severity:   Warning,
		Components: []string{c, y},
		Summary: fmt.Sprintf("%s %s on %s (%s) is shorter than the link's round trip (%s at p99) plus %s work (%s at p99)",
			possessive(c), what, y, dur(wait), dur(rtt), possessive(y), dur(work)),
		Explanation: fmt.Sprintf("A call from %s to %s crosses the link twice: %s on the way (p99 %s) and %s back (p99 %s). "+
			"With %s work at its p99 of %s, a slow attempt takes up to about %s, but %s stops waiting after %s. Attempts "+
			"time out while nothing is wrong, %s does their work for nobody, and every retry pays the round trip again.",
			c, y, l.RequestDelay, dur(seconds(l.RequestDelay.QuantileSeconds(0.99))), l.ResponseDelay,
			dur(seconds(l.ResponseDelay.QuantileSeconds(0.99))), possessive(y), dur(work), dur(rtt+work), c, dur(wait), y),
		Fix: fmt.Sprintf("Give %s more than %s to wait, or bring %s closer to %s (a shorter link).", c, dur(rtt+work), y, c),
	}, e.p.TimeoutPos, e.p.DeadlinePos, pos, e.p.Pos)
}

// lossyWrite reports a caller that retries or hedges a write that repeats
// (non-idempotent or conditional) over a link that can lose its answers, to
// a callee that keeps no idempotency keys: a lost answer of a write that
// took effect is retried, and takes effect again.
func (g *graph) lossyWrite(e *edge) {
	p := e.p
	if !p.Write.Repeats() || keepsKeys(e.to) {
		return
	}
	if p.Hedge == nil && (attemptsOf(p) == 1 || p.Retry.On&topology.OnTimeout == 0) {
		return
	}
	links, at, faults := g.edgeLinks(e)
	var why string
	var pos topology.Pos
	for i, l := range links {
		if l.ResponseLoss > 0 {
			why, pos = fmt.Sprintf("its link loses %s of the answers", percent(l.ResponseLoss)), at[i]
			break
		}
	}
	for _, f := range faults {
		if why == "" && f.Link.Direction.Responses() && (f.Kind == topology.FaultPartition || f.Kind == topology.FaultLoss ||
			(f.Kind == topology.FaultDrift && f.Drift.What == topology.DriftLoss)) {
			why, pos = fmt.Sprintf("the fault %q loses answers on it from %s to %s", f.Name, dur(f.At), dur(f.End())), f.Pos
		}
	}
	if why == "" {
		return
	}
	c, y := e.from.name, e.to.name
	verb, how := "retries", fmt.Sprintf("retries it after a timeout (max_attempts = %s)", attemptsWord(p))
	if p.Hedge != nil {
		verb, how = "hedges", fmt.Sprintf("hedges it (up to %d copies)", p.Hedge.MaxAttempts)
	}
	g.report(Finding{
		Rule:       ruleLossyWrite,
		Severity:   Warning,
		Components: []string{c, y},
		Summary:    fmt.Sprintf("%s %s a %s write to %s over a link that loses answers: one request can take effect twice", c, verb, repeatsWord(p.Write), y),
		Explanation: fmt.Sprintf("%s call to %s is a %s write (write = %q), %s, and %s %s. A lost answer is an answer "+
			"to work %s did: the write took effect, %s hears nothing, and its timer fires. It sends the write again, "+
			"the write takes effect again, and %s keeps no idempotency keys to tell. The timeout looks like slowness; it "+
			"is loss, and the duplicate is the classic double charge.",
			possessive(c), y, repeatsWord(p.Write), p.Write.String(), why, c, how, y, c, y),
		Fix: fmt.Sprintf("Give %s idempotency_keys, so that a retried write is answered from its key; or make the write "+
			"idempotent; or do not retry it after a timeout (retry_on = [\"rejected\"]).", y),
	}, p.WritePos, pos, p.Retry.Pos, p.Pos)
}

// attemptsWord is max_attempts as the file says it.
func attemptsWord(p *topology.CallPolicy) string {
	if p.Retry.MaxAttempts == topology.Unlimited {
		return `"none"`
	}
	return fmt.Sprint(p.Retry.MaxAttempts)
}

// conditionalNoJitter reports conditional writes retried after a conflict
// with a wait every writer shares: writers that lost the same race come
// back together and race again.
func (g *graph) conditionalNoJitter(e *edge) {
	p := e.p
	r := p.Retry
	if p.Write != topology.WriteConditional || attemptsOf(p) == 1 || r.On&topology.OnError == 0 {
		return
	}
	b := r.Backoff
	var wait string
	switch {
	case b.Kind == topology.BackoffNone:
		wait = "no backoff at all"
	case b.Kind == topology.BackoffConstant:
		wait = "a constant " + dur(b.Base)
	case b.Kind == topology.BackoffExponential && b.Jitter == topology.JitterNone:
		wait = fmt.Sprintf("exponential backoff from %s without jitter", dur(b.Base))
	default:
		return
	}
	c, y := e.from.name, e.to.name
	g.report(Finding{
		Rule:       ruleConditionalNoJitter,
		Severity:   Warning,
		Components: []string{c, y},
		Summary:    fmt.Sprintf("%s retries conditional writes to %s with %s: writers that conflict retry in step", c, y, wait),
		Explanation: fmt.Sprintf("%s writes to %s are conditional: a write that finds its record changed since it read "+
			"it fails with a conflict, and %s retries it after %s. Writers that lost the same race wait the same time, "+
			"come back together and race again: each round lets one through and fails the rest, so getting N writers "+
			"through takes about N rounds and, while they stay in step, up to N²/2 calls; waits that grow without "+
			"jitter only spread the rounds out.",
			possessive(c), y, c, wait),
		Fix: "Add jitter: backoff = \"exponential\" with jitter = \"full\" (the default) or \"decorrelated\", as the AWS " +
			"Architecture Blog's \"Exponential Backoff And Jitter\" measured.",
	}, r.Pos, p.WritePos, p.Pos)
}

// seconds is s as a duration, to the microsecond: p99s of distributions
// are floating point.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s*1e6)) * time.Microsecond }
