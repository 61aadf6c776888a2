package sim_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/sim/validation"
)

// The engine is checked against queueing theory and retry algebra at more
// parameters than the validation suite (package validation) shows: fixed
// seed, enough customers that the closed form must hold within the stated
// tolerance.

func TestMMcMatchesErlangC(t *testing.T) {
	slow(t)
	for _, tc := range []struct {
		c      int
		lambda float64 // per second; mu = 1000/s per worker
	}{{2, 1400}, {4, 3000}, {16, 14000}} {
		t.Run(fmt.Sprintf("c=%d rho=%.2f", tc.c, tc.lambda/1000/float64(tc.c)), func(t *testing.T) {
			r := run(t, fmt.Sprintf(`
duration = "%ds"
[metrics]
bucket = "10s"
[client.arrivals]
target = "server"
rate = %g
[service.server]
workers = %d
service_time = { dist = "exponential", mean = "1ms" }
`, int(1.5e6/tc.lambda), tc.lambda, tc.c))
			s := r.Summary.Components["server"]
			mu := 1000.0
			wq := validation.MMcWait(tc.c, tc.lambda, mu)
			rate := float64(s.Arrivals) / r.Summary.SimSeconds
			near(t, "Wq (Lq/lambda)", s.MeanQueue/rate, wq, 0.03)
			near(t, "W", s.MeanResponseS, wq+1/mu, 0.03)
		})
	}
}

// With N attempts against independent failures of probability p, a request
// succeeds with probability 1 - p^N and makes (1 - p^N)/(1 - p) attempts on
// average.
func TestRetryAlgebra(t *testing.T) {
	slow(t)
	for _, tc := range []struct {
		p float64
		n int
	}{{0.1, 2}, {0.5, 5}} { // p = 0.3, N = 3 is in the validation suite
		t.Run(fmt.Sprintf("p=%g N=%d", tc.p, tc.n), func(t *testing.T) {
			r := run(t, fmt.Sprintf(`
duration = "400s"
[client.c]
target = "s"
rate = 1000
retry = { max_attempts = %d, backoff = "none", retry_on = ["error"] }
[service.s]
workers = 100
service_time = "1ms"
error_rate = %g
`, tc.n, tc.p))
			c := r.Summary.Clients
			near(t, "success rate", c.SuccessRate, validation.RetrySuccess(tc.p, tc.n), 0.01)
			near(t, "attempts per request", float64(c.Attempts)/float64(c.LogicalRequests), validation.RetryAttempts(tc.p, tc.n), 0.01)
		})
	}
}

// A closed system of N users who think Z seconds between requests obeys the
// interactive response time law R = N/X - Z, where X is the throughput.
func TestClosedLoopResponseTimeLaw(t *testing.T) {
	slow(t)
	r := run(t, `
duration = "2000s"
[client.users]
target = "s"
users = 20
think = { dist = "exponential", mean = "50ms" }
[service.s]
workers = 2
service_time = { dist = "exponential", mean = "5ms" }
`)
	c := r.Summary.Clients
	x := float64(c.Succeeded) / r.Summary.SimSeconds
	near(t, "R", c.Latency.Mean, 20/x-0.050, 0.01)
	// Asymptotic bounds: X <= min(N/(D+Z), c/D) = min(20/0.055, 2/0.005).
	if bound := math.Min(20/0.055, 400); x > bound {
		t.Errorf("throughput %g above its bound %g", x, bound)
	}
}

// Little's law, L = lambda * W, holds for every component of the shipped
// timeout-mismatch scenario, faults, retries, cancellation and abandoned work
// included, in the variants that return to a steady state by the end (the
// base's queues are still growing then). A client holds logical requests,
// so its lambda is their rate.
func TestLittlesLawPerComponent(t *testing.T) {
	slow(t)
	for _, v := range []string{"aligned", "deadline-propagation", "cancellation"} {
		littlesLaw(t, v, runFile(t, "../scenarios/timeout-mismatch.toml", v))
	}
}

func littlesLaw(t *testing.T, variant string, r *results.Run) {
	t.Helper()
	for name, c := range r.Summary.Components {
		n := c.Arrivals
		if c.Kind == "client" {
			n = r.Summary.Clients.LogicalRequests
		}
		lambda := float64(n) / r.Summary.SimSeconds
		near(t, variant+": "+name+": L vs lambda*W", c.MeanInSystem, lambda*c.MeanResponseS, 0.02)
	}
}
