package sim_test

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/metrics"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/sim/validation"
	"github.com/failsim/failsim/topology/scenariofile"
)

// fanout is a client sending rate requests a second to a front end that
// does no work of its own and makes one group step, step (scatter, with
// to = "leaf" unless it says otherwise), to the n instances of leaf
// (exponential service of mean 10ms, workers enough that nothing queues);
// more is added to the file.
func fanout(rate float64, n int, step, more string) string {
	if !strings.HasPrefix(step, "parallel") {
		step = "to = \"leaf\"\n" + step
	}
	return fmt.Sprintf(`
duration = "300s"
[metrics]
bucket = "10s"
[client.c]
target = "front"
rate = %g
[service.front]
workers = 10000
service_time = "0s"
[[service.front.call]]
%s
[service.leaf]
instances = %d
workers = 200
service_time = { dist = "exponential", mean = "10ms" }
%s`, rate, step, n, more)
}

// A request that waits for its calls is as slow as the one its join waits
// for: the slowest of n (mean H_n/mu), the k-th fastest for a quorum
// (sum over i from n-k+1 to n of 1/(i mu)), the fastest for any.
func TestJoinsFollowOrderStatistics(t *testing.T) {
	slow(t)
	const mu = 100.0 // leaves serve in 10ms on average
	for _, tc := range []struct {
		name string
		n    int
		step string
		want float64
	}{
		{"all of 10", 10, `scatter = "all"`, validation.KthFastest(10, 10, mu)},
		{"quorum 3 of 5", 5, "scatter = \"all\"\njoin = \"quorum\"\nquorum = 3", validation.KthFastest(3, 5, mu)},
		{"any of 5, the others cancelled", 5, "scatter = \"all\"\njoin = \"any\"\ncancel = true", validation.KthFastest(1, 5, mu)},
		{"all of 3 picked from 8", 8, `scatter = 3`, validation.Harmonic(3) / mu},
		{"parallel: all of a scatter of 4 and one more", 4, "parallel = [{ to = \"leaf\", scatter = \"all\" }, { to = \"one\" }]",
			validation.Harmonic(5) / mu},
	} {
		t.Run(tc.name, func(t *testing.T) {
			more := "[service.one]\nworkers = 200\nservice_time = { dist = \"exponential\", mean = \"10ms\" }\n"
			r := run(t, fanout(200, tc.n, tc.step, more))
			near(t, "mean latency", r.Summary.Components["c"].MeanResponseS, tc.want, 0.015)
		})
	}
}

// With each call slow with probability p, a request waiting for n of them
// is slow with probability 1 - (1-p)^n: the tail of one leaf becomes the
// common case of the front end. Hedging each call after the leaves' p95
// brings the front end's tail back to about the leaves' own, for a few
// percent more calls.
func TestFanoutTurnsARareTailIntoTheCommonCase(t *testing.T) {
	slow(t)
	const n = 20
	// 5% of calls take 100ms, the others 1ms.
	leaf := `{ dist = "empirical", percentiles = { min = "1ms", p95 = "1ms", p9501 = "100ms", max = "100ms" } }`
	src := func(step string) string {
		return fmt.Sprintf(`
duration = "300s"
[metrics]
bucket = "10s"
[client.c]
target = "front"
rate = 300
[service.front]
workers = 10000
service_time = "0s"
[[service.front.call]]
to = "leaf"
scatter = "all"
%s
[service.leaf]
instances = %d
workers = 200
service_time = %s
[[slo]]
target = "c"
objective = 0.9
latency = "50ms"
`, step, n, leaf)
	}
	sc, err := scenariofile.Parse("t.toml", []byte(src("")), "")
	if err != nil {
		t.Fatal(err)
	}
	p := sc.Components[sc.Components[0].Client.Target+2].Server.Work.ExceedProbability(0.050)
	plain := run(t, src(""))
	slowFraction := plain.Summary.SLOs[0].ErrorRatio
	want := validation.FanoutSlow(p, n)
	if math.Abs(slowFraction-want) > 0.005 {
		t.Errorf("%.2f%% of requests slower than 50ms, want 1 - (1-%.4f)^%d = %.2f%%", 100*slowFraction, p, n, 100*want)
	}
	// Hedged after 2ms, a call is slow only when both its copies are: p².
	hedged := run(t, src(`hedge = { max_attempts = 2, hedging_delay = "2ms" }`))
	front := hedged.Summary.Components["front"]
	extra := float64(front.Hedges) / float64(front.Arrivals*n)
	if got, want := hedged.Summary.SLOs[0].ErrorRatio, validation.FanoutSlow(p*p, n); math.Abs(got-want) > 0.003 {
		t.Errorf("hedged after 2ms: %.2f%% of requests slower than 50ms, want 1 - (1-p²)^%d = %.2f%%", 100*got, n, 100*want)
	}
	// A hedge goes when the first copy has not answered in 2ms: 5% of calls.
	if math.Abs(extra-p) > 0.003 {
		t.Errorf("hedging sent %.2f%% more calls, want the %.2f%% that are slow", 100*extra, 100*p)
	}
}

// How a group's runs end, against the binomial closed forms: each leaf
// fails one call in ten, independently.
func TestJoinOutcomesFollowTheBinomial(t *testing.T) {
	slow(t)
	const q = 0.9 // a call succeeds
	for _, tc := range []struct {
		name, step                      string
		joined, degraded, stale, failed float64
	}{
		{"all of 3", `scatter = "all"`, q * q * q, 0, 0, 1 - q*q*q},
		{"any of 3", "scatter = \"all\"\njoin = \"any\"", 1 - math.Pow(1-q, 3), 0, 0, math.Pow(1-q, 3)},
		{"quorum 2 of 3", "scatter = \"all\"\njoin = \"quorum\"\nquorum = 2", q*q*q + 3*q*q*(1-q), 0, 0, 3*q*(1-q)*(1-q) + math.Pow(1-q, 3)},
		{"quorum 2 of 3, stale accepted", "scatter = \"all\"\njoin = \"quorum\"\nquorum = 2\naccept_stale = true",
			q*q*q + 3*q*q*(1-q), 0, 3 * q * (1 - q) * (1 - q), math.Pow(1-q, 3)},
		{"all, every call optional", "scatter = \"all\"\noptional = true", q * q * q, 1 - q*q*q, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, fanout(400, 3, tc.step, "")+"error_rate = 0.1\n")
			j := r.Summary.Components["front"].Groups["leaf"]
			runs := float64(j.Joined + j.Degraded + j.Stale + j.Failed)
			for _, c := range []struct {
				what      string
				got, want float64
			}{{"joined", float64(j.Joined), tc.joined}, {"degraded", float64(j.Degraded), tc.degraded},
				{"stale", float64(j.Stale), tc.stale}, {"failed", float64(j.Failed), tc.failed}} {
				if got := c.got / runs; math.Abs(got-c.want) > 0.004 {
					t.Errorf("%s: %.4f of %.0f runs, want %.4f", c.what, got, runs, c.want)
				}
			}
			if got, want := r.Summary.Clients.Failed, j.Failed; got != want {
				t.Errorf("%d requests failed, want the %d runs whose join failed", got, want)
			}
		})
	}
}

// When the join is decided, the calls still running are stopped as a
// caller that gives up stops a call: left running, their work wasted, or
// cancelled (and then, with abort_on_cancel, stopped at once).
func TestCallsLeftBehindByAJoin(t *testing.T) {
	slow(t)
	any := "scatter = \"all\"\njoin = \"any\""
	left := run(t, fanout(100, 4, any, ""))
	cancelled := run(t, fanout(100, 4, any+"\ncancel = true", "abort_on_cancel = true\n"))
	for _, tc := range []struct {
		name    string
		stopped int64
	}{
		{"left running", left.Summary.Components["front"].Groups["leaf"].Left},
		{"cancelled", cancelled.Summary.Components["front"].Groups["leaf"].Cancelled},
	} {
		// Three of four calls are still running when the fastest answers.
		if got := float64(tc.stopped) / float64(left.Summary.Clients.Succeeded); math.Abs(got-3) > 0.01 {
			t.Errorf("%s: %.3f calls stopped per run, want 3", tc.name, got)
		}
	}
	// Left running, the three slower calls work their whole time for
	// nobody: all four calls' work, 4/mu, but the fastest's, 1/(4 mu).
	runs := float64(left.Summary.Clients.Succeeded)
	want := 0.010 * (4 - 1.0/4) * runs
	near(t, "wasted work, left running", sumWasted(left.Summary.Components), want, 0.03)
	// Cancelled with abort_on_cancel, each stops when the fastest answers:
	// three times the first answer's time, 3 x 1/(4 mu), is wasted.
	near(t, "wasted work, cancelled", sumWasted(cancelled.Summary.Components), 3*0.010/4*runs, 0.03)
	if c := sumCancelled(cancelled.Summary.Components); float64(c) < 2.99*runs {
		t.Errorf("%d leaf calls cancelled, want 3 per run (%.0f runs)", c, runs)
	}
}

func sumWasted(cs map[string]results.Component) float64 {
	var w float64
	for _, c := range cs {
		w += c.WastedWorkS
	}
	return w
}

func sumCancelled(cs map[string]results.Component) int64 {
	var n int64
	for name, c := range cs {
		if name != "c" && name != "front" {
			n += c.Cancelled
		}
	}
	return n
}

// fanoutStress puts every mechanism inside groups, under faults, in
// overload: crashes of the front end and of replicas with groups in flight,
// cancellation, deadlines, hedges, retries, breakers, fallbacks and writes
// on members, join timeouts, quorums, request classes with a queue by
// criticality and class bulkheads.
const fanoutStress = `
duration = "20s"
[client.web]
target = "lb"
rate = 800
timeout = "300ms"
retry = { max_attempts = 3, base = "10ms" }
propagate_deadline = true
cancel = true
[client.web.operation.read]
weight = 5
criticality = "sheddable"
[client.web.operation.write]
weight = 1
criticality = "critical_plus"
deadline = "1s"
path.front = { steps = ["store"], service_time = "2ms" }
[load_balancer.lb]
targets = ["front"]
retry_policy = { num_retries = 1, per_try_timeout = "200ms" }
cancel = true
[service.front]
instances = 2
workers = 40
service_time = { dist = "exponential", mean = "1ms" }
queue = { capacity = 50, by_criticality = true }
concurrency_limit = { kind = "aimd", initial_limit = 60 }
class_bulkheads = { read = 30 }
abort_on_cancel = true
[[service.front.call]]
name = "leaves"
to = "leaf"
scatter = 4
join = "quorum"
quorum = 3
accept_stale = true
join_timeout = "120ms"
timeout = "80ms"
cancel = true
propagate_deadline = true
hedge = { max_attempts = 2, hedging_delay = "20ms", non_fatal = ["error", "rejected"] }
[[service.front.call]]
name = "extras"
join = "all"
join_timeout = "100ms"
bulkhead = 20
parallel = [
  { to = "leaf", scatter = "all", optional = true, timeout = "50ms", retry = { max_attempts = 2, base = "5ms" }, breaker = { minimum_number_of_calls = 20, sliding_window_size = 20, wait_duration_in_open_state = "1s" } },
  { to = "side", fallback = { latency = "1ms" }, timeout = "30ms" },
]
[[service.front.call]]
name = "store"
to = "db"
scatter = "all"
join = "quorum"
quorum = 2
write = "non_idempotent"
timeout = "100ms"
retry = { max_attempts = 2, base = "5ms" }
[service.leaf]
instances = 5
workers = 4
service_time = { dist = "lognormal", median = "5ms", p99 = "60ms" }
error_rate = 0.02
queue = { capacity = 20, by_criticality = true }
[service.side]
workers = 5
service_time = { dist = "exponential", mean = "10ms" }
[service.db]
instances = 3
workers = 10
service_time = { dist = "exponential", mean = "3ms" }
idempotency_keys = { ttl = "10s" }
[[fault]]
target = "leaf-2"
kind = "crash"
at = "3s"
for = "2s"
[[fault]]
target = "front-1"
kind = "crash"
at = "6s"
for = "1s"
[[fault]]
target = "leaf"
kind = "slowdown"
factor = 8
at = "9s"
for = "4s"
[[fault]]
target = "db-3"
kind = "crash"
at = "12s"
for = "3s"
[[fault]]
target = "db-2"
kind = "crash"
at = "13s"
for = "1s"
[[fault]]
target = "web"
kind = "load-spike"
factor = 3
at = "15s"
for = "3s"
`

// However the calls of groups end, every book balances: the engine checks
// its invariants at every bucket.
func TestGroupsKeepTheBooksUnderFaults(t *testing.T) {
	sc, err := scenariofile.Parse("stress.toml", []byte(fanoutStress), "")
	if err != nil {
		t.Fatal(err.(scenariofile.Errors).Pretty())
	}
	for seed := uint64(1); seed <= 3; seed++ {
		r, err := sim.Run(context.Background(), sc, sim.Options{Seed: seed, Debug: true})
		if err != nil {
			t.Fatal(err)
		}
		front := r.Summary.Components["front-1"]
		for _, g := range []string{"leaves", "extras", "store"} {
			if j := front.Groups[g]; j.Joined == 0 || j.Failed == 0 {
				t.Errorf("seed %d: group %s: %+v; the test wants joins and failures", seed, g, j)
			}
		}
	}
}

// A fan-out allocates nothing per call it makes: members and calls are
// records from the free list, joins are indexed by record, timers join
// their Delay. Between 20 seconds and two minutes of tail-at-scale's
// hedged variant (10,000 leaf calls a second, and hedges), with one bucket
// for the whole run so that the series does not grow either, the
// allocations stay the same, but for the latency histograms' growth as they
// meet new values: bounded, metrics.MaxAllocations each over a run, and
// not per call.
func TestFanoutAllocatesNothingPerCall(t *testing.T) {
	slow(t)
	for _, tc := range []struct{ file, variant string }{
		{"tail-at-scale", "hedged"},
		{"tail-at-scale", "partial-results"},
		{"quorum", "stale-reads"},
		{"mixed-traffic", "criticality"},
	} {
		t.Run(tc.file+"/"+tc.variant, func(t *testing.T) {
			sc, err := scenariofile.Load("../scenarios/"+tc.file+".toml", tc.variant)
			if err != nil {
				t.Fatal(err)
			}
			histograms := 0
			mallocs := func(d time.Duration) (allocs, calls uint64) {
				c := *sc
				c.Duration, c.Metrics.Bucket = d, 2*time.Minute
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				r := mustRun(t, &c, 1)
				runtime.ReadMemStats(&after)
				for _, k := range r.Summary.Components {
					calls += uint64(k.Arrivals)
				}
				histograms = 2 * (len(r.Summary.Components) + len(r.Summary.Clients.Classes)) // a bucket's and the run's, each
				return after.Mallocs - before.Mallocs, calls
			}
			shortAllocs, shortCalls := mallocs(20 * time.Second)
			longAllocs, longCalls := mallocs(2 * time.Minute)
			growth := float64(histograms * metrics.MaxAllocations)
			perCall := max(0, float64(longAllocs)-float64(shortAllocs)-growth) / float64(longCalls-shortCalls)
			t.Logf("20s: %d allocations for %d calls; 2m: %d for %d; %.6f per extra call beyond %d histograms' growth", shortAllocs, shortCalls, longAllocs, longCalls, perCall, histograms)
			if perCall > 0.0001 {
				t.Errorf("%.6f allocations per call in steady state, want none", perCall)
			}
		})
	}
}

// fraction and bulkhead on a group apply to the step as a whole: half the
// runs make it, and at most so many jobs are in it at once.
func TestAGroupStepHasAFractionAndABulkhead(t *testing.T) {
	r := run(t, fanout(100, 3, "scatter = \"all\"\nfraction = 0.5\nbulkhead = 2", ""))
	front := r.Summary.Components["front"]
	runs := front.Groups["leaf"]
	made := runs.Joined + runs.Degraded + runs.Stale + runs.Failed
	if share := float64(made) / float64(front.Arrivals); math.Abs(share-0.5) > 0.01 {
		t.Errorf("%.3f of the front end's calls ran the group, want half", share)
	}
	// 50 runs a second of about 18ms (the slowest of three 10ms calls) keep
	// about one job in the step: a bulkhead of 2 refuses some.
	if front.BulkheadRejected == 0 || runs.Failed != front.BulkheadRejected {
		t.Errorf("%d runs refused by the bulkhead, %d failed; want some, and the same", front.BulkheadRejected, runs.Failed)
	}
	if r.Series.Get("front", "bulkhead_in_use.leaf") == nil {
		t.Error("no bulkhead_in_use.leaf column")
	}
	for i := 1; i <= 3; i++ { // runs still in the step when the run ended are not counted yet
		if got, want := r.Summary.Components[fmt.Sprintf("leaf-%d", i)].Arrivals, made-runs.Failed; got < want || got > want+front.InFlight {
			t.Errorf("leaf-%d: %d calls, want one per run that got in, %d (and %d in flight)", i, got, want, front.InFlight)
		}
	}
}
