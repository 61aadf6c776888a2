package validation

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// Row is a check's verdict: the closed form, the mean of the simulated
// values over the seeds with its 95% confidence interval, and whether the
// mean is within the tolerance.
type Row struct {
	Check
	Theory    float64
	Simulated results.Estimate
	Pass      bool
}

// Error is the simulated mean minus the theory, as a fraction of the theory.
func (r *Row) Error() float64 { return (r.Simulated.Mean - r.Theory) / math.Abs(r.Theory) }

// Covered reports whether the 95% interval contains the theory.
func (r *Row) Covered() bool {
	return r.Simulated.Lo != nil && *r.Simulated.Lo <= r.Theory && r.Theory <= *r.Simulated.Hi
}

// Loader loads a check's scenario: scenarios.Parse loads the shipped ones.
type Loader func(scenario, variant string) (*topology.Scenario, error)

// Run runs every scenario of the checks once per seed, as many at once as
// par runs them, and judges each check. The rows depend only on the seeds,
// not on how many runs go at once or on the order they finish.
func Run(ctx context.Context, checks []Check, load Loader, seeds []uint64, par experiment.Parallel) ([]Row, error) {
	type key struct{ scenario, variant string }
	var keys []key
	loaded := map[key]*topology.Scenario{}
	for _, c := range checks {
		k := key{c.Scenario, c.Variant}
		if _, ok := loaded[k]; ok {
			continue
		}
		sc, err := load(c.Scenario, c.Variant)
		if err != nil {
			return nil, err
		}
		loaded[k] = sc
		keys = append(keys, k)
	}

	summaries := make([][]*results.Summary, len(keys))
	for i := range keys {
		summaries[i] = make([]*results.Summary, len(seeds))
	}
	errs := make([]error, len(keys)*len(seeds))
	par(len(errs), func(i int) {
		k, s := i/len(seeds), i%len(seeds)
		r, err := sim.Run(ctx, loaded[keys[k]], sim.Options{Seed: seeds[s]})
		switch {
		case err != nil:
		case r.Summary.Incomplete && ctx.Err() != nil:
			err = context.Cause(ctx)
		case r.Summary.Incomplete:
			err = fmt.Errorf("%s, seed %d: %s", keys[k].scenario, seeds[s], r.Summary.StopReason)
		default:
			summaries[k][s] = &r.Summary
		}
		errs[i] = err
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}

	rows := make([]Row, len(checks))
	for i, c := range checks {
		k := key{c.Scenario, c.Variant}
		theory, err := c.theory(newParams(loaded[k]))
		if err != nil {
			return nil, err
		}
		values := make([]float64, len(seeds))
		for s, sum := range summaries[slices.Index(keys, k)] {
			values[s] = c.measure(sum)
		}
		est := results.MeanInterval(values)
		rows[i] = Row{Check: c, Theory: theory, Simulated: est,
			Pass: math.Abs(est.Mean-theory) <= c.tolerance(theory)}
	}
	return rows, nil
}
