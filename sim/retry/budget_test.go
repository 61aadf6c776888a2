package retry

import (
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
			b.End(false, false, true, 0)
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
	b.End(false, true, false, 0) // a success adds 0.1
	if ok, _ := b.Allow(0, false); !ok {
		t.Fatal("5.1 tokens, retry refused")
	}
	b.End(false, false, false, 0) // a failure that is not retried changes nothing
	if got := b.Level(0); got != 5.1 {
		t.Fatalf("level %g, want 5.1", got)
	}
	for range 100 {
		b.End(false, true, false, 0)
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
			b.End(false, !failed, failed, 0)
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
	b.End(false, true, false, 0) // first-try success: +1
	if ok, _ := b.Allow(0, false); ok {
		t.Fatal("1 token paid for a 5-token retry")
	}
	for range 9 {
		b.End(false, true, false, 0)
	}
	ok, cost := b.Allow(0, true)
	if !ok || cost != 10 || b.Level(0) != 0 {
		t.Fatalf("timeout retry: allowed %v, cost %g, left %g; want true, 10, 0", ok, cost, b.Level(0))
	}
	b.End(true, true, false, cost) // the retry succeeded: refund
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
