package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/failsim/failsim/topology"
)

// amplificationLimit is the most attempts per logical request a component
// may receive before retry-amplification warns: 3 is the default of the
// gRPC and AWS clients, one layer retrying.
const amplificationLimit = 3

// retries finds attempts that overlap or multiply, and retry policies
// without backoff, jitter, budget or a safe outcome to retry.
func (g *graph) retries() {
	g.attemptsAlongPaths()
	seen := map[*topology.CallPolicy]bool{}
	for _, n := range g.nodes {
		for _, e := range n.out {
			if attemptsOf(e.p) == 1 || seen[e.p] {
				continue
			}
			seen[e.p] = true
			g.backoff(e)
			g.budget(e)
			if !g.marksWrites() {
				g.unsafeTimeout(e)
			}
		}
		for _, e := range n.out {
			if attemptsOf(e.p) > 1 && !g.marksWrites() {
				g.unsafeError(e)
			}
		}
	}
}

// overlap is what one retrying edge leaves running: the most attempts of
// one logical request working at once at each component below it, and the
// edges whose callers leave work behind.
type overlap struct {
	at      map[*node]int
	order   []*node // components in the order found
	causes  []*edge
	clients []string
}

// amplified is the most attempts of one logical request that reach a
// component, and the path that gives them.
type amplified struct {
	attempts int
	path     []*edge
}

// attemptsAlongPaths follows every path from every client and reports
// overlapping attempts (per retrying edge) and retry amplification (per
// component).
func (g *graph) attemptsAlongPaths() {
	overlaps := map[*edge]*overlap{}
	var retrying []*edge // in the order found
	amp := map[*node]*amplified{}
	var reached []*node
	g.paths(func(path []*edge) {
		x := path[len(path)-1].to
		attempts := 1
		for _, e := range path {
			attempts *= attemptsOf(e.p)
		}
		if a := amp[x]; a == nil || attempts > a.attempts {
			if a == nil {
				reached = append(reached, x)
			}
			amp[x] = &amplified{attempts, path}
		}

		// Attempt i's work at x goes on after its caller retries when the
		// caller left it behind (a timeout its callee outlives), or when a
		// layer between it and x leaves work behind and the failure comes
		// back up as an error or a timeout.
		mult := make([]int, len(path))
		causes := make([][]*edge, len(path))
		total := 1
		for i, e := range path {
			mult[i] = 1
			r := e.p.Retry
			if attemptsOf(e.p) == 1 {
				continue
			}
			if r.On&topology.OnTimeout != 0 && abandonsAttempt(e) {
				causes[i] = append(causes[i], e)
			}
			if r.On&(topology.OnTimeout|topology.OnError) != 0 {
				for _, below := range path[i+1:] {
					if orphans(below) {
						causes[i] = append(causes[i], below)
					}
				}
			}
			if len(causes[i]) > 0 {
				mult[i] = attemptsOf(e.p)
				total *= mult[i]
			}
		}
		for i, e := range path {
			if mult[i] == 1 {
				continue
			}
			o := overlaps[e]
			if o == nil {
				o = &overlap{at: map[*node]int{}}
				overlaps[e] = o
				retrying = append(retrying, e)
			}
			if _, ok := o.at[x]; !ok {
				o.order = append(o.order, x)
			}
			o.at[x] = max(o.at[x], total)
			for _, c := range causes[i] {
				if !slices.Contains(o.causes, c) {
					o.causes = append(o.causes, c)
				}
			}
			if client := path[0].from.name; !slices.Contains(o.clients, client) {
				o.clients = append(o.clients, client)
			}
		}
	})
	for _, e := range retrying {
		g.overlapping(e, overlaps[e])
	}
	for _, x := range reached {
		if a := amp[x]; a.attempts > amplificationLimit {
			g.amplification(x, a)
		}
	}
}

// abandonsAttempt reports whether e's caller, when its own timer fires,
// leaves the attempt running below without telling it.
func abandonsAttempt(e *edge) bool {
	t := attemptLimit(e.p)
	return t != forever && !told(e) && e.to.hold > t
}

func (g *graph) overlapping(e *edge, o *overlap) {
	c := e.from.name
	most := 0
	byCount := map[int][]string{}
	var counts []int
	for _, x := range o.order {
		k := o.at[x]
		most = max(most, k)
		if byCount[k] == nil {
			counts = append(counts, k)
		}
		byCount[k] = append(byCount[k], x.name)
	}
	at := "at " + and(byCount[most])
	if len(counts) > 1 {
		slices.Sort(counts)
		var parts []string
		for _, k := range counts {
			parts = append(parts, fmt.Sprintf("%d at %s", k, and(byCount[k])))
		}
		at = "(" + and(parts) + ")"
	}
	var causes []string
	for _, cause := range o.causes {
		keeps := " keeps each"
		if len(causes) > 0 {
			keeps = ""
		}
		causes = append(causes, fmt.Sprintf("%s%s %s after %s gives up at %s",
			cause.to.name, keeps, upTo(cause.to), cause.from.name, dur(cause.giveUp)))
	}
	names := []string{c}
	for _, x := range o.order {
		names = append(names, x.name)
	}
	r := e.p.Retry
	when := "when an attempt times out or fails"
	if r.On&topology.OnError == 0 {
		when = "when an attempt times out"
	}
	last := o.order[len(o.order)-1].name
	below := ""
	if most > attemptsOf(e.p) {
		below = ", with the retries of the layers below,"
	}
	g.report(Finding{
		Rule:       ruleOverlapping,
		Severity:   Warning,
		Components: names,
		Summary:    fmt.Sprintf("%s retries attempts that are still running: up to %d of one request at once %s", c, most, at),
		Explanation: fmt.Sprintf("%s retries (up to %d attempts) %s, but the attempts it gives up on go on: %s. Each retry "+
			"then runs alongside the attempts it replaces, and up to %d attempts of one request of %s%s can be working "+
			"at once %s. When %s slows down, that multiplies its load exactly when it can least take it, and the "+
			"work of every attempt but the last is done for nobody: a slowdown becomes an overload that outlasts it.",
			c, attemptsOf(e.p), when, and(causes), most, and(o.clients), below, at, last),
		Fix: "Stop the attempts that are given up on: make every layer give up before its caller (a limit below its " +
			"caller's timeout), or set cancel = true (with abort_on_cancel where work should stop at once) or " +
			"propagate_deadline = true along the chain. A retry budget limits how many retries there are, not the " +
			"work they leave behind.",
	}, r.Pos, e.p.Pos)
}

// upTo is "for up to 5s" or "with no limit", for n's hold.
func upTo(n *node) string {
	if n.hold == forever {
		return "with no limit"
	}
	return "for up to " + dur(n.hold)
}

func (g *graph) amplification(x *node, a *amplified) {
	var factors, names []string
	var deepest *edge
	for i, e := range a.path {
		names = append(names, e.from.name)
		n := attemptsOf(e.p)
		if n == 1 {
			continue
		}
		deepest = e
		switch {
		case e.call >= 0:
			factors = append(factors, fmt.Sprintf("%s up to %d calls to %s for each", e.from.name, n, e.to.name))
		case i == 0:
			factors = append(factors, fmt.Sprintf("%s makes up to %d attempts", e.from.name, n))
		default:
			factors = append(factors, fmt.Sprintf("%s up to %d tries of each", e.from.name, n))
		}
	}
	names = append(names, x.name)
	client := a.path[0].from.name
	how := "Retries multiply on the way to " + x.name + ": " + and(factors) + ". When " + x.name +
		" fails or slows down, every layer retries the failures of the layer below"
	if len(factors) == 1 {
		how = and(factors) + " per request. When " + x.name + " fails or slows down, every one of them is tried"
	}
	g.report(Finding{
		Rule:       ruleAmplification,
		Severity:   Warning,
		Components: names,
		Summary:    fmt.Sprintf("%s can receive up to %d attempts for one request of %s", x.name, a.attempts, client),
		Explanation: fmt.Sprintf("%s, so %s can receive up to %d attempts for one request of %s: %d times its load, "+
			"exactly when it can least take it.", how, x.name, a.attempts, client, a.attempts),
		Fix: "Retry at one layer only, usually the one closest to the user, and let the others fail fast " +
			"(max_attempts = 1, no retry_policy); where a layer must retry, give it a retry budget so that a failure " +
			"below cannot multiply its load.",
	}, deepest.p.Retry.Pos, deepest.p.Pos)
}

// backoff finds retries sent at once, and waits without jitter.
func (g *graph) backoff(e *edge) {
	c, y := e.from.name, e.to.name
	b := e.p.Retry.Backoff
	closed := ""
	if e.from.c.Client != nil && e.from.c.Client.Users > 0 {
		closed = " For closed-loop users a wait before each retry also lowers the rate at which they send attempts."
	}
	switch {
	case b.Kind == topology.BackoffNone:
		g.report(Finding{
			Rule:       ruleNoBackoff,
			Severity:   Warning,
			Components: []string{c, y},
			Summary:    fmt.Sprintf("%s retries at once, without backoff", c),
			Explanation: fmt.Sprintf("%s sends each retry to %s the moment an attempt fails (backoff = \"none\"). The "+
				"retry meets the same overload or fault that failed the attempt, and when many calls fail together "+
				"their retries arrive together: a burst on top of the load that was already too much.%s", c, y, closed),
			Fix: "Back off exponentially with jitter: backoff = \"exponential\" and jitter = \"full\" (the defaults, " +
				"from 100ms up to 20s).",
		}, e.p.Retry.Pos, e.p.Pos)
	case b.Kind == topology.BackoffConstant || (b.Kind == topology.BackoffExponential && b.Jitter == topology.JitterNone):
		shape := fmt.Sprintf("%s waits the same %s before every retry", c, dur(b.Base))
		how := "constant " + dur(b.Base)
		fix := "Use backoff = \"exponential\" with jitter = \"full\" (the default), which spreads each wait over [0, v]."
		if b.Kind == topology.BackoffExponential {
			shape = fmt.Sprintf("%s backs off exponentially without jitter", c)
			how = fmt.Sprintf("exponential from %s, jitter = \"none\"", dur(b.Base))
			fix = "Randomise the waits: jitter = \"full\" (the default) spreads each wait over [0, v]."
		}
		g.report(Finding{
			Rule:       ruleNoJitter,
			Severity:   Note,
			Components: []string{c, y},
			Summary:    shape,
			Explanation: fmt.Sprintf("%s wait before a retry is the same for every call (%s). Calls that fail "+
				"together, in a fault, at a timeout or after a restart, then retry together, in waves that reach %s "+
				"at once, again at every attempt.", possessive(c), how, y),
			Fix: fix,
		}, e.p.Retry.Pos, e.p.Pos)
	}
}

// budget finds retries that nothing limits over time.
func (g *graph) budget(e *edge) {
	p := e.p
	if p.Breaker != nil || p.Throttle != nil {
		return
	}
	if lb := e.from.c.Balancer; lb != nil && lb.Thresholds != nil {
		return
	}
	for _, out := range e.from.out { // the callees of a balancer share its policy
		if out.p == p && out.to.c.Balancer != nil && out.to.c.Balancer.Thresholds != nil {
			return
		}
	}
	c, y := e.from.name, e.to.name
	n := attemptsOf(p)
	none := "no retry budget, no circuit breaker and no adaptive throttling on the call"
	if e.from.c.Balancer != nil {
		none = "no retry budget and no circuit_breakers on " + c
	}
	if b := p.Retry.Budget; b != nil {
		switch {
		case b.Kind == topology.BudgetAWS && b.RetryCost == 0 && b.TimeoutRetryCost == 0:
			none = "its aws budget charges nothing for a retry, so it never refuses one"
		case b.Kind == topology.BudgetFinagle && b.PercentCanRetry >= float64(n-1):
			none = fmt.Sprintf("its finagle budget lets every request make its %d retries", n-1)
		default:
			return
		}
	}
	fix := "Add a retry budget: retry.budget = { kind = \"grpc\" } stops retrying once more than about 9% of " +
		"attempts fail. Or a circuit breaker (breaker = {}) that stops calling " + y + " while it fails."
	if e.from.c.Balancer != nil {
		fix = "Add Envoy's retry budget: circuit_breakers = { retry_budget = {} } allows retries up to 20% of the " +
			"requests in flight."
	}
	g.report(Finding{
		Rule:       ruleNoBudget,
		Severity:   Warning,
		Components: []string{c, y},
		Summary:    fmt.Sprintf("%s retries without a budget: nothing limits its retries while %s keeps failing", c, y),
		Explanation: fmt.Sprintf("%s makes up to %d attempts per call, and nothing limits its retries over time: %s. "+
			"When %s fails for a while, every call makes all %d attempts: %d times the load for as long as the "+
			"failure lasts, which is what keeps an overloaded %s from recovering.", c, n, none, y, n, n, y),
		Fix: fix,
	}, budgetPos(p), p.Retry.Pos, p.Pos)
}

func budgetPos(p *topology.CallPolicy) topology.Pos {
	if p.Retry.Budget != nil {
		return p.Retry.Budget.Pos
	}
	return topology.Pos{}
}

// unsafeTimeout finds retries of timeouts whose attempt goes on below and
// may still take effect.
func (g *graph) unsafeTimeout(e *edge) {
	r := e.p.Retry
	if r.On&topology.OnTimeout == 0 || !abandonsAttempt(e) {
		return
	}
	c, y := e.from.name, e.to.name
	t := attemptLimit(e.p)
	chain, names := goesOn(e.to, t)
	g.report(Finding{
		Rule:       ruleUnsafeOutcome,
		Severity:   Note,
		Components: append([]string{c}, names...),
		Summary:    fmt.Sprintf("%s retries timed-out attempts that %s may still complete", c, y),
		Explanation: fmt.Sprintf("%s retries after a %s timeout, but the attempt it timed out is not stopped: %s. It "+
			"may still complete, so one request can take effect up to %d times, once for each attempt. That is safe "+
			"only if the operation is idempotent; the model does not describe which calls are yet, so a reviewer "+
			"has to confirm it.", c, dur(t), chain, attemptsOf(e.p)),
		Fix: fmt.Sprintf("Make the operation idempotent (an idempotency key the callee deduplicates on), stop timed-out "+
			"attempts (cancel = true, or limits below %s further down), or retry only refusals: retry_on = [\"rejected\"].", dur(t)),
	}, r.Pos, e.p.Pos)
}

// unsafeError finds retries of errors from a service that may have made
// some of its calls before one failed.
func (g *graph) unsafeError(e *edge) {
	if e.p.Retry.On&topology.OnError == 0 {
		return
	}
	servers := []*node{e.to}
	if e.to.c.Balancer != nil {
		servers = nil
		for _, out := range e.to.out {
			servers = append(servers, out.to)
		}
	}
	c := e.from.name
	for _, s := range servers {
		if s.c.Server == nil || len(s.out) < 2 {
			continue
		}
		var calls []string
		for _, out := range s.out {
			calls = append(calls, out.to.name)
		}
		earlier := and(calls[:len(calls)-1])
		g.report(Finding{
			Rule:       ruleUnsafeOutcome,
			Severity:   Note,
			Components: []string{c, s.name},
			Summary:    fmt.Sprintf("%s retries errors that %s may return after some of its calls succeeded", c, s.name),
			Explanation: fmt.Sprintf("%s makes its calls in order (%s) and answers with an error when one fails, after "+
				"the ones before it succeeded. %s retries errors, so a retry repeats calls to %s that already took "+
				"effect: safe only if they are idempotent, which the model does not describe yet, so a reviewer has "+
				"to confirm it.", s.name, strings.Join(calls, ", then "), c, earlier),
			Fix: fmt.Sprintf("Make %s calls to %s idempotent, or retry only refusals: retry_on = [\"rejected\"].",
				possessive(s.name), earlier),
		}, e.p.Retry.Pos, e.p.Pos)
	}
}
