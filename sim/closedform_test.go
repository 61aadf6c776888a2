package sim_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

// The engine is checked against queueing theory and retry algebra: fixed
// seed, enough customers that the closed form must hold within the stated
// tolerance.

func TestMM1MatchesTheory(t *testing.T) {
	r := runFile(t, "../scenarios/validation/mm1.toml", "")
	s := r.Summary.Components["server"]
	lambda, mu := 500.0, 1000.0
	rho := lambda / mu
	arrivalRate := float64(s.Arrivals) / r.Summary.SimSeconds
	near(t, "arrival rate", arrivalRate, lambda, 0.01)
	near(t, "W, mean time in system", s.MeanResponseS, 1/(mu-lambda), 0.03)
	near(t, "Wq, mean wait in queue (Lq/lambda)", s.MeanQueue/arrivalRate, rho/(mu-lambda), 0.03)
	near(t, "utilization", s.Utilization, rho, 0.01)
}

// erlangC is the probability that an arrival waits in an M/M/c queue with
// offered load a = lambda/mu.
func erlangC(c int, a float64) float64 {
	term, sum := 1.0, 1.0 // a^k/k! for k = 0
	for k := 1; k < c; k++ {
		term *= a / float64(k)
		sum += term
	}
	last := term * a / float64(c) * float64(c) / (float64(c) - a) // a^c/c! * c/(c-a)
	return last / (sum + last)
}

func TestMMcMatchesErlangC(t *testing.T) {
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
			wq := erlangC(tc.c, tc.lambda/mu) / (float64(tc.c)*mu - tc.lambda)
			rate := float64(s.Arrivals) / r.Summary.SimSeconds
			near(t, "Wq (Lq/lambda)", s.MeanQueue/rate, wq, 0.03)
			near(t, "W", s.MeanResponseS, wq+1/mu, 0.03)
		})
	}
}

func TestErlangCHelper(t *testing.T) {
	// Known value: c = 2, a = 1 (rho = 0.5) waits with probability 1/3.
	if got := erlangC(2, 1); math.Abs(got-1.0/3) > 1e-12 {
		t.Fatalf("erlangC(2, 1) = %g, want 1/3", got)
	}
}

// With N attempts against independent failures of probability p, a request
// succeeds with probability 1 - p^N and makes (1 - p^N)/(1 - p) attempts on
// average.
func TestRetryAlgebra(t *testing.T) {
	for _, tc := range []struct {
		p float64
		n int
	}{{0.1, 2}, {0.3, 3}, {0.5, 5}} {
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
			pn := math.Pow(tc.p, float64(tc.n))
			near(t, "success rate", c.SuccessRate, 1-pn, 0.01)
			near(t, "attempts per request", float64(c.Attempts)/float64(c.LogicalRequests), (1-pn)/(1-tc.p), 0.01)
		})
	}
}

// A closed system of N users who think Z seconds between requests obeys the
// interactive response time law R = N/X - Z, where X is the throughput.
func TestClosedLoopResponseTimeLaw(t *testing.T) {
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
