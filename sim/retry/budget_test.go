package retry

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// gRPC retryThrottling: a failure takes a token, a success adds tokenRatio,
// and retries are allowed only while tokens > maxTokens/2.
func TestGRPCBudgetRule(t *testing.T) {
	b := NewBudget(topology.Budget{Kind: topology.BudgetGRPC, MaxTokens: 10, TokenRatio: 0.1})
	fail := func(n int) {
		for range n {
			b.End(0, false, false, true, 0)
		}
	}
	fail(4)
	if ok, _ := b.Allow(0, false); !ok || b.Level(0) != 6 {
		t.Fatalf("6 tokens: allowed %v, level %g", ok, b.Level(0))
	}
	fail(1)
	if ok, _ := b.Allow(0, false); ok {
		t.Fatal("5 tokens is not more than half of 10, yet a retry was allowed")
	}
	b.End(0, false, true, false, 0) // a success adds 0.1
	if ok, _ := b.Allow(0, false); !ok {
		t.Fatal("5.1 tokens, retry refused")
	}
	b.End(0, false, false, false, 0) // a failure that is not retried changes nothing
	if got := b.Level(0); got != 5.1 {
		t.Fatalf("level %g, want 5.1", got)
	}
	for range 100 {
		b.End(0, false, true, false, 0)
	}
	if got := b.Level(0); got != 10 {
		t.Fatalf("tokens %g, want capped at 10", got)
	}
}

// The steady state of gRPC throttling: with attempts failing independently
// with probability f, retries flow freely below f = r/(1+r) and stop above.
func TestGRPCBudgetThreshold(t *testing.T) {
	const r = 0.1
	threshold := r / (1 + r) // 0.0909
	for _, tc := range []struct {
		f       float64
		minRate float64 // share of failures allowed a retry, after warm-up
		maxRate float64
	}{{threshold - 0.01, 0.95, 1}, {threshold + 0.01, 0, 0.05}} {
		b := NewBudget(topology.Budget{Kind: topology.BudgetGRPC, MaxTokens: 100, TokenRatio: r})
		rng := rand.New(rand.NewPCG(1, 2))
		var failures, allowed int
		for i := range 2_000_000 {
			failed := rng.Float64() < tc.f
			b.End(0, false, !failed, failed, 0)
			if failed && i > 1_000_000 {
				failures++
				if ok, _ := b.Allow(0, false); ok {
					allowed++
				}
			}
		}
		if rate := float64(allowed) / float64(failures); rate < tc.minRate || rate > tc.maxRate {
			t.Errorf("f = %.4f (threshold %.4f): %.3f of failures may retry, want within [%g, %g]",
				tc.f, threshold, rate, tc.minRate, tc.maxRate)
		}
	}
}

// AWS SDK standard mode: 500 tokens, a retry costs 5 (10 after a timeout),
// a first-try success adds 1, a successful retry refunds its cost.
func TestAWSBudgetRule(t *testing.T) {
	b := NewBudget(topology.Budget{Kind: topology.BudgetAWS, Capacity: 500, RetryCost: 5, TimeoutRetryCost: 10, NoRetryIncrement: 1})
	var n int
	for {
		ok, cost := b.Allow(0, false)
		if !ok {
			break
		}
		if cost != 5 {
			t.Fatalf("cost %g, want 5", cost)
		}
		n++
	}
	if n != 100 {
		t.Fatalf("%d retries from a full bucket, want 500/5 = 100", n)
	}
	b.End(0, false, true, false, 0) // first-try success: +1
	if ok, _ := b.Allow(0, false); ok {
		t.Fatal("1 token paid for a 5-token retry")
	}
	for range 9 {
		b.End(0, false, true, false, 0)
	}
	ok, cost := b.Allow(0, true)
	if !ok || cost != 10 || b.Level(0) != 0 {
		t.Fatalf("timeout retry: allowed %v, cost %g, left %g; want true, 10, 0", ok, cost, b.Level(0))
	}
	b.End(0, true, true, false, cost) // the retry succeeded: refund
	if got := b.Level(0); got != 10 {
		t.Fatalf("after the refund %g tokens, want 10", got)
	}
}

// Envoy retry_budget: outstanding retries at most
// max(min_retry_concurrency, budget_percent% of active + pending requests).
func TestEnvoyBudgetRule(t *testing.T) {
	b := NewBudget(topology.Budget{Kind: topology.BudgetEnvoy, BudgetPercent: 20, MinRetryConcurrency: 3})
	for range 10 {
		b.Start(0, false)
	}
	allow := func() int {
		n := 0
		for {
			ok, _ := b.Allow(0, false)
			if !ok {
				return n
			}
			n++
		}
	}
	if n := allow(); n != 3 { // max(3, 20% of 10)
		t.Fatalf("%d retries with 10 active, want 3", n)
	}
	for range 90 {
		b.Start(0, false)
	}
	b.Pending(10)
	if n := allow(); n != 19 { // 20% of 110 = 22, 3 already out
		t.Fatalf("%d more retries with 100 active and 10 pending, want 19", n)
	}
	b.Dropped() // one scheduled retry never starts
	if n := allow(); n != 1 {
		t.Fatalf("%d retries after one was dropped, want 1", n)
	}
}

// Finagle RetryBudget: retries may spend percent_can_retry of the requests of
// the last ttl, plus a reserve of min_retries_per_sec * ttl; deposits expire.
func TestFinagleBudgetRule(t *testing.T) {
	b := NewBudget(topology.Budget{Kind: topology.BudgetFinagle, TTL: 10 * time.Second, MinRetriesPerSec: 1, PercentCanRetry: 0.2})
	withdraw := func(now des.Time) int {
		n := 0
		for {
			if ok, _ := b.Allow(now, false); !ok {
				return n
			}
			n++
		}
	}
	for range 100 {
		b.Start(0, false) // 100 requests deposit 20 retries
	}
	if n := withdraw(0); n != 30 { // 20 + the 10 of the reserve
		t.Fatalf("%d retries, want 30", n)
	}
	// Deposits and withdrawals expire together after ttl: the reserve is back.
	if n := withdraw(11 * des.Second); n != 10 {
		t.Fatalf("%d retries after ttl, want the reserve of 10", n)
	}
	// Without a percentage, requests buy nothing and the reserve is all.
	b = NewBudget(topology.Budget{Kind: topology.BudgetFinagle, TTL: 10 * time.Second, MinRetriesPerSec: 2, PercentCanRetry: 0})
	for range 100 {
		b.Start(0, false)
	}
	if n := withdraw(0); n != 20 {
		t.Fatalf("%d retries with percent_can_retry 0, want the reserve of 2/s x 10s", n)
	}
}

// Brooker's token bucket: each request deposits a fraction of a token (or
// each success, with deposit_on = "success"), a retry is sent only if it can
// take its cost, and the bucket holds at most its capacity.
func TestTokenBucket(t *testing.T) {
	type step struct {
		do    string // "request", "success", "failure" or "retry"
		allow bool   // for "retry": whether it is allowed
		level float64
	}
	tests := []struct {
		name  string
		spec  topology.Budget
		steps []step
	}{
		{"full, deposits per request", topology.Budget{Capacity: 2, Deposit: 0.5, Cost: 1}, []step{
			{"retry", true, 1}, {"retry", true, 0}, {"retry", false, 0},
			{"request", false, 0.5}, {"retry", false, 0.5}, {"request", false, 1}, {"retry", true, 0},
			{"request", false, 0.5}, {"request", false, 1}, {"request", false, 1.5}, {"request", false, 2}, {"request", false, 2},
		}},
		{"empty, deposits per success", topology.Budget{Capacity: 1, Deposit: 0.25, Cost: 1, StartEmpty: true, DepositOnSuccess: true}, []step{
			{"retry", false, 0}, {"request", false, 0}, {"failure", false, 0},
			{"success", false, 0.25}, {"success", false, 0.5}, {"success", false, 0.75}, {"success", false, 1}, {"success", false, 1},
			{"retry", true, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Kind = topology.BudgetTokenBucket
			b := NewBudget(tt.spec)
			for i, s := range tt.steps {
				switch s.do {
				case "request":
					b.Start(0, false)
				case "success":
					b.End(0, false, true, false, 0)
				case "failure":
					b.End(0, false, false, true, 0)
				case "retry":
					if ok, _ := b.Allow(0, false); ok != s.allow {
						t.Errorf("step %d: retry allowed %v, want %v", i, ok, s.allow)
					}
				}
				if got := b.Level(0); got != s.level {
					t.Errorf("step %d (%s): %g tokens, want %g", i, s.do, got, s.level)
				}
			}
		})
	}
}

// At failure rate f, a bucket filled by d per request allows retries for
// about d of each request once it has drained: with f above d it falls to
// the deposit rate, below it every retry goes.
func TestTokenBucketSteadyState(t *testing.T) {
	for _, f := range []float64{0.05, 0.5} {
		b := NewBudget(topology.Budget{Kind: topology.BudgetTokenBucket, Capacity: 10, Deposit: 0.1, Cost: 1})
		rng := rand.New(rand.NewPCG(3, 4))
		var retries, failures int
		const n = 200_000
		for range n {
			b.Start(0, false)
			if rng.Float64() < f {
				failures++
				if ok, _ := b.Allow(0, false); ok {
					retries++
				}
			}
		}
		want := min(f, 0.1) * n
		if math.Abs(float64(retries)-want) > 0.02*want {
			t.Errorf("failure rate %g: %d retries of %d failures, want about %.0f (the lesser of the failures and the deposits)", f, retries, failures, want)
		}
	}
}

// A retry breaker stops retries once the failure rate of the attempts in
// its window reaches the threshold with enough of them, and lets them
// through again once the failures leave the window; over the lifetime,
// they never leave.
func TestRetryBreaker(t *testing.T) {
	sec := des.FromDuration(time.Second)
	for _, tc := range []struct {
		window    time.Duration
		afterward bool // retries allowed again 20s after the failures
	}{{10 * time.Second, true}, {0, false}} {
		b := NewBudget(topology.Budget{Kind: topology.BudgetRetryBreaker, FailureRateThreshold: 50, Window: tc.window, MinimumNumberOfCalls: 10})
		for range 9 {
			b.End(0, false, false, true, 0)
		}
		if ok, _ := b.Allow(0, false); !ok {
			t.Errorf("window %s: 9 failures, fewer than the minimum of 10, yet retries stopped", tc.window)
		}
		b.End(0, false, true, false, 0) // 9 of 10 failed
		if ok, _ := b.Allow(0, false); ok || b.Level(0) != 0 {
			t.Errorf("window %s: 90%% failed, retries allowed", tc.window)
		}
		for range 8 {
			b.End(sec, false, true, false, 0)
		}
		if ok, _ := b.Allow(sec, false); ok {
			t.Errorf("window %s: 9 of 18 failed, exactly the threshold: retries allowed", tc.window)
		}
		b.End(sec, false, false, false, 0) // dropped: counts for nothing
		b.End(sec, false, true, false, 0)
		if ok, _ := b.Allow(sec, false); !ok {
			t.Errorf("window %s: 9 of 19 failed, below the threshold: retries stopped", tc.window)
		}
		for range 10 {
			b.End(2*sec, false, false, true, 0)
		}
		if ok, _ := b.Allow(25*sec, false); ok != tc.afterward || (b.Level(25*sec) == 1) != tc.afterward {
			t.Errorf("window %s: 20s after the last failure, retries allowed %v, want %v", tc.window, ok, tc.afterward)
		}
	}
}
