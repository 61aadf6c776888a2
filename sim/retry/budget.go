package retry

import (
	"math"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/window"
	"github.com/failsim/failsim/topology"
)

// Budget is one caller's retry budget for one kind of call. The caller
// reports every attempt it starts and ends, and asks Allow before each retry.
type Budget struct {
	spec topology.Budget

	tokens float64 // gRPC and AWS

	active, pending, retries int // Envoy: attempts outstanding, requests waiting to start one, retries outstanding (scheduled ones included)

	// Finagle, in its own integer units: a request deposits 1000, a retry
	// withdraws 1000/percent_can_retry (1, with no deposits, when that is 0), and the reserve holds
	// min_retries_per_sec * ttl withdrawals; deposits expire after ttl.
	deposits                     *window.Sum
	deposit, withdrawal, reserve float64

	// Retry breaker: the attempts that ended (succeeded, or failed with an
	// outcome that is retried) and those that failed, over the window or,
	// with none, the run so far.
	ended, failures *window.Sum
	endedN, failedN float64
}

const finagleDeposit = 1000

// NewBudget returns a full budget.
func NewBudget(spec topology.Budget) *Budget {
	b := &Budget{spec: spec}
	switch spec.Kind {
	case topology.BudgetGRPC:
		b.tokens = spec.MaxTokens
	case topology.BudgetAWS:
		b.tokens = spec.Capacity
	case topology.BudgetFinagle:
		b.deposits = window.New(des.FromDuration(spec.TTL), 10) // Finagle's WindowedAdder slices
		// With no percentage, requests deposit nothing and a retry costs 1:
		// only the reserve allows retries (Finagle's own special case).
		b.deposit, b.withdrawal = 0, 1
		if spec.PercentCanRetry > 0 {
			b.deposit, b.withdrawal = finagleDeposit, math.Floor(finagleDeposit/spec.PercentCanRetry)
		}
		b.reserve = spec.MinRetriesPerSec * math.Floor(spec.TTL.Seconds()) * b.withdrawal
	case topology.BudgetTokenBucket:
		if !spec.StartEmpty {
			b.tokens = spec.Capacity
		}
	case topology.BudgetRetryBreaker:
		if spec.Window > 0 {
			b.ended = window.New(des.FromDuration(spec.Window), 10) // Hystrix's rolling window: 10 buckets
			b.failures = window.New(des.FromDuration(spec.Window), 10)
		}
	}
	return b
}

// Start reports that an attempt begins; retry tells whether it is a retry.
func (b *Budget) Start(now des.Time, retry bool) {
	switch b.spec.Kind {
	case topology.BudgetEnvoy:
		b.active++
	case topology.BudgetFinagle:
		if !retry {
			b.deposits.Add(now, b.deposit)
		}
	case topology.BudgetTokenBucket:
		if !retry && !b.spec.DepositOnSuccess {
			b.tokens = min(b.spec.Capacity, b.tokens+b.spec.Deposit)
		}
	}
}

// Allow decides whether a retry may be sent after an attempt that failed
// (timedOut tells whether it timed out) and, if so, takes what the retry
// costs. cost is what the caller must hand back to End (AWS refunds it).
func (b *Budget) Allow(now des.Time, timedOut bool) (ok bool, cost float64) {
	s := &b.spec
	switch s.Kind {
	case topology.BudgetGRPC:
		return b.tokens > s.MaxTokens/2, 0
	case topology.BudgetAWS:
		cost = s.RetryCost
		if timedOut {
			cost = s.TimeoutRetryCost
		}
		if b.tokens < cost {
			return false, 0
		}
		b.tokens -= cost
		return true, cost
	case topology.BudgetEnvoy:
		if float64(b.retries) >= b.allowedRetries() {
			return false, 0
		}
		b.retries++ // from now until the retry ends, as Envoy's retries resource
		return true, 0
	case topology.BudgetTokenBucket:
		if b.tokens < s.Cost {
			return false, 0
		}
		b.tokens -= s.Cost
		return true, 0
	case topology.BudgetRetryBreaker:
		return !b.tripped(now), 0
	default: // Finagle
		if b.reserve+b.deposits.Total(now) < b.withdrawal {
			return false, 0
		}
		b.deposits.Add(now, -b.withdrawal)
		return true, 0
	}
}

// tripped reports whether a retry breaker stops retries now: at least
// minimum_number_of_calls attempts ended in its window, and at least
// failure_rate_threshold percent of them failed (resilience4j opens at the
// threshold, not above it).
func (b *Budget) tripped(now des.Time) bool {
	ended, failed := b.endedN, b.failedN
	if b.ended != nil {
		ended, failed = b.ended.Total(now), b.failures.Total(now)
	}
	return ended >= float64(b.spec.MinimumNumberOfCalls) && 100*failed >= b.spec.FailureRateThreshold*ended
}

// allowedRetries is Envoy's bound on outstanding retries.
func (b *Budget) allowedRetries() float64 {
	return max(float64(b.spec.MinRetryConcurrency), b.spec.BudgetPercent/100*float64(b.active+b.pending))
}

// Pending changes the number of requests waiting to start an attempt (a load
// balancer's pending queue), which Envoy's budget counts with the active ones.
func (b *Budget) Pending(delta int) { b.pending += delta }

// End reports that an attempt ended at now. retry and cost are as the
// attempt started; succeeded tells whether it succeeded, and failed whether
// it failed with an outcome that is retried (a gRPC "failure"). An attempt
// its caller dropped (neither) counts for Envoy's outstanding attempts
// only.
func (b *Budget) End(now des.Time, retry, succeeded, failed bool, cost float64) {
	s := &b.spec
	switch s.Kind {
	case topology.BudgetTokenBucket:
		if succeeded && s.DepositOnSuccess {
			b.tokens = min(s.Capacity, b.tokens+s.Deposit)
		}
	case topology.BudgetRetryBreaker:
		if !succeeded && !failed {
			return
		}
		v := 0.0
		if failed {
			v = 1
		}
		if b.ended != nil {
			b.ended.Add(now, 1)
			b.failures.Add(now, v)
		} else {
			b.endedN++
			b.failedN += v
		}
	case topology.BudgetGRPC:
		if succeeded {
			b.tokens = min(s.MaxTokens, b.tokens+s.TokenRatio)
		} else if failed {
			b.tokens = max(0, b.tokens-1)
		}
	case topology.BudgetAWS:
		if succeeded {
			refund := s.NoRetryIncrement
			if retry {
				refund = cost
			}
			b.tokens = min(s.Capacity, b.tokens+refund)
		}
	case topology.BudgetEnvoy:
		b.active--
		if retry {
			b.retries--
		}
	}
}

// Outstanding is what an Envoy budget counts now: attempts outstanding and
// retries allowed but not yet ended. Invariant checks compare them with the
// caller's own view.
func (b *Budget) Outstanding() (attempts, retries int) { return b.active, b.retries }

// Dropped reports that an allowed retry will never start (its caller gave
// up during the backoff), so Envoy's count of retries can let it go.
func (b *Budget) Dropped() {
	if b.spec.Kind == topology.BudgetEnvoy {
		b.retries--
	}
}

// Level is the budget's state for metrics: tokens (gRPC, AWS, token
// bucket), retries still allowed at once (Envoy), retries that may be
// withdrawn now (Finagle), or 1 while a retry breaker lets retries through
// and 0 while it stops them.
func (b *Budget) Level(now des.Time) float64 {
	switch b.spec.Kind {
	case topology.BudgetRetryBreaker:
		if b.tripped(now) {
			return 0
		}
		return 1
	case topology.BudgetEnvoy:
		return b.allowedRetries() - float64(b.retries)
	case topology.BudgetFinagle:
		return math.Floor((b.reserve + b.deposits.Total(now)) / b.withdrawal)
	default:
		return b.tokens
	}
}
