package sim

import (
	"testing"

	"github.com/failsim/failsim/topology"
)

// A stress run of the balancer's guards together: Envoy thresholds with a
// pending queue and a retry budget, per-try timeouts, cancellation and a
// crash of a target. At the end the budget's count of outstanding attempts
// must equal the balancer's, and no retry may be counted twice or lost.
func TestBalancerBudgetStaysInStepWithTheBalancer(t *testing.T) {
	sc, err := topology.Parse("stress.toml", []byte(`
duration = "120s"
[client.c]
target = "lb"
rate = 400
timeout = "2s"
cancel = true
retry = { max_attempts = 3, backoff = "none" }
[load_balancer.lb]
targets = ["s"]
cancel = true
retry_policy = { num_retries = 3, per_try_timeout = "150ms" }
circuit_breakers = { max_requests = 20, max_pending_requests = 30, retry_budget = { budget_percent = 25, min_retry_concurrency = 2 } }
[service.s]
instances = 3
workers = 4
service_time = { dist = "exponential", mean = "40ms" }
abort_on_cancel = true
[[fault]]
target = "s-2"
kind = "crash"
at = "30s"
for = "20s"
[[fault]]
target = "s"
kind = "slowdown"
factor = 4
at = "70s"
for = "20s"
`), "")
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(5) {
		s := newSim(sc, seed)
		s.loop()
		lb := s.comps[1].lb
		attempts, retries := lb.policy.budget.Outstanding()
		if attempts != int(lb.upstream) {
			t.Errorf("seed %d: budget counts %d attempts outstanding, the balancer %d", seed, attempts, lb.upstream)
		}
		// Retries outstanding: allowed and waiting to be sent, or in flight.
		want := 0
		for j := s.comps[1].jobs; j >= 0; j = s.recs.at(j).next {
			r := s.recs.at(j)
			if r.flags&backingOff != 0 {
				want++
			}
			if r.child >= 0 && s.recs.at(r.child).flags&isRetry != 0 {
				want++
			}
		}
		if retries != want {
			t.Errorf("seed %d: budget counts %d retries outstanding, the balancer's jobs %d", seed, retries, want)
		}
		if lb.waiting < 0 || int(lb.waiting) > 30 {
			t.Errorf("seed %d: %d pending", seed, lb.waiting)
		}
	}
}
