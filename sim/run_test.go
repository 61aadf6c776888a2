package sim_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
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
