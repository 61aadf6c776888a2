package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology/scenariofile"
	"github.com/failsim/failsim/topology/traces"
)

// Calibrated is the variant appended to an imported scenario: what the
// traces could not show (the store's workers, the gateway's timeout and
// attempts, that Go cancels a call whose caller gives up) set to the
// demo's configuration, and the fault. docs/calibration.md shows it.
func Calibrated(cfg Config) string {
	v := fmt.Sprintf(`
[variant.calibrated]
description = "the import's guesses set to the demo's configuration, and the fault"
service.store.workers = %d
service.gateway.workers = 100000 # Go's net/http serves each connection in a goroutine: no limit
service.api.workers = 100000

[[variant.calibrated.service.gateway.call]]
to = "api"
timeout = %q
retry = { max_attempts = %d, backoff = "none" }
cancel = true

[[variant.calibrated.service.api.call]]
to = "store"
cancel = true
`, cfg.StoreWorkers, cfg.GatewayTimeout.String(), cfg.GatewayAttempts)
	if f := cfg.Fault; f.Factor > 0 {
		v += fmt.Sprintf(`
[[variant.calibrated.fault]]
target = "store"
kind = "slowdown"
factor = %g
at = %q
for = %q
`, f.Factor, f.At.String(), f.For.String())
	}
	return v
}

// Outcome is what is compared between the real system and the simulation.
type Outcome struct {
	SuccessRatio  float64
	Amplification float64 // store calls per request
	P50, P99      time.Duration
}

// Outcome summarises a run of the real system as Simulate does a simulated one.
func (r *Result) Outcome() Outcome {
	return Outcome{r.SuccessRatio(), r.Amplification(), r.Quantile(.5), r.Quantile(.99)}
}

// Import reads the steady-state traces of the demo and writes the
// scenario, with the calibrated variant for cfg appended.
func Import(traceData []byte, cfg Config) (*traces.Model, *traces.Written, []byte, error) {
	r := traces.NewReader()
	if err := r.Read("demo-steady.jsonl", bytes.NewReader(traceData)); err != nil {
		return nil, nil, nil, err
	}
	m, err := r.Infer()
	if err != nil {
		return nil, nil, nil, err
	}
	w := m.Scenario("demo")
	return m, w, append(append([]byte{}, w.TOML...), Calibrated(cfg)...), nil
}

// Simulate runs the calibrated variant of the imported scenario for as
// long as cfg's load runs and summarises it as Result.Outcome does.
func Simulate(ctx context.Context, toml []byte, cfg Config, seed uint64) (Outcome, error) {
	sc, err := scenariofile.Parse("demo.toml", toml, "calibrated")
	if err != nil {
		return Outcome{}, err
	}
	sc.Duration = cfg.Duration
	res, err := sim.Run(ctx, sc, sim.Options{Seed: seed})
	if err != nil {
		return Outcome{}, err
	}
	c := res.Summary.Clients
	store := res.Summary.Components["store"]
	lat := c.Latency
	return Outcome{
		SuccessRatio:  float64(c.Succeeded) / float64(c.LogicalRequests),
		Amplification: float64(store.Arrivals) / float64(c.LogicalRequests),
		P50:           time.Duration(lat.P50 * float64(time.Second)),
		P99:           time.Duration(lat.P99 * float64(time.Second)),
	}, nil
}
