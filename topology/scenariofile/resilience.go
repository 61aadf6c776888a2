package scenariofile

import (
	"math"
	"time"

	"github.com/failsim/failsim/topology"
)

// budget reads a retry budget: { kind = "grpc" | "aws" | "envoy" | "finagle", ... }
// with each system's own parameter names and defaults.
func (d *decoder) budget(n *node, what string) *topology.Budget {
	t, ok := n.v.(*table)
	if !ok || t.m["kind"] == nil {
		d.errorf(n, "%s must be a table with a kind: one of %s", what, quoteList(topology.BudgetNames))
		return nil
	}
	kind := (&object{d: d, n: n, t: t, what: what}).enum("kind", -1, topology.BudgetNames)
	if kind < 0 {
		return nil
	}
	b := &topology.Budget{Kind: topology.BudgetKind(kind), Pos: d.pos(n)}
	switch b.Kind {
	case topology.BudgetGRPC:
		o := d.object(n, what, "kind", "max_tokens", "token_ratio")
		b.MaxTokens = o.number("max_tokens", 10, 1, 1000)
		b.TokenRatio = o.number("token_ratio", 0.1, 0.001, 1)
	case topology.BudgetAWS:
		o := d.object(n, what, "kind", "capacity", "retry_cost", "timeout_retry_cost", "no_retry_increment")
		b.Capacity = o.number("capacity", 500, 1, 1e9)
		b.RetryCost = o.number("retry_cost", 5, 0, 1e9)
		b.TimeoutRetryCost = o.number("timeout_retry_cost", 10, 0, 1e9)
		b.NoRetryIncrement = o.number("no_retry_increment", 1, 0, 1e9)
	case topology.BudgetEnvoy:
		o := d.object(n, what, "kind", "budget_percent", "min_retry_concurrency")
		d.envoyBudget(o, b)
	case topology.BudgetFinagle:
		o := d.object(n, what, "kind", "ttl", "min_retries_per_sec", "percent_can_retry")
		b.TTL = o.positive("ttl", 10*time.Second)
		if n := o.get("ttl"); n != nil && (b.TTL < time.Second || b.TTL > time.Minute) {
			o.errorf(n, "ttl must be between 1s and 60s, as Finagle requires, got %s", b.TTL)
		}
		b.MinRetriesPerSec = float64(o.integer("min_retries_per_sec", 10, 0, math.MaxInt32))
		b.PercentCanRetry = o.number("percent_can_retry", 0.2, 0, 1000)
	case topology.BudgetTokenBucket:
		o := d.object(n, what, "kind", "capacity", "deposit", "deposit_on", "cost", "initial")
		b.Capacity = o.number("capacity", 10, 0.001, 1e9)
		b.Deposit = o.number("deposit", 0.1, 0, 1e9)
		b.DepositOnSuccess = o.enum("deposit_on", 0, []string{"request", "success"}) == 1
		b.Cost = o.number("cost", 1, 0.001, 1e9)
		b.StartEmpty = o.enum("initial", 0, []string{"full", "empty"}) == 1
		if b.Cost > b.Capacity {
			at := o.get("cost")
			if at == nil {
				at = o.get("capacity")
			}
			o.errorf(at, "cost %g exceeds capacity %g: the bucket can never hold the price of one retry", b.Cost, b.Capacity)
		}
	case topology.BudgetRetryBreaker:
		o := d.object(n, what, "kind", "failure_rate_threshold", "window", "minimum_number_of_calls")
		b.FailureRateThreshold = o.number("failure_rate_threshold", 50, 0.001, 100)
		b.Window = 10 * time.Second
		if wn := o.get("window"); wn != nil && wn.v == "lifetime" {
			b.Window = 0
		} else if wn != nil {
			if v, ok := d.parseDuration(wn, false); ok && v == 0 {
				o.errorf(wn, `window must be more than zero, or "lifetime" for the whole run`)
			} else if ok {
				b.Window = v
			}
		}
		b.MinimumNumberOfCalls = o.integer("minimum_number_of_calls", 20, 1, 1_000_000)
	}
	return b
}

func (d *decoder) envoyBudget(o *object, b *topology.Budget) {
	b.Kind = topology.BudgetEnvoy
	b.BudgetPercent = o.number("budget_percent", 20, 0, 100)
	b.MinRetryConcurrency = o.integer("min_retry_concurrency", 3, 0, math.MaxInt32)
}

// thresholds reads Envoy's cluster circuit_breakers (one threshold set),
// with Envoy's defaults; a retry_budget inside it replaces max_retries.
func (d *decoder) thresholds(n *node, what string) (*topology.Thresholds, *topology.Budget) {
	o := d.object(n, what, "max_requests", "max_pending_requests", "max_retries", "retry_budget")
	if o == nil {
		return nil, nil
	}
	th := &topology.Thresholds{
		MaxRequests:        o.integer("max_requests", 1024, 1, math.MaxInt32),
		MaxPendingRequests: o.integer("max_pending_requests", 1024, 0, math.MaxInt32),
		MaxRetries:         o.integer("max_retries", 3, 0, math.MaxInt32),
	}
	bn := o.get("retry_budget")
	if bn == nil {
		return th, nil
	}
	bo := d.object(bn, what+" retry_budget", "budget_percent", "min_retry_concurrency")
	if bo == nil {
		return th, nil
	}
	if mr := o.get("max_retries"); mr != nil {
		o.errorf(mr, "max_retries is ignored when retry_budget is set; give one of them")
	}
	b := &topology.Budget{Pos: d.pos(bn)}
	d.envoyBudget(bo, b)
	return th, b
}

// outlier reads Envoy's outlier_detection for consecutive 5xx, with Envoy's
// defaults.
func (d *decoder) outlier(n *node, what string) *topology.Outlier {
	o := d.object(n, what, "consecutive_5xx", "interval", "base_ejection_time", "max_ejection_time", "max_ejection_percent")
	if o == nil {
		return nil
	}
	out := &topology.Outlier{
		Consecutive5xx:     o.integer("consecutive_5xx", 5, 1, math.MaxInt32),
		Interval:           o.positive("interval", 10*time.Second),
		BaseEjectionTime:   o.positive("base_ejection_time", 30*time.Second),
		MaxEjectionTime:    o.positive("max_ejection_time", 300*time.Second),
		MaxEjectionPercent: o.number("max_ejection_percent", 10, 0, 100),
	}
	return out
}

// breaker reads a resilience4j circuit breaker, with its names (snake_case)
// and defaults.
func (d *decoder) breaker(n *node, what string) *topology.Breaker {
	o := d.object(n, what, "sliding_window_type", "sliding_window_size", "minimum_number_of_calls",
		"failure_rate_threshold", "slow_call_rate_threshold", "slow_call_duration_threshold",
		"wait_duration_in_open_state", "permitted_number_of_calls_in_half_open_state")
	if o == nil {
		return nil
	}
	return &topology.Breaker{
		TimeBased:                o.enum("sliding_window_type", 0, []string{"count_based", "time_based"}) == 1,
		SlidingWindowSize:        o.integer("sliding_window_size", 100, 1, 1_000_000),
		MinimumNumberOfCalls:     o.integer("minimum_number_of_calls", 100, 1, 1_000_000),
		FailureRateThreshold:     o.number("failure_rate_threshold", 50, 0.001, 100),
		SlowCallRateThreshold:    o.number("slow_call_rate_threshold", 100, 0.001, 100),
		SlowCallDuration:         o.positive("slow_call_duration_threshold", 60*time.Second),
		WaitDurationInOpenState:  o.positive("wait_duration_in_open_state", 60*time.Second),
		PermittedCallsInHalfOpen: o.integer("permitted_number_of_calls_in_half_open_state", 10, 1, 1_000_000),
		Pos:                      d.pos(n),
	}
}

// throttle reads the SRE book's client-side adaptive throttling.
func (d *decoder) throttle(n *node, what string) *topology.Throttle {
	o := d.object(n, what, "k", "window")
	if o == nil {
		return nil
	}
	return &topology.Throttle{K: o.number("k", 2, 1, 100), Window: o.positive("window", 2*time.Minute)}
}

// concurrencyLimit reads { kind = "static", limit = N } or an AIMD limit with
// the defaults of Netflix's concurrency-limits AIMDLimit.
func (d *decoder) concurrencyLimit(n *node, what string) *topology.Limit {
	t, ok := n.v.(*table)
	if !ok || t.m["kind"] == nil {
		d.errorf(n, `%s must be a table with a kind: "static" or "aimd"`, what)
		return nil
	}
	kind := (&object{d: d, n: n, t: t, what: what}).enum("kind", -1, []string{"static", "aimd"})
	switch kind {
	case 0:
		o := d.object(n, what, "kind", "limit")
		if !o.has("limit") {
			o.missing("limit", "how many calls may be inside at once")
		}
		l := o.integer("limit", 1, 1, math.MaxInt32)
		return &topology.Limit{Initial: l, Min: l, Max: l}
	case 1:
		o := d.object(n, what, "kind", "initial_limit", "min_limit", "max_limit", "backoff_ratio", "timeout")
		l := &topology.Limit{
			AIMD:         true,
			Initial:      o.integer("initial_limit", 20, 1, math.MaxInt32),
			Min:          o.integer("min_limit", 20, 1, math.MaxInt32),
			Max:          o.integer("max_limit", 200, 1, math.MaxInt32),
			BackoffRatio: o.number("backoff_ratio", 0.9, 0.5, 0.999),
			Timeout:      o.positive("timeout", 5*time.Second),
		}
		if l.Min > l.Max {
			o.errorf(o.get("min_limit"), "min_limit %d is above max_limit %d", l.Min, l.Max)
		}
		l.Initial = min(max(l.Initial, l.Min), l.Max)
		return l
	}
	return nil
}
