package trace

import (
	"context"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/traces"
)

// Replay runs sc with seed and reads the spans of at most max requests
// started in [from, to) back through the trace importer, exactly as it
// read the real system's: the simulated model to set against the observed
// one (traces.Fit).
func Replay(ctx context.Context, sc *topology.Scenario, seed uint64, from, to time.Duration, max int) (*traces.Model, error) {
	reqs, _, err := SampleAll(ctx, sc, sim.Options{Seed: seed}, max, Filter{From: from, To: to})
	if err != nil {
		return nil, err
	}
	spans := Spans(sc, seed, reqs)
	ptrs := make([]*Span, len(spans))
	for i := range spans {
		ptrs[i] = &spans[i]
	}
	r := traces.NewReader()
	if err := r.AddTraces("simulated "+sc.Name, OTLP(ptrs)); err != nil {
		return nil, err
	}
	return r.Infer()
}
