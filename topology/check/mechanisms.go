package check

import (
	"fmt"
	"math"
	"time"

	"github.com/failsim/failsim/topology"
)

// mechanisms finds circuit breakers that cannot open and retry budgets that
// cannot do their job.
func (g *graph) mechanisms() {
	seen := map[*topology.CallPolicy]bool{}
	for _, n := range g.nodes {
		for _, e := range n.out {
			if seen[e.p] {
				continue
			}
			seen[e.p] = true
			if e.p.Breaker != nil {
				g.breaker(e)
			}
			if attemptsOf(e.p) > 1 {
				g.retryBudget(e)
			}
		}
	}
}

func (g *graph) breaker(e *edge) {
	b := e.p.Breaker
	c, y := e.from.name, e.to.name
	sends := g.edgeRate(e)
	f := Finding{Rule: ruleBreakerUnreached, Severity: Warning, Components: []string{c, y}}
	switch {
	case !b.TimeBased && b.MinimumNumberOfCalls > b.SlidingWindowSize:
		f.Severity = Note
		f.Summary = fmt.Sprintf("%s breaker on %s needs %d calls but its window holds %d: it judges after %d",
			possessive(c), y, b.MinimumNumberOfCalls, b.SlidingWindowSize, b.SlidingWindowSize)
		f.Explanation = fmt.Sprintf("The breaker judges the failure rate only once its window holds "+
			"minimum_number_of_calls = %d calls, but a count_based window of sliding_window_size = %d never holds "+
			"more than %d. resilience4j, and the simulator with it, silently lowers the minimum to %d: the "+
			"configuration does not say what it does.",
			b.MinimumNumberOfCalls, b.SlidingWindowSize, b.SlidingWindowSize, b.SlidingWindowSize)
		f.Fix = fmt.Sprintf("Write minimum_number_of_calls = %d, or widen the window.", b.SlidingWindowSize)
	case b.TimeBased && sends*float64(b.SlidingWindowSize) < float64(b.MinimumNumberOfCalls):
		most := sends * float64(b.SlidingWindowSize)
		f.Summary = fmt.Sprintf("%s breaker on %s can never open: it needs %d calls in %ds, and sees at most %.0f",
			possessive(c), y, b.MinimumNumberOfCalls, b.SlidingWindowSize, most)
		f.Explanation = fmt.Sprintf("A time_based breaker judges the failure rate only when the calls of its last "+
			"%ds number at least minimum_number_of_calls = %d. %s sends at most %s on this call, even with every "+
			"attempt retried: about %.0f calls in a window. The breaker never opens, however many of them fail.",
			b.SlidingWindowSize, b.MinimumNumberOfCalls, c, rate(sends, "calls"), most)
		f.Fix = fmt.Sprintf("Lower minimum_number_of_calls to at most %.0f, or widen the window (sliding_window_size).", math.Floor(most))
	case !b.TimeBased && sends > 0 && float64(b.MinimumNumberOfCalls)/sends > g.sc.Duration.Seconds():
		fill := time.Duration(float64(b.MinimumNumberOfCalls) / sends * float64(time.Second)).Round(time.Second)
		f.Severity = Note
		f.Summary = fmt.Sprintf("%s breaker on %s needs %d calls before it can open: %s at %s, longer than the run",
			possessive(c), y, b.MinimumNumberOfCalls, dur(fill), rate(sends, "calls"))
		f.Explanation = fmt.Sprintf("The breaker judges the failure rate only once it has seen "+
			"minimum_number_of_calls = %d calls. %s sends at most %s on this call, so that takes %s, longer than "+
			"the %s run: in this scenario the breaker cannot open.", b.MinimumNumberOfCalls, c, rate(sends, "calls"), dur(fill), dur(g.sc.Duration))
		f.Fix = "Lower minimum_number_of_calls, or run the scenario longer."
	default:
		return
	}
	g.report(f, b.Pos, e.p.Pos)
}

// retryBudget finds budgets that drain for good or never allow a retry.
func (g *graph) retryBudget(e *edge) {
	p := e.p
	c := e.from.name
	n := attemptsOf(p)
	b := p.Retry.Budget
	f := Finding{Rule: ruleBudgetNeverAllows, Severity: Warning, Components: []string{c, e.to.name}}
	never := fmt.Sprintf(" The %d retries in its %d attempts never happen.", n-1, n)
	switch {
	case b == nil:
		lb := e.from.c.Balancer
		if lb == nil || lb.Thresholds == nil || lb.Thresholds.MaxRetries > 0 {
			return
		}
		f.Summary = fmt.Sprintf("%s circuit_breakers allow no retry: max_retries = 0", possessive(c))
		f.Explanation = fmt.Sprintf("Envoy's max_retries bounds the retries %s has outstanding at once; at 0, every "+
			"retry its retry_policy asks for is refused.%s", c, never)
		f.Fix = "Raise max_retries (Envoy's default is 3), use a retry_budget, or remove the retry_policy."
	case b.Kind == topology.BudgetAWS && b.NoRetryIncrement == 0 && (b.RetryCost > 0 || b.TimeoutRetryCost > 0) &&
		b.Capacity >= min(b.RetryCost, b.TimeoutRetryCost):
		f.Rule = ruleBudgetNoRefill
		f.Summary = fmt.Sprintf("%s aws retry budget never refills: first-try successes add nothing back", possessive(c))
		f.Explanation = fmt.Sprintf("The bucket starts with %s tokens; a retry costs %s (%s after a timeout), and "+
			"only a successful retry gives its cost back, because no_retry_increment = 0 means a first-try success "+
			"adds nothing. Each failed retry is lost for good: after about %s failed retries (%s after timeouts), %s "+
			"never retries again, for the rest of the run, however healthy %s is by then.",
			num(b.Capacity), num(b.RetryCost), num(b.TimeoutRetryCost), spend(b.Capacity, b.RetryCost),
			spend(b.Capacity, b.TimeoutRetryCost), c, e.to.name)
		f.Fix = "Set no_retry_increment above 0 (the AWS SDKs use 1)."
	case b.Kind == topology.BudgetAWS && (b.Capacity < b.RetryCost || b.Capacity < b.TimeoutRetryCost):
		which := "a retry"
		switch {
		case b.Capacity >= b.RetryCost:
			which, never = "a retry after a timeout", " Timeouts are never retried."
		case b.Capacity >= b.TimeoutRetryCost:
			which, never = "a retry after an error or a refusal", " Only timeouts are ever retried."
		}
		f.Summary = fmt.Sprintf("%s aws retry budget can never pay for %s", possessive(c), which)
		f.Explanation = fmt.Sprintf("The bucket holds at most capacity = %s tokens, and a retry costs retry_cost = %s "+
			"(timeout_retry_cost = %s after a timeout): it can never pay for %s.%s",
			num(b.Capacity), num(b.RetryCost), num(b.TimeoutRetryCost), which, never)
		f.Fix = "Raise capacity above the costs (the AWS SDKs use 500, 5 and 10), or do not retry."
	case b.Kind == topology.BudgetEnvoy && b.BudgetPercent == 0 && b.MinRetryConcurrency == 0:
		f.Summary = fmt.Sprintf("%s envoy retry budget allows no retry: 0%% and no minimum", possessive(c))
		f.Explanation = fmt.Sprintf("Envoy's retry budget allows max(min_retry_concurrency, budget_percent of the "+
			"requests in flight) retries at once; both are 0.%s", never)
		f.Fix = "Use Envoy's defaults (budget_percent = 20, min_retry_concurrency = 3), or do not retry."
	case b.Kind == topology.BudgetTokenBucket && b.Deposit == 0 && b.StartEmpty:
		f.Summary = fmt.Sprintf("%s token bucket starts empty and nothing fills it", possessive(c))
		f.Explanation = fmt.Sprintf("The bucket starts empty (initial = \"empty\") and its deposit is 0: it never holds "+
			"the %s tokens a retry costs.%s", num(b.Cost), never)
		f.Fix = "Give it a deposit (Brooker's example: 0.1 a request), start it full, or do not retry."
	case b.Kind == topology.BudgetTokenBucket && b.Deposit == 0:
		f.Rule = ruleBudgetNoRefill
		f.Summary = fmt.Sprintf("%s token bucket never refills: its deposit is 0", possessive(c))
		f.Explanation = fmt.Sprintf("The bucket starts with %s tokens and a retry takes %s; with a deposit of 0 nothing "+
			"puts them back. After %s retries, %s never retries again, for the rest of the run, however healthy %s "+
			"is by then.", num(b.Capacity), num(b.Cost), spend(b.Capacity, b.Cost), c, e.to.name)
		f.Fix = "Give it a deposit per request or per success (Brooker's example: 0.1 a request)."
	case b.Kind == topology.BudgetFinagle && b.PercentCanRetry == 0 && b.MinRetriesPerSec == 0:
		f.Summary = fmt.Sprintf("%s finagle retry budget allows no retry: no percentage and no reserve", possessive(c))
		f.Explanation = fmt.Sprintf("Finagle's budget lets retries spend percent_can_retry of the requests plus a "+
			"reserve of min_retries_per_sec; both are 0, which Finagle itself treats as the empty budget.%s", never)
		f.Fix = "Use Finagle's defaults (percent_can_retry = 0.2, min_retries_per_sec = 10), or do not retry."
	default:
		return
	}
	g.report(f, budgetPos(p), p.Retry.Pos, p.Pos)
}

// spend is how many retries of cost a bucket of capacity pays for.
func spend(capacity, cost float64) string {
	if cost == 0 {
		return "any number of"
	}
	return num(math.Floor(capacity / cost))
}
