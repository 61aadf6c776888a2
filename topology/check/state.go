package check

import (
	"fmt"
	"strings"

	"github.com/failsim/failsim/topology"
)

// state finds retries and hedges that can repeat a non-idempotent write
// that keeps no idempotency keys, and handlers that can fail half-way
// through their writes with no policy for it.
func (g *graph) state() {
	type pair struct{ retrier, write *edge }
	seen := map[pair]bool{}
	g.paths(func(path []*edge) {
		w := path[len(path)-1]
		if !w.p.Write.Repeats() || keepsKeys(w.to) {
			return
		}
		for i, e := range path {
			if seen[pair{e, w}] || !repeats(e, i == len(path)-1) {
				continue
			}
			seen[pair{e, w}] = true
			g.duplicateWrite(e, w)
		}
	})
	for _, n := range g.nodes {
		if s := n.c.Server; s != nil && topology.PartialFailureRisk(s.Calls) &&
			s.OnPartialFailure == topology.PartialNone && s.PartialPos.Line == 0 {
			g.partialFailure(n)
		}
	}
}

// marksWrites reports whether the scenario says which calls are writes:
// then the rules above are exact, and the notes that ask a reviewer to
// confirm idempotency are not needed.
func (g *graph) marksWrites() bool {
	for _, n := range g.nodes {
		for _, e := range n.out {
			if e.p.Write != topology.WriteNone {
				return true
			}
		}
	}
	return false
}

// keepsKeys reports whether every component behind n deduplicates writes
// by their idempotency keys.
func keepsKeys(n *node) bool {
	if n.c.Balancer == nil {
		return n.c.Server != nil && n.c.Server.IdempotencyKeys != nil
	}
	for _, out := range n.out {
		if !keepsKeys(out.to) {
			return false
		}
	}
	return true
}

// repeats reports whether caller edge e can send a write below it again
// after it took effect: hedged copies run together; a retry after a timeout
// its callee outlives (the attempt may still complete); and, from a layer
// above the write, a retry after an error (the write may have taken effect
// before a later step failed, or after its own caller gave up on it).
func repeats(e *edge, isWrite bool) bool {
	r := e.p.Retry
	switch {
	case e.p.Hedge != nil:
		return true
	case attemptsOf(e.p) == 1:
		return false
	case r.On&topology.OnTimeout != 0 && !told(e):
		return true
	}
	return !isWrite && r.On&topology.OnError != 0
}

func (g *graph) duplicateWrite(e, w *edge) {
	c, x, y := e.from.name, w.from.name, w.to.name
	how := fmt.Sprintf("retries (max_attempts = %s, retry_on includes timeouts or errors)", attemptsWord(e.p))
	if h := e.p.Hedge; h != nil {
		how = fmt.Sprintf("hedges (up to %d copies, %s apart, all running at once)", h.MaxAttempts, dur(h.HedgingDelay))
	}
	where := fmt.Sprintf("its call to %s is", y)
	if e != w {
		where = fmt.Sprintf("the call %s makes to %s below it is", x, y)
	}
	whose := possessive(x)
	if e == w {
		whose = "its"
	}
	g.report(Finding{
		Rule:       ruleDuplicateWrite,
		Severity:   Warning,
		Components: []string{c, x, y},
		Summary:    fmt.Sprintf("%s can repeat %s %s write to %s, which keeps no idempotency keys", c, whose, repeatsWord(w.p.Write), y),
		Explanation: fmt.Sprintf("%s %s, and %s a write marked write = %q. An attempt that "+
			"timed out or failed may still have taken effect (its query completed after the caller gave up, or a later "+
			"step failed after it), and the next attempt runs it again: one logical request, two effects (a second "+
			"charge, a duplicate row). %s does not deduplicate, so nothing stops it. The simulation counts these as "+
			"duplicate_writes.", c, how, where, w.p.Write.String(), y),
		Fix: fmt.Sprintf("Give %s idempotency keys (idempotency_keys = { ttl = \"24h\" }, durable = true if they must "+
			"survive a restart), make the write idempotent, or retry only refusals (retry_on = [\"rejected\"]).", y),
	}, e.p.Retry.Pos, e.p.Pos)
}

// repeatsWord names a write that takes effect again when it runs again.
func repeatsWord(w topology.Write) string {
	if w == topology.WriteConditional {
		return "conditional"
	}
	return "non-idempotent"
}

func (g *graph) partialFailure(n *node) {
	s := n.c.Server
	var steps, writes []string
	var first *topology.Call
	for i := range s.Calls {
		call := &s.Calls[i]
		name := g.of[call.To].name
		steps = append(steps, name)
		if call.Write != topology.WriteNone {
			writes = append(writes, name)
			if first == nil {
				first = call
			}
		}
	}
	g.report(Finding{
		Rule:       rulePartialFailure,
		Severity:   Warning,
		Components: append([]string{n.name}, steps...),
		Summary:    fmt.Sprintf("%s can fail after its write to %s took effect, with no partial-failure policy", n.name, writes[0]),
		Explanation: fmt.Sprintf("%s makes its calls in order (%s), and writes to %s. When a call after a write fails, "+
			"the write stays: %s answers with an error while the state it changed disagrees with the rest (the "+
			"database updated, the cache not). Nothing undoes it and nothing finishes the job; the simulation counts "+
			"these as inconsistent and keeps them open.", n.name, strings.Join(steps, ", then "), and(writes), n.name),
		Fix: "Choose a policy: on_partial_failure = \"retry-step\" keeps what succeeded and retries the failed call " +
			"later until it succeeds; \"rollback\" compensates the earlier writes; \"none\", written out, says that " +
			"leaving it is intended.",
	}, s.PartialPos, first.Pos)
}
