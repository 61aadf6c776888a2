//go:build long

package demo

import (
	"bytes"
	"context"
	"math"
	"testing"
	"time"

	"github.com/failsim/failsim/sim/trace"
	"github.com/failsim/failsim/topology/scenariofile"
	"github.com/failsim/failsim/topology/traces"
)

// The loop of docs/calibration.md, on loopback, in about 70 seconds: run the
// real system in steady state and import its traces; the replayed scenario
// fits every operation; then slow the store tenfold for ten seconds in the
// real system and in the calibrated simulation, and compare what a user
// and the store see.
//
// Tolerances, and why: the success ratio within 5 points and store calls
// per request within 10% (the retry spiral's size depends on how many
// requests arrive in the window: at 100/s, ±3% Poisson noise over 1000
// requests, and on the store's draws); p50 within 20% and p99 within 30%
// (sleep and scheduling jitter of a loaded 2-core host adds up to a
// millisecond or two to every hop, and a p99 of ~4000 requests rests on
// 40 of them).
func TestLongRealAgainstSimulatedUnderFault(t *testing.T) {
	ctx := context.Background()
	cfg := Defaults()
	cfg.Duration = 20 * time.Second
	var steady bytes.Buffer
	cfg.Traces = &steady
	if _, err := Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	m, w, _, err := Import(steady.Bytes(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenariofile.Parse("demo.toml", w.TOML, "")
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = 5*time.Second + 200*time.Second
	simulated, err := trace.Replay(ctx, sc, 1, 5*time.Second, sc.Duration, 20000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range traces.Fit(m, w, simulated) {
		t.Logf("fit %-8s obs p50 %.1fms p99 %.1fms  sim p50 %.1fms p99 %.1fms  %s %s", r.Component,
			r.Observed.P50*1e3, r.Observed.P99*1e3, r.Simulated.P50*1e3, r.Simulated.P99*1e3, r.Verdict, r.Why)
		if r.Verdict != "ok" {
			t.Errorf("%s does not fit its traces: %s", r.Component, r.Why)
		}
	}

	cfg.Traces = nil
	cfg.Duration = 40 * time.Second
	cfg.Fault = Fault{At: 15 * time.Second, For: 10 * time.Second, Factor: 10}
	real, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	faulty := append(append([]byte{}, w.TOML...), Calibrated(cfg)...)
	sim, err := Simulate(ctx, faulty, cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := real.Outcome()
	t.Logf("real:      success %.1f%%  store calls/request %.3f  p50 %s  p99 %s", 100*r.SuccessRatio, r.Amplification, r.P50, r.P99)
	t.Logf("simulated: success %.1f%%  store calls/request %.3f  p50 %s  p99 %s", 100*sim.SuccessRatio, sim.Amplification, sim.P50, sim.P99)
	if d := math.Abs(sim.SuccessRatio - r.SuccessRatio); d > 0.05 {
		t.Errorf("success ratio: simulated %.3f, real %.3f", sim.SuccessRatio, r.SuccessRatio)
	}
	rel := func(name string, s, x, tol float64) {
		if math.Abs(s-x) > tol*x {
			t.Errorf("%s: simulated %.4g, real %.4g, more than %.0f%% apart", name, s, x, 100*tol)
		}
	}
	rel("store calls per request", sim.Amplification, r.Amplification, 0.10)
	rel("p50", sim.P50.Seconds(), r.P50.Seconds(), 0.20)
	rel("p99", sim.P99.Seconds(), r.P99.Seconds(), 0.30)
}
