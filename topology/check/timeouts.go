package check

import (
	"fmt"
	"time"

	"github.com/failsim/failsim/topology"
)

// timeouts finds callers that give up before their callees (orphaned-work),
// callers without any limit (no-timeout) and per-attempt timeouts that leave
// no room for a retry (per-try-not-below-deadline).
func (g *graph) timeouts() {
	seen := map[*topology.CallPolicy]bool{}
	for _, n := range g.nodes {
		for _, e := range n.out {
			if orphans(e) {
				g.orphanedWork(e)
			}
			if e.giveUp == forever {
				g.noTimeout(e)
			}
			if !seen[e.p] {
				seen[e.p] = true
				g.perTry(e)
			}
		}
	}
}

func (g *graph) orphanedWork(e *edge) {
	c, y := e.from.name, e.to.name
	why, pos := giveUpWhy(e)
	chain, names := goesOn(e.to, e.giveUp)
	summary := fmt.Sprintf("%s gives up on %s after %s, but %s keeps the call for up to %s", c, y, dur(e.giveUp), y, dur(e.to.hold))
	if e.to.hold == forever {
		summary = fmt.Sprintf("%s gives up on %s after %s, but %s may keep the call with no limit", c, y, dur(e.giveUp), y)
	}
	notTold := "the call neither cancels nor propagates a deadline"
	if e.p.PropagateDeadline {
		notTold = fmt.Sprintf("%s passes its deadline on, but %s does not act on it (propagate_deadline is not set on %s)", c, y, y)
		if e.to.c.Server != nil {
			notTold = fmt.Sprintf("%s passes its deadline on, but %s waits for its own calls regardless (not all of them propagate it)", c, y)
		}
	}
	more := ""
	if r := e.p.Retry; attemptsOf(e.p) > 1 && r.On&topology.OnTimeout != 0 {
		more = fmt.Sprintf(", and %s retries add to it", possessive(c))
	}
	g.report(Finding{
		Rule:       ruleOrphanedWork,
		Severity:   Warning,
		Components: append([]string{c}, names...),
		Summary:    summary,
		Explanation: fmt.Sprintf("%s gives up on an attempt after %s (%s), but %s is not told: %s. %s. Everything done "+
			"for the call after %s is done for nobody: it takes workers and connections from callers that still wait, "+
			"and when a slowdown makes many calls outlive their callers it piles up%s.",
			c, dur(e.giveUp), why, y, notTold, chain, dur(e.giveUp), more),
		Fix: fmt.Sprintf("Make %s give up before %s (%s), and each layer below it before its caller; or set cancel = true "+
			"or propagate_deadline = true on %s, so that %s learns when %s gives up.",
			y, dur(e.giveUp), limitKey(e.to), edgeName(e), y, c),
	}, pos, e.p.Pos)
}

func (g *graph) noTimeout(e *edge) {
	c, y := e.from.name, e.to.name
	key := "timeout (per attempt) or deadline on " + edgeName(e)
	pos := e.p.TimeoutPos
	if e.from.c.Balancer != nil {
		key, pos = "a route timeout (timeout) or a per_try_timeout on "+c, e.p.DeadlinePos
	}
	f := Finding{
		Rule:       ruleNoTimeout,
		Severity:   Note,
		Components: []string{c, y},
		Summary:    fmt.Sprintf("%s has no timeout of its own; it relies on %s to end its calls", edgeName(e), y),
		Fix:        fmt.Sprintf("Set %s, as long as %s can afford to wait.", key, c),
	}
	switch {
	case e.to.hold == forever:
		chain, names := goesOn(e.to, 0)
		f.Severity, f.Components = Warning, append([]string{c}, names...)
		f.Summary = fmt.Sprintf("%s has no timeout, and nothing below it ends a call: it can wait forever", edgeName(e))
		f.Explanation = fmt.Sprintf("%s sets neither a timeout nor a deadline on its calls to %s, and nothing below ends "+
			"them: %s. A call that never ends holds whatever waits for it (a user, a worker, a connection) for good; "+
			"under a slowdown such calls accumulate until nothing is left to serve new ones, and nobody is told that "+
			"anything failed.", c, y, chain)
	case e.to.hold > 0:
		f.Explanation = fmt.Sprintf("%s sets neither a timeout nor a deadline on its calls to %s. %s ends them after at "+
			"most %s (%s), so %s waits that long: an assumption written nowhere in %s's configuration, which breaks "+
			"when %s's limit changes.", c, y, y, dur(e.to.hold), e.to.holdWhy, c, c, y)
	default:
		f.Explanation = fmt.Sprintf("%s sets neither a timeout nor a deadline on its calls to %s, and nothing but the "+
			"work itself ends them: when %s slows down, %s waits as long as the slowdown lasts.", c, y, y, c)
	}
	g.report(f, pos, e.p.Pos)
}

func (g *graph) perTry(e *edge) {
	p := e.p
	n := attemptsOf(p)
	if p.Timeout == 0 || p.Deadline == 0 || p.Timeout < p.Deadline || n == 1 {
		return
	}
	c := e.from.name
	timeout, deadline := "timeout", "deadline"
	if e.from.c.Balancer != nil {
		timeout, deadline = "per_try_timeout", "route timeout"
	}
	g.report(Finding{
		Rule:       rulePerTry,
		Severity:   Warning,
		Components: []string{c, e.to.name},
		Summary: fmt.Sprintf("%s %s %s is not shorter than its %s %s: no retry can follow a timeout",
			possessive(c), timeout, dur(p.Timeout), deadline, dur(p.Deadline)),
		Explanation: fmt.Sprintf("%s waits up to %s for each attempt (its %s) but only %s in all (its %s). An attempt "+
			"that times out has used the whole %s, so its retries (%d) can never follow a timeout; they happen only "+
			"after errors or refusals that come back sooner. Either the retries were meant for slow attempts, and "+
			"never happen when they are needed, or the per-attempt timeout does nothing.",
			c, dur(p.Timeout), timeout, dur(p.Deadline), deadline, deadline, n-1),
		Fix: fmt.Sprintf("Make the %s a fraction of the %s, at most %s for %d attempts, or drop the retries.",
			timeout, deadline, dur(p.Deadline/time.Duration(n)), n),
	}, p.TimeoutPos, p.Pos)
}

// giveUpWhy says what makes e's caller give up at e.giveUp, and where that
// is written.
func giveUpWhy(e *edge) (string, topology.Pos) {
	p := e.p
	lb := e.from.c.Balancer != nil
	switch {
	case p.Timeout > 0 && e.giveUp == p.Timeout && lb:
		return "its per-try timeout", p.TimeoutPos
	case p.Timeout > 0 && e.giveUp == p.Timeout:
		return "its timeout", p.TimeoutPos
	case p.Deadline > 0 && e.giveUp == p.Deadline && lb:
		return "its route timeout", p.DeadlinePos
	case p.Deadline > 0 && e.giveUp == p.Deadline:
		return "its deadline", p.DeadlinePos
	}
	return "when its own callers give up and tell it", p.Pos
}

// goesOn describes the work that goes on after a caller gives up at after:
// n, and each callee below it that is not told and may keep the call
// longer. It returns the sentence and the components' names.
func goesOn(n *node, after time.Duration) (string, []string) {
	var phrases, names []string
	seen := map[*node]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		seen[n] = true
		names = append(names, n.name)
		verb, limit := "", "for up to "+dur(n.hold)
		if len(phrases) == 0 {
			verb = " keeps the call"
		}
		if n.hold == forever {
			limit = "with no limit"
		}
		phrases = append(phrases, fmt.Sprintf("%s%s %s (%s)", n.name, verb, limit, n.holdWhy))
		for _, e := range n.out {
			if !seen[e.to] && !told(e) && e.to.hold > after {
				walk(e.to)
			}
		}
	}
	walk(n)
	return and(phrases), names
}

// limitKey names the keys that limit how long n keeps a call.
func limitKey(n *node) string {
	switch n.c.Kind {
	case topology.KindLoadBalancer:
		return "load_balancer." + n.name + ".timeout"
	case topology.KindDatabase:
		return "database." + n.name + ".timeout"
	}
	var keys []string
	if n.unbounded {
		keys = append(keys, "service."+n.name+".queue.timeout")
	}
	for _, e := range n.out {
		if callHold(e.p, e.to.hold) > 0 {
			keys = append(keys, fmt.Sprintf("service.%s.call[%d].timeout", n.name, e.call))
		}
	}
	return and(keys)
}

// edgeName names the place e's policy is written: "users", "lb", "api's
// call to db".
func edgeName(e *edge) string {
	if e.call >= 0 {
		return possessive(e.from.name) + " call to " + e.to.name
	}
	return e.from.name
}
