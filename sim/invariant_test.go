package sim

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology/scenariofile"
)

// A stress run of the balancer's guards together: Envoy thresholds with a
// pending queue and a retry budget, per-try timeouts, cancellation and a
// crash of a target. At the end the budget's count of outstanding attempts
// must equal the balancer's, and no retry may be counted twice or lost.
func TestBalancerBudgetStaysInStepWithTheBalancer(t *testing.T) {
	sc, err := scenariofile.Parse("stress.toml", []byte(`
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
		if _, err := s.loop(context.Background(), Options{MaxInFlight: DefaultMaxInFlight}); err != nil {
			t.Fatal(err)
		}
		if err := s.checkInvariants(); err != nil {
			t.Fatal(err)
		}
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

// The invariant checks catch broken books: each case runs a small scenario
// part-way, breaks one number the way a bug would, and expects the check to
// name the invariant.
func TestInvariantChecksCatchBrokenBooks(t *testing.T) {
	sc, err := scenariofile.Parse("books.toml", []byte(`
duration = "20s"
[client.c]
target = "s"
rate = 200
retry = { max_attempts = 3, backoff = "none", retry_on = ["error"] }
[service.s]
workers = 2
service_time = { dist = "exponential", mean = "8ms" }
error_rate = 0.3
`), "")
	if err != nil {
		t.Fatal(err)
	}
	const client, server = 0, 1
	for _, tc := range []struct {
		bug, invariant string
		breakIt        func(s *Sim)
	}{
		{"a completion counted twice", "conservation", func(s *Sim) { s.comps[server].stats.tot.completed++ }},
		{"a logical request lost", "conservation", func(s *Sim) { s.comps[client].stats.tot.logical++ }},
		{"a response time mismeasured", "Little's law", func(s *Sim) { s.comps[server].stats.respSum += 0.5 }},
		{"a queue decremented twice", "no negative level", func(s *Sim) {
			q := &s.comps[server].stats.queue
			q.Add(s.now(), -q.Value()-1)
		}},
		{"an attempt past the last", "attempts <= max attempts", func(s *Sim) {
			j := s.comps[client].jobs
			s.recs.at(j).tries = s.policyFor(s.recs.at(j)).maxAttempts
			s.attempt(j)
		}},
	} {
		t.Run(tc.bug, func(t *testing.T) {
			s := newSim(sc, 1)
			for s.sched.Now() < 10*des.Second {
				e, _ := s.sched.Next()
				for e.At >= s.bucketEnd {
					s.closeBucket()
				}
				s.dispatch(e)
			}
			if err := s.checkInvariants(); err != nil {
				t.Fatalf("before the bug: %v", err)
			}
			tc.breakIt(s)
			err := s.checkInvariants()
			var ie *InvariantError
			if !errors.As(err, &ie) || ie.Invariant != tc.invariant {
				t.Fatalf("got %v, want invariant %q broken", err, tc.invariant)
			}
			if !strings.Contains(err.Error(), "in scenario books (variant base), seed 1: ") {
				t.Errorf("error does not name the scenario and seed: %v", err)
			}
		})
	}
}
