package sim_test

import (
	"fmt"
	"testing"
)

// gRPC retryThrottling switches retries off once more than r/(1+r) of
// attempts fail (9.1% for tokenRatio 0.1), and lets them all through below.
func TestGRPCThrottlingThresholdInARun(t *testing.T) {
	slow(t)
	for _, tc := range []struct {
		p          float64
		retriedMin float64 // share of failed first attempts that were retried
		retriedMax float64
	}{{0.07, 0.95, 1}, {0.12, 0, 0.05}} {
		t.Run(fmt.Sprintf("p=%g", tc.p), func(t *testing.T) {
			r := run(t, fmt.Sprintf(`
duration = "300s"
[client.c]
target = "s"
rate = 1000
retry = { max_attempts = 2, backoff = "none", retry_on = ["error"], budget = { kind = "grpc", max_tokens = 100, token_ratio = 0.1 } }
[service.s]
workers = 100
service_time = "1ms"
error_rate = %g
`, tc.p))
			c := r.Summary.Components["c"]
			firstFailures := tc.p * float64(r.Summary.Clients.LogicalRequests)
			if share := float64(c.Retries) / firstFailures; share < tc.retriedMin || share > tc.retriedMax {
				t.Errorf("%.3f of failed first attempts retried (threshold 0.0909), want within [%g, %g]", share, tc.retriedMin, tc.retriedMax)
			}
		})
	}
}

// SRE adaptive throttling: a client offering ten times what the backend
// accepts ends up sending it about K times what it accepts.
func TestAdaptiveThrottlingSendsAboutKTimesTheAccepts(t *testing.T) {
	slow(t)
	for _, k := range []float64{1.5, 2, 3} {
		r := run(t, fmt.Sprintf(`
duration = "600s"
[client.c]
target = "s"
rate = 1000
throttle = { k = %g, window = "30s" }
[service.s]
workers = 1
queue = { capacity = 0 }
service_time = "10ms"
`, k))
		s := r.Summary.Components["s"]
		near(t, fmt.Sprintf("K=%g: sent/accepted", k), float64(s.Arrivals)/float64(s.Completed), k, 0.05)
	}
}

// A breaker opens once the minimum number of calls is in its window at the
// failure-rate threshold, refuses calls while open, and lets trial calls
// through after its wait.
func TestBreakerInARun(t *testing.T) {
	r := run(t, `
duration = "30s"
[client.c]
target = "s"
rate = 100
breaker = { sliding_window_size = 20, minimum_number_of_calls = 20, wait_duration_in_open_state = "5s", permitted_number_of_calls_in_half_open_state = 3 }
[service.s]
workers = 10
service_time = "1ms"
[[fault]]
target = "s"
kind = "errors"
error_rate = 1
at = "10s"
for = "20s"
`)
	state := r.Series.Get("c", "breaker_state.s")
	arrivals := r.Series.Get("s", "arrivals")
	if state[9] != 0 {
		t.Fatal("breaker not closed before the fault")
	}
	// 20 failing calls at 100/s take 0.2s: open within the fault's first second.
	if state[10] != 2 {
		t.Fatalf("breaker state %g at the end of the fault's first second, want open (2)", state[10])
	}
	// The window of 20 still holds 10 successes from before the fault, so
	// the 10th failure makes 50% and opens it; then nothing reaches the
	// service until the 5s wait is over.
	var during float64
	for b := 10; b < 15; b++ {
		during += arrivals[b]
	}
	if during != 10 {
		t.Errorf("%g calls reached the service in the first 5s of the fault, want the 10 failures that opened it", during)
	}
	c := r.Summary.Components["c"]
	if c.BreakerOpened < 4 || c.BreakerRejected == 0 {
		t.Errorf("opened %d times, rejected %d; want it to reopen after each failed trial", c.BreakerOpened, c.BreakerRejected)
	}
	if r.Summary.Components["s"].Arrivals > 1000+20+4*3+3 {
		t.Errorf("%d calls reached the failing service", r.Summary.Components["s"].Arrivals)
	}
}

// Cancellation: a caller that gives up tells its callee. A call in service
// stops at once where the server aborts on cancel, freeing its worker, and
// otherwise finishes its work; either way it makes no downstream calls.
func TestCancellationInService(t *testing.T) {
	scenario := `
duration = "100s"
[client.c]
target = "api"
rate = 1
timeout = "100ms"
cancel = true
[service.api]
workers = 10
service_time = "300ms"
abort_on_cancel = %v
[[service.api.call]]
to = "db"
[database.db]
connections = 10
query_time = "10ms"
`
	for _, tc := range []struct {
		abort bool
		work  float64 // seconds each call works: to the cancellation, or all of it
	}{{false, 0.3}, {true, 0.1}} {
		t.Run(fmt.Sprint("abort_on_cancel=", tc.abort), func(t *testing.T) {
			r := run(t, fmt.Sprintf(scenario, tc.abort))
			api, db := r.Summary.Components["api"], r.Summary.Components["db"]
			if api.Cancelled == 0 || api.Completed != 0 {
				t.Fatalf("%d cancelled, %d completed: every call outlives its caller's 100ms", api.Cancelled, api.Completed)
			}
			near(t, "wasted work per call", api.WastedWorkS/float64(api.Cancelled), tc.work, 1e-6)
			if db.Arrivals != 0 {
				t.Errorf("db got %d calls from cancelled work", db.Arrivals)
			}
		})
	}
}

// A cancelled call that is still queued leaves the queue at once.
func TestCancellationEmptiesTheQueue(t *testing.T) {
	r := run(t, `
duration = "60s"
[client.c]
target = "s"
rate = 50
timeout = "100ms"
cancel = true
[service.s]
workers = 1
service_time = "50ms"
`)
	s := r.Summary.Components["s"]
	// One 50ms worker serves 20/s of 50/s. Without cancellation the queue
	// would grow by 30 a second to 1800; with it, a call waits 100ms at most.
	if s.MaxQueue > 15 {
		t.Errorf("queue reached %d", s.MaxQueue)
	}
	if got := s.Completed + s.Cancelled + s.InFlight; got != s.Arrivals {
		t.Errorf("completed + cancelled + in flight = %d, arrivals %d", got, s.Arrivals)
	}
}

// Deadline propagation: the callee learns the time its caller has left and
// does not start work whose deadline has passed; each component keeps its
// overhead back from what it passes on, so its caller hears an answer, not
// silence, before its own deadline.
func TestDeadlinePropagation(t *testing.T) {
	r := run(t, `
duration = "60s"
[client.c]
target = "api"
rate = 100
timeout = "500ms"
propagate_deadline = true
[service.api]
workers = 1000
service_time = "10ms"
deadline_overhead = "200ms"
[[service.api.call]]
to = "db"
propagate_deadline = true
[database.db]
connections = 1
query_time = "20ms"
`)
	db, api, c := r.Summary.Components["db"], r.Summary.Components["api"], r.Summary.Components["c"]
	// The database serves 50 of 100 queries a second. A query must start
	// within 500ms - 10ms (api's work) - 200ms (api's overhead) of the
	// client sending it, so none is answered later than that plus 20ms.
	if db.Latency.Max > 0.290+0.020+0.0015 {
		t.Errorf("a query answered %gs after it arrived; the propagated deadline allows 290ms plus its own 20ms", db.Latency.Max)
	}
	if db.DeadlineExceeded == 0 {
		t.Fatal("no query dropped for its deadline")
	}
	// api gives up on the database at 300ms and answers with an error,
	// 200ms before the client would time out.
	if api.Latency.Max > 0.3005 || c.TimedOut != 0 || c.Errors == 0 {
		t.Errorf("api answered within %gs; client: %d timed out, %d errors; want errors, no timeouts", api.Latency.Max, c.TimedOut, c.Errors)
	}
}

// With abort_on_cancel, work in service stops when its propagated deadline
// passes, as a query run with an expiring context does.
func TestAbortAtTheDeadline(t *testing.T) {
	r := run(t, `
duration = "100s"
[client.c]
target = "db"
rate = 1
timeout = "100ms"
propagate_deadline = true
[database.db]
connections = 10
query_time = "300ms"
abort_on_cancel = true
`)
	db := r.Summary.Components["db"]
	if db.DeadlineExceeded == 0 || db.DeadlineExceeded != db.Errors {
		t.Fatalf("%d deadline exceeded, %d errors: every query outlives its 100ms", db.DeadlineExceeded, db.Errors)
	}
	near(t, "busy time per query", db.BusyS/float64(db.Errors), 0.1, 1e-6)
}

// Load shedding at a server: a queue timeout drops calls that waited too
// long; a static concurrency limit refuses calls beyond it at once.
func TestLoadShedding(t *testing.T) {
	const base = `
duration = "100s"
[client.c]
target = "s"
rate = 200
[service.s]
workers = 1
service_time = "10ms"
%s
`
	t.Run("queue timeout", func(t *testing.T) {
		s := run(t, fmt.Sprintf(base, `queue = { timeout = "50ms" }`)).Summary.Components["s"]
		if s.Latency.Max > 0.0605 {
			t.Errorf("a call took %gs: it may wait 50ms, then work 10ms", s.Latency.Max)
		}
		if s.Shed == 0 || s.Shed != s.Rejected {
			t.Errorf("shed %d, rejected %d: every refusal here is shed", s.Shed, s.Rejected)
		}
	})
	t.Run("static concurrency limit", func(t *testing.T) {
		s := run(t, fmt.Sprintf(base, `concurrency_limit = { kind = "static", limit = 3 }`)).Summary.Components["s"]
		if s.MaxInSystem > 3 {
			t.Errorf("%d calls inside at once, limit 3", s.MaxInSystem)
		}
		if s.MaxQueue > 2 {
			t.Errorf("queue reached %d with 1 worker and a limit of 3", s.MaxQueue)
		}
	})
}

// Adaptive LIFO serves the newest call first only while the queue is long:
// under overload most calls are served young, a few very old.
func TestAdaptiveLIFO(t *testing.T) {
	scenario := `
duration = "200s"
[client.c]
target = "s"
rate = 110
[service.s]
workers = 1
service_time = "10ms"
queue = %s
`
	fifo := run(t, fmt.Sprintf(scenario, `{ discipline = "fifo" }`)).Summary.Components["s"]
	lifo := run(t, fmt.Sprintf(scenario, `{ discipline = "adaptive_lifo", lifo_above = 5 }`)).Summary.Components["s"]
	if lifo.Latency.P50 > fifo.Latency.P50/10 {
		t.Errorf("adaptive LIFO median %gs, FIFO %gs: overloaded, LIFO should serve most calls young", lifo.Latency.P50, fifo.Latency.P50)
	}
}

// Envoy's cluster thresholds at a balancer: at most max_requests upstream,
// max_pending_requests waiting, the rest refused at once.
func TestBalancerThresholds(t *testing.T) {
	r := run(t, `
duration = "60s"
[client.c]
target = "lb"
rate = 500
[load_balancer.lb]
targets = ["s"]
circuit_breakers = { max_requests = 4, max_pending_requests = 6 }
[service.s]
workers = 100
service_time = "10ms"
`)
	s, lb := r.Summary.Components["s"], r.Summary.Components["lb"]
	if s.MaxInSystem > 4 {
		t.Errorf("%d calls at the service at once, max_requests 4", s.MaxInSystem)
	}
	if lb.MaxInSystem > 10 {
		t.Errorf("%d calls at the balancer at once, 4 upstream + 6 pending", lb.MaxInSystem)
	}
	// Four slots of 10ms serve 400/s of the 500/s offered.
	near(t, "completed per second", float64(lb.Completed)/60, 400, 0.03)
	if lb.Shed != lb.Rejected || lb.Shed == 0 {
		t.Errorf("shed %d, rejected %d", lb.Shed, lb.Rejected)
	}
}

// The shipped retry storm: the base does not recover after its trigger;
// each fix does, for its own reason.
func TestRetryStormVerdicts(t *testing.T) {
	slow(t)
	if rec := runFile(t, "../scenarios/retry-storm.toml", "").Summary.Recovery; rec.Recovered == nil || *rec.Recovered {
		t.Fatalf("base: %s; a metastable failure should not recover", rec.Verdict)
	}
	for _, v := range []string{"backoff-jitter", "retry-budget", "circuit-breaker", "load-shedding", "adaptive-throttling",
		"retry-budget-aws", "retry-budget-finagle", "retry-breaker", "envoy-retry-budget", "concurrency-limit", "adaptive-lifo", "envoy-circuit-breakers"} {
		t.Run(v, func(t *testing.T) {
			if rec := runFile(t, "../scenarios/retry-storm.toml", v).Summary.Recovery; rec.Recovered == nil || !*rec.Recovered {
				t.Errorf("%s", rec.Verdict)
			}
		})
	}
}

// Outlier ejection takes the bad instance out: nearly every request
// succeeds, where without it a quarter fail.
func TestOutlierEjection(t *testing.T) {
	base := runFile(t, "../scenarios/bad-instance.toml", "").Summary
	ejecting := runFile(t, "../scenarios/bad-instance.toml", "outlier-ejection").Summary
	if base.Clients.SuccessRate > 0.85 {
		t.Errorf("base success %.3f; a quarter of calls during the fault should fail", base.Clients.SuccessRate)
	}
	if ejecting.Clients.SuccessRate < 0.999 || ejecting.Components["lb"].Ejections < 2 {
		t.Errorf("with ejection: success %.4f after %d ejections", ejecting.Clients.SuccessRate, ejecting.Components["lb"].Ejections)
	}
}
