package sim_test

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
)

// diverging offers 1000 requests/s to a server that serves 100/s, with no
// timeout and no queue limit: the queue grows by 900 a second for ever.
const diverging = `
name = "diverging"
duration = "1h"
[client.c]
target = "s"
rate = 1000
[service.s]
workers = 1
service_time = "10ms"
`

func TestARunawayStopsAtTheLimitWithItsResultsSoFar(t *testing.T) {
	sc, err := scenariofile.Parse("diverging.toml", []byte(diverging), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := sim.Run(context.Background(), sc, sim.Options{Seed: 1, MaxInFlight: 20_000})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary
	if !s.Incomplete || !strings.Contains(s.StopReason, "more than the limit of 20000") {
		t.Fatalf("incomplete %v, stop reason %q", s.Incomplete, s.StopReason)
	}
	// In flight: each queued request is a logical request and a call, so
	// the limit is passed after about 10000/900 s and seen within the next
	// 16384 events (about 8 s at 2000 events/s).
	if s.SimSeconds < 11 || s.SimSeconds > 25 {
		t.Errorf("stopped at %gs, want soon after 11s", s.SimSeconds)
	}
	if got := s.Components["s"].InFlight; got < 10_000 {
		t.Errorf("%d calls in the server when it stopped, want more than 10000", got)
	}
	if n := len(r.Series.Times); n != int(s.SimSeconds/s.BucketSeconds)+1 && n != int(s.SimSeconds/s.BucketSeconds) {
		t.Errorf("%d buckets for %gs of %gs buckets", n, s.SimSeconds, s.BucketSeconds)
	}
}

func TestACancelledRunStopsAndSaysSo(t *testing.T) {
	sc, err := scenariofile.Parse("diverging.toml", []byte(diverging), "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := sim.Run(ctx, sc, sim.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Summary; !s.Incomplete || !strings.HasPrefix(s.StopReason, "interrupted at t=") || s.SimSeconds >= 3600 {
		t.Fatalf("incomplete %v at %gs: %q", s.Incomplete, s.SimSeconds, s.StopReason)
	}
}

// Progress hears how far a run has come, in order, and changes nothing of
// what the run does.
func TestProgressWatchesWithoutTouching(t *testing.T) {
	sc, err := scenariofile.Load("../scenarios/validation/mm1.toml", "")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sim.Run(context.Background(), sc, sim.Options{Seed: 3, Fingerprint: true})
	if err != nil {
		t.Fatal(err)
	}
	var reached []time.Duration
	var events []uint64
	watched, err := sim.Run(context.Background(), sc, sim.Options{Seed: 3, Fingerprint: true,
		Progress: func(at time.Duration, n uint64) { reached, events = append(reached, at), append(events, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if watched.Fingerprint != plain.Fingerprint {
		t.Errorf("fingerprint %s with Progress, %s without", watched.Fingerprint, plain.Fingerprint)
	}
	if len(reached) < 10 || !slices.IsSorted(reached) || !slices.IsSorted(events) || reached[len(reached)-1] > sc.Duration {
		t.Errorf("%d reports, times %v...: want many, in order, within the run", len(reached), reached[:min(3, len(reached))])
	}
	if last := events[len(events)-1]; last > plain.Summary.Events {
		t.Errorf("reported %d events, the run had %d", last, plain.Summary.Events)
	}
}

// A warm-up leaves the start of the run out of every statistic of the
// summary, and changes nothing else: the same seed runs the same events
// and writes the same time series; the summary's totals are the series'
// sums over the buckets after the warm-up.
func TestWarmupLeavesTheStartOutOfTheSummary(t *testing.T) {
	const scenario = `duration = "200s"
[metrics]
bucket = "10s"
[client.users]
target = "api"
rate = 100
timeout = "1s"
retry = { max_attempts = 2 }
[service.api]
workers = 2
service_time = { dist = "exponential", mean = "15ms" }
[variant.warm]
metrics.warmup = "50s"
`
	run := func(variant string) *results.Run {
		sc, err := scenariofile.Parse("w.toml", []byte(scenario), variant)
		if err != nil {
			t.Fatal(err)
		}
		r, err := sim.Run(context.Background(), sc, sim.Options{Seed: 5, Debug: true, Fingerprint: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cold, warm := run(""), run("warm")
	if cold.Fingerprint != warm.Fingerprint {
		t.Fatal("the warm-up changed the events")
	}
	var a, b bytes.Buffer
	cold.Series.WriteCSV(&a)
	warm.Series.WriteCSV(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the warm-up changed the time series")
	}
	sumAfter := func(metric string) (n int64) {
		for i, v := range warm.Series.Get("users", metric) {
			if warm.Series.Times[i] >= 50 {
				n += int64(v)
			}
		}
		return n
	}
	w := warm.Summary
	if w.WarmupS != 50 || cold.Summary.WarmupS != 0 {
		t.Errorf("warmup_s %g and %g, want 50 and 0", w.WarmupS, cold.Summary.WarmupS)
	}
	if got, want := w.Clients.LogicalRequests, sumAfter("logical_requests"); got != want || got >= cold.Summary.Clients.LogicalRequests {
		t.Errorf("logical requests %d, want the %d issued after the warm-up", got, want)
	}
	if got, want := w.Clients.Succeeded, sumAfter("succeeded"); got != want {
		t.Errorf("succeeded %d, want %d", got, want)
	}
	if got, want := w.Clients.GoodputRPS, float64(w.Clients.Succeeded)/150; got != want {
		t.Errorf("goodput %g, want succeeded/150s = %g", got, want)
	}
	if got := w.Components["api"].Arrivals; got != sumAfter("arrivals") {
		t.Errorf("api arrivals %d, want the users' attempts after the warm-up, %d", got, sumAfter("arrivals"))
	}
	var q float64
	for i, v := range warm.Series.Get("api", "queue_mean") {
		if warm.Series.Times[i] >= 50 {
			q += v / 15 // fifteen buckets of 10s after the warm-up
		}
	}
	if got := w.Components["api"].MeanQueue; math.Abs(got-q) > 1e-9*q {
		t.Errorf("api mean queue %g, want the buckets' mean after the warm-up, %g", got, q)
	}
}

// A caller can watch a run as it goes: OnBucket hears of every bucket as it
// closes, in order, with the series as it stands, and the run's results are
// the same bytes as without it.
func TestOnBucketSeesEachBucketAsItClosesAndChangesNothing(t *testing.T) {
	sc, err := scenariofile.Parse("small.toml", []byte(`
duration = "20s"
[client.users]
target = "api"
rate = 50
timeout = "1s"
[service.api]
workers = 2
service_time = "10ms"
[[fault]]
target = "api"
kind = "slowdown"
factor = 30
at = "5s"
for = "5s"
`), "")
	if err != nil {
		t.Fatal(err)
	}
	var seen []float64 // the start of the last bucket at each call
	var arrivals []float64
	opts := sim.Options{Seed: 3, Fingerprint: true, OnBucket: func(s *results.Series) {
		seen = append(seen, s.Times[len(s.Times)-1])
		a := s.Get("users", "arrivals")
		if len(a) != len(s.Times) {
			t.Fatalf("at bucket %d the arrivals series has %d values", len(s.Times), len(a))
		}
		arrivals = append(arrivals, a[len(a)-1])
	}}
	watched, err := sim.Run(context.Background(), sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := watched.Series.Times; !slices.Equal(seen, want) {
		t.Fatalf("OnBucket saw buckets starting at %v, want one call per bucket %v", seen, want)
	}
	if want := watched.Series.Get("users", "arrivals"); !slices.Equal(arrivals, want) {
		t.Fatalf("values seen live %v differ from the results %v", arrivals, want)
	}
	opts.OnBucket = nil
	plain, err := sim.Run(context.Background(), sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	ws, wc, _ := watched.Encode()
	ps, pc, _ := plain.Encode()
	if watched.Fingerprint != plain.Fingerprint || !bytes.Equal(ws, ps) || !bytes.Equal(wc, pc) {
		t.Fatal("watching the run changed its events or its output")
	}
}
