package sim_test

import (
	"fmt"
	"math"
	"testing"
)

// LIFO and FIFO do the same work, so the mean is the same; LIFO lets some
// calls wait very long, so its tail is far worse.
func TestLIFOKeepsTheMeanAndStretchesTheTail(t *testing.T) {
	slow(t)
	scenario := `
duration = "1000s"
[client.c]
target = "s"
rate = 900
[service.s]
workers = 1
queue = { discipline = "%s" }
service_time = { dist = "exponential", mean = "1ms" }
`
	fifo := run(t, fmt.Sprintf(scenario, "fifo")).Summary.Components["s"]
	lifo := run(t, fmt.Sprintf(scenario, "lifo")).Summary.Components["s"]
	near(t, "LIFO mean response vs FIFO", lifo.MeanResponseS, fifo.MeanResponseS, 0.05)
	if lifo.Latency.P999 < 2*fifo.Latency.P999 {
		t.Errorf("LIFO p99.9 %gs not well above FIFO's %gs", lifo.Latency.P999, fifo.Latency.P999)
	}
}

// Four single-worker instances at 75% load behind one balancer: every policy
// shares the calls evenly, and the load-aware ones (least_request,
// power_of_two) keep queues far shorter than random.
func TestBalancerPolicies(t *testing.T) {
	slow(t)
	mean := map[string]float64{}
	for _, policy := range []string{"round_robin", "random", "least_request", "power_of_two"} {
		r := run(t, fmt.Sprintf(`
duration = "200s"
[client.c]
target = "lb"
rate = 2000
[load_balancer.lb]
targets = ["s"]
policy = "%s"
[service.s]
instances = 4
workers = 1
service_time = { dist = "exponential", mean = "1.5ms" }
`, policy))
		for i := 1; i <= 4; i++ {
			c := r.Summary.Components[fmt.Sprintf("s-%d", i)]
			near(t, fmt.Sprintf("%s: s-%d share", policy, i), float64(c.Arrivals), float64(r.Summary.Clients.LogicalRequests)/4, 0.03)
		}
		mean[policy] = r.Summary.Components["lb"].MeanResponseS
	}
	for _, p := range []string{"least_request", "power_of_two"} {
		if mean[p] > 0.7*mean["random"] {
			t.Errorf("%s mean response %.3gms, random %.3gms: want well below", p, 1000*mean[p], 1000*mean["random"])
		}
	}
}

// A balancer retry goes to another target: with one of two instances always
// failing and one retry, every request succeeds.
func TestBalancerRetriesAnotherTarget(t *testing.T) {
	for _, policy := range []string{"round_robin", "random", "least_request", "power_of_two"} {
		r := run(t, fmt.Sprintf(`
duration = "20s"
[client.c]
target = "lb"
rate = 100
[load_balancer.lb]
targets = ["good", "bad"]
policy = "%s"
retry_policy = { num_retries = 1 }
[service.good]
workers = 10
service_time = "1ms"
[service.bad]
workers = 10
service_time = "1ms"
error_rate = 1
`, policy))
		if c := r.Summary.Clients; c.Failed != 0 {
			t.Errorf("%s: %d of %d requests failed", policy, c.Failed, c.LogicalRequests)
		}
	}
}

func TestRateSchedule(t *testing.T) {
	// 100/s, a step to 300 at 10s, a ramp down to 0 over [20s, 30s), a
	// spike of 1000/s for 2s at 40s: arrivals in each window are Poisson with
	// the integral of the rate as mean.
	r := run(t, `
duration = "50s"
[client.c]
target = "s"
rate = 100
schedule = [
  { at = "10s", rate = 300 },
  { at = "20s", rate = 0, ramp = "10s" },
  { at = "40s", rate = 1000, for = "2s" },
]
[service.s]
workers = 100
service_time = "1ms"
`)
	got := r.Series.Get("c", "logical_requests")
	sum := func(from, to int) (n float64) {
		for b := from; b < to; b++ {
			n += got[b]
		}
		return n
	}
	for _, w := range []struct {
		from, to int
		want     float64
	}{
		{0, 10, 1000}, {10, 20, 3000}, {20, 30, 1500}, {30, 40, 0}, {40, 42, 2000}, {42, 50, 0},
	} {
		n := sum(w.from, w.to)
		if math.Abs(n-w.want) > 4*math.Sqrt(w.want)+0.5 {
			t.Errorf("arrivals in [%ds, %ds) = %g, want %g (Poisson, 4 sigma)", w.from, w.to, n, w.want)
		}
	}
}

func TestFaults(t *testing.T) {
	const base = `
duration = "60s"
[metrics]
bucket = "10s"
[client.c]
target = "s"
rate = 500
timeout = "1s"
[service.s]
workers = 10
service_time = "5ms"
[[fault]]
target = "%s"
at = "20s"
for = "20s"
%s
`
	// bucket index 2 and 3 are inside the fault window [20s, 40s)
	in := func(r []float64) float64 { return (r[2] + r[3]) / 2 }
	out := func(r []float64) float64 { return (r[0] + r[1] + r[4] + r[5]) / 4 }
	tests := []struct {
		name, target, fault string
		check               func(t *testing.T, series func(string, string) []float64)
	}{
		{"slowdown multiplies service time", "s", `kind = "slowdown"` + "\nfactor = 3", func(t *testing.T, get func(string, string) []float64) {
			near(t, "busy workers in fault vs outside", in(get("s", "busy_mean")), 3*out(get("s", "busy_mean")), 0.02)
		}},
		{"latency adds to service time", "s", `kind = "latency"` + "\nlatency = \"2ms\"", func(t *testing.T, get func(string, string) []float64) {
			near(t, "busy workers in fault", in(get("s", "busy_mean")), 500*0.007, 0.02)
		}},
		{"errors fail calls", "s", `kind = "errors"` + "\nerror_rate = 0.25", func(t *testing.T, get func(string, string) []float64) {
			near(t, "error share in fault", in(get("s", "errors"))/in(get("s", "arrivals")), 0.25, 0.05)
			if out(get("s", "errors")) != 0 {
				t.Error("errors outside the fault window")
			}
		}},
		{"capacity removes workers", "s", `kind = "capacity"` + "\nworkers = 2", func(t *testing.T, get func(string, string) []float64) {
			near(t, "workers in fault", in(get("s", "workers")), 2, 0)
			// 2 workers at 5ms serve 400/s of the 500/s offered.
			near(t, "completions per second in fault", in(get("s", "completed"))/10, 400, 0.02)
		}},
		{"crash refuses calls and comes back empty", "s", `kind = "crash"`, func(t *testing.T, get func(string, string) []float64) {
			if in(get("s", "completed")) != 0 {
				t.Error("completions while crashed")
			}
			near(t, "rejections in fault", in(get("s", "rejected")), in(get("s", "arrivals")), 0)
			near(t, "completions after", get("s", "completed")[5], get("s", "arrivals")[5], 0.01)
		}},
		{"load spike multiplies the rate", "c", `kind = "load-spike"` + "\nfactor = 2", func(t *testing.T, get func(string, string) []float64) {
			near(t, "arrivals in fault", in(get("c", "logical_requests")), 10000, 0.03)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, fmt.Sprintf(base, tt.target, tt.fault))
			tt.check(t, r.Series.Get)
		})
	}
}

// A crash answers everything the component held with an error at once, as a
// reset connection does, and the work lost counts as wasted.
func TestCrashDropsHeldWork(t *testing.T) {
	r := run(t, `
duration = "10s"
[client.c]
target = "s"
rate = 100
[service.s]
workers = 1000
service_time = "10s"
[[fault]]
target = "s"
kind = "crash"
at = "5s"
for = "1s"
`)
	c, s := r.Summary.Clients, r.Summary.Components["s"]
	// Everything that arrived in [0, 5s) was being served and is lost; calls
	// in [5s, 6s) are refused; later ones are still in service at the end.
	near(t, "errors", float64(s.Errors), 500, 0.1)
	near(t, "rejected", float64(s.Rejected), 100, 0.25)
	if c.Failures.Error != s.Errors+s.Rejected-c.Failures.Rejected {
		t.Errorf("client failures %+v do not match the service's %d errors and %d rejections", c.Failures, s.Errors, s.Rejected)
	}
	near(t, "wasted work: half of each 10s call, on average", s.WastedWorkS, float64(s.Errors)*2.5, 0.1)
}

// When a caller gives up, the callee does not know: its work goes on and is
// counted as wasted.
func TestAbandonedWorkIsWasted(t *testing.T) {
	r := run(t, `
duration = "100s"
[client.c]
target = "s"
rate = 10
timeout = "1s"
[service.s]
workers = 100
service_time = "3s"
`)
	s := r.Summary.Components["s"]
	// Every call outlives the 1s timeout; those of the last second are still
	// waiting for theirs when the run ends.
	near(t, "timed out", float64(s.TimedOut), float64(s.Arrivals), 0.02)
	near(t, "wasted work", s.WastedWorkS, 3*float64(s.Completed), 1e-9)
	if r.Summary.Clients.Succeeded != 0 {
		t.Errorf("%d requests succeeded", r.Summary.Clients.Succeeded)
	}
}

// A database timeout bounds a query's whole stay, waiting included: queued
// queries past it are dropped, running ones cut off.
func TestDatabaseTimeoutBoundsTheStay(t *testing.T) {
	r := run(t, `
duration = "60s"
[client.c]
target = "db"
rate = 200
[database.db]
connections = 1
query_time = "10ms"
timeout = "500ms"
`)
	db := r.Summary.Components["db"]
	if db.Latency.Max > 0.5005 {
		t.Errorf("a query stayed %gs, beyond the 500ms timeout", db.Latency.Max)
	}
	if got := db.Errors + db.Completed + db.InFlight; got != db.Arrivals {
		t.Errorf("errors + completed + in flight = %d, arrivals %d", got, db.Arrivals)
	}
	// Overloaded FIFO with a timeout: queries reach the connection with
	// little time left and are cut off, so goodput falls below capacity.
	if rate := float64(db.Completed) / 60; rate >= 100 || rate == 0 {
		t.Errorf("%.1f completions/s; one 10ms connection cut off by timeouts should complete some, below 100/s", rate)
	}
}

// The overall deadline bounds a logical request however many attempts and
// backoffs it takes.
func TestDeadlineBoundsTheLogicalRequest(t *testing.T) {
	r := run(t, `
duration = "60s"
[client.c]
target = "s"
rate = 100
timeout = "300ms"
deadline = "1s"
retry = { max_attempts = 10, backoff = "constant", base = "150ms" }
[service.s]
workers = 100
service_time = "2s"
`)
	c := r.Summary.Clients
	if c.Latency.Max > 1.0005 || c.Latency.P50 < 0.999 {
		t.Errorf("logical latency p50 %g, max %g: every request should end at the 1s deadline", c.Latency.P50, c.Latency.Max)
	}
	// Attempts at 0, 0.45, 0.9 (300ms try + 150ms backoff), the third cut by the deadline.
	near(t, "attempts per request", float64(c.Attempts)/float64(c.LogicalRequests), 3, 0.01)
}

// Load-dependent slowdown: with N queries always in service, each takes
// base*(1 + sigma(N-1) + kappa N(N-1)) + linear*N, so throughput follows the
// Universal Scalability Law.
func TestSlowdownFollowsUSL(t *testing.T) {
	for _, n := range []int{1, 8, 32} {
		r := run(t, fmt.Sprintf(`
duration = "100s"
[client.users]
target = "db"
users = %d
[database.db]
connections = 100
query_time = "10ms"
slowdown = { sigma = 0.05, kappa = 0.001, linear = "0.1ms" }
`, n))
		N := float64(n)
		perQuery := 0.010*(1+0.05*(N-1)+0.001*N*(N-1)) + 0.0001*N
		near(t, fmt.Sprintf("throughput at N=%d", n), float64(r.Summary.Clients.Succeeded)/100, N/perQuery, 0.01)
	}
}
