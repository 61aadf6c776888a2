package validation

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/failsim/failsim/scenarios"
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
	Simulated experiment.Estimate
	Pass      bool
}

// Error is the simulated mean minus the theory, as a fraction of the theory.
func (r *Row) Error() float64 { return (r.Simulated.Mean - r.Theory) / math.Abs(r.Theory) }

// Covered reports whether the 95% interval contains the theory.
func (r *Row) Covered() bool {
	return r.Simulated.Lo != nil && *r.Simulated.Lo <= r.Theory && r.Theory <= *r.Simulated.Hi
}

// Run runs every scenario of the checks once per seed, on workers
// goroutines, and judges each check. The rows depend only on the seeds, not
// on workers or on the order runs finish.
func Run(ctx context.Context, checks []Check, seeds []uint64, workers int) ([]Row, error) {
	type key struct{ scenario, variant string }
	var keys []key
	loaded := map[key]*topology.Scenario{}
	for _, c := range checks {
		k := key{c.Scenario, c.Variant}
		if _, ok := loaded[k]; ok {
			continue
		}
		src, err := scenarios.FS.ReadFile(c.Scenario)
		if err != nil {
			return nil, err
		}
		sc, err := topology.ParseFS(scenarios.Dir(c.Scenario), "scenarios/"+c.Scenario, src, c.Variant)
		if err != nil {
			return nil, err
		}
		loaded[k] = sc
		keys = append(keys, k)
	}

	type job struct{ scenario, seed int }
	summaries := make([][]*results.Summary, len(keys))
	jobs := make(chan job)
	errs := make([]error, len(keys)*len(seeds))
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for j := range jobs {
				r, err := sim.Run(ctx, loaded[keys[j.scenario]], sim.Options{Seed: seeds[j.seed]})
				switch {
				case err != nil:
				case r.Summary.Incomplete && ctx.Err() != nil:
					err = context.Cause(ctx)
				case r.Summary.Incomplete:
					err = fmt.Errorf("%s, seed %d: %s", keys[j.scenario].scenario, seeds[j.seed], r.Summary.StopReason)
				default:
					summaries[j.scenario][j.seed] = &r.Summary
				}
				errs[j.scenario*len(seeds)+j.seed] = err
			}
		})
	}
	for i := range keys {
		summaries[i] = make([]*results.Summary, len(seeds))
	}
	for i := range keys {
		for s := range seeds {
			jobs <- job{i, s}
		}
	}
	close(jobs)
	wg.Wait()
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
		est := experiment.MeanInterval(values)
		rows[i] = Row{Check: c, Theory: theory, Simulated: est,
			Pass: math.Abs(est.Mean-theory) <= c.tolerance(theory)}
	}
	return rows, nil
}
