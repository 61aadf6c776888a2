package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Side is one arm of a comparison: a scenario and the label it goes by.
type Side struct {
	Label string
	Config
}

// BaseName names a file's base among its variants, in lists and labels.
const BaseName = "base"

// VariantSides returns the sides that compare variants of the file of c (its
// base, with c's settings): the named ones in order (BaseName for the base),
// or the base and then every variant.
func VariantSides(c Config, variants []string) ([]Side, error) {
	c.Variant = ""
	if len(variants) == 0 {
		sc, err := Config{File: c.File, Source: c.Source, Dir: c.Dir}.load()
		if err != nil {
			return nil, err
		}
		variants = append([]string{BaseName}, sc.Variants...)
	}
	var sides []Side
	for i, v := range variants {
		if slices.Contains(variants[:i], v) {
			return nil, results.InputError(fmt.Sprintf("variant %q is given twice", v))
		}
		s := Side{Label: v, Config: c}
		if v != BaseName {
			s.Variant = v
		}
		sides = append(sides, s)
	}
	return sides, nil
}

// FileSides returns the sides that compare files, labelled by file name
// (by path when two files share a name).
func FileSides(cs []Config) []Side {
	sides := make([]Side, len(cs))
	stems := make([]string, len(cs))
	for i, c := range cs {
		stems[i] = strings.TrimSuffix(filepath.Base(c.File), filepath.Ext(c.File))
		sides[i] = Side{Label: stems[i], Config: c}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(stems)))) < len(stems) {
		for i := range sides {
			sides[i].Label = cs[i].File
		}
	}
	return sides
}

// MaxComparedValues bounds the time series a comparison keeps, over all
// its runs, to draw each side's mean: 8 bytes each.
const MaxComparedValues = 50_000_000

// Comparison runs sides on the same seeds. The first side is the
// reference: every other is judged against it.
type Comparison struct {
	sides     []Side
	scenarios []*topology.Scenario
	seeds     []uint64
}

// NewComparison validates every side, running nothing: a mistake in any of
// them is reported (as scenariofile.Errors) before the first run starts.
func NewComparison(sides []Side, seeds []uint64) (*Comparison, error) {
	configs := make([]Config, len(sides))
	for i, s := range sides {
		configs[i] = s.Config
	}
	scs, err := loadAll(configs)
	if err != nil {
		return nil, err
	}
	if len(sides) < 2 {
		return nil, results.InputError(fmt.Sprintf("a comparison needs two sides or more, got %d", len(sides)))
	}
	if err := keepable(scs, len(seeds)); err != nil {
		return nil, err
	}
	return &Comparison{sides: sides, scenarios: scs, seeds: seeds}, nil
}

// keepable refuses a comparison whose runs' time series, all kept until
// the end to draw each side's mean, would pass MaxComparedValues.
func keepable(scs []*topology.Scenario, seeds int) error {
	var kept int64
	for _, sc := range scs {
		kept += int64(seeds) * sim.SeriesValues(sc)
	}
	if kept > MaxComparedValues {
		return results.InputError(fmt.Sprintf("a comparison keeps every run's time series to draw each side's mean: %d sides × %d seeds hold %d values, more than %d (about %d MB): use fewer seeds, or a longer [metrics] bucket",
			len(scs), seeds, kept, MaxComparedValues, MaxComparedValues*8>>20))
	}
	return nil
}

// Metrics lists the metrics the runs will have, for checking --fail-if
// before anything runs.
func (c *Comparison) Metrics() []results.Metric { return metricsOfScenarios(c.scenarios) }

// Runs is the number of runs: sides × seeds.
func (c *Comparison) Runs() int { return len(c.sides) * len(c.seeds) }

// Run runs every side on every seed, as many at once as par runs them,
// calling progress after each run. Cancelling ctx stops it with ctx's error.
func (c *Comparison) Run(ctx context.Context, par Parallel, progress func(done, total int)) (*results.CompareResult, error) {
	return c.RunToPrecision(ctx, par, progress, Precision{})
}

// Precision is a stopping rule on how precise the key outcomes are, as JMT
// has: after the comparison's seeds, more seeds run until every side's 95%
// interval of each precision outcome (success rate, goodput, p99 latency,
// wasted work) is within RelativeHalfWidth of its mean, or MaxSeeds have
// run. The zero Precision runs the seeds given and stops.
type Precision struct {
	RelativeHalfWidth float64
	MaxSeeds          int
}

// precisionOutcomes are the outcomes the stopping rule watches: means, whose
// intervals shrink as seeds are added.
var precisionOutcomes = []string{"success_rate", "goodput", "p99", "wasted_work"}

// RunToPrecision is Run with a stopping rule: the seeds after the given ones
// continue them (seed+1, seed+2...), so the result is what Run with the
// final seeds gives, byte for byte. The seeds are added in rounds, each
// sized by how far the worst interval is from the target (a 95% half-width
// shrinks as 1/√n), at least one seed and at most four times as many as ran.
func (c *Comparison) RunToPrecision(ctx context.Context, par Parallel, progress func(done, total int), p Precision) (*results.CompareResult, error) {
	if p.RelativeHalfWidth > 0 {
		if err := keepable(c.scenarios, p.MaxSeeds); err != nil {
			return nil, err
		}
	}
	seeds := slices.Clone(c.seeds)
	outcomes := make([][]*results.Outcome, len(c.sides))
	runs := make([][]*results.Run, len(c.sides))
	done, target := 0, len(seeds)
	for round := seeds; ; {
		if err := c.runSeeds(ctx, par, round, outcomes, runs, func() {
			done++
			if progress != nil {
				progress(done, len(c.sides)*target)
			}
		}); err != nil {
			return nil, err
		}
		res, err := c.result(seeds, outcomes, runs)
		if err != nil || p.RelativeHalfWidth <= 0 {
			return res, err
		}
		worst := imprecision(res.Metrics, labels(res.Sides), p.RelativeHalfWidth)
		res.Precision = &results.Precision{Target: p.RelativeHalfWidth, MaxSeeds: p.MaxSeeds, Reached: worst.Ratio <= 1, Worst: worst}
		if worst.Ratio <= 1 || len(seeds) >= p.MaxSeeds {
			return res, nil
		}
		n := len(seeds)
		target = min(p.MaxSeeds, max(n+1, min(4*n, int(math.Ceil(float64(n)*worst.Ratio*worst.Ratio)))))
		round = nil
		for i := n; i < target; i++ {
			round = append(round, seeds[n-1]+uint64(i-n+1))
		}
		seeds = append(seeds, round...)
	}
}

// imprecision finds the interval farthest from the target: Ratio is its
// relative half-width over the target (at most 1 when every one is
// precise enough). An outcome whose mean is zero is precise when its
// interval is (every seed zero) and as imprecise as can be otherwise.
func imprecision(ms []results.MetricResult, groups []string, target float64) results.Imprecise {
	var worst results.Imprecise
	for _, m := range ms {
		if !slices.Contains(precisionOutcomes, m.Name) {
			continue
		}
		for g, e := range m.Estimates {
			if e == nil || e.Lo == nil {
				continue
			}
			rel := 0.0
			switch hw := e.HalfWidth(); {
			case hw == 0:
			case e.Mean == 0:
				rel = math.Inf(1)
			default:
				rel = hw / math.Abs(e.Mean)
			}
			if r := rel / target; r > worst.Ratio {
				worst = results.Imprecise{Metric: m.Name, Side: groups[g], Ratio: r}
				if !math.IsInf(rel, 0) {
					worst.RelativeHalfWidth = &rel
				}
			}
		}
	}
	return worst
}

func labels(sides []results.SideResult) []string {
	out := make([]string, len(sides))
	for i, s := range sides {
		out[i] = s.Label
	}
	return out
}

// runSeeds runs every side on seeds and appends their outcomes and runs,
// in seed order whatever order they finish in.
func (c *Comparison) runSeeds(ctx context.Context, par Parallel, seeds []uint64, outcomes [][]*results.Outcome, runs [][]*results.Run, ran func()) error {
	n := len(seeds)
	configs := make([]Config, len(c.sides))
	var jobs []job
	for i, s := range c.sides {
		configs[i] = s.Config
		for r, seed := range seeds {
			jobs = append(jobs, job{index: i*n + r, config: i, seed: seed})
		}
	}
	os := make([]*results.Outcome, len(jobs))
	rs := make([]*results.Run, len(jobs))
	err := execute(ctx, func(i int) Config { return configs[i] }, jobs, par, true, func(f finished) error {
		os[f.index], rs[f.index] = &f.outcome, f.run
		ran()
		return nil
	})
	if err != nil {
		return err
	}
	for i := range c.sides {
		outcomes[i] = append(outcomes[i], os[i*n:(i+1)*n]...)
		runs[i] = append(runs[i], rs[i*n:(i+1)*n]...)
	}
	return nil
}

// result summarises the sides' outcomes over seeds.
func (c *Comparison) result(seeds []uint64, outcomes [][]*results.Outcome, runs [][]*results.Run) (*results.CompareResult, error) {
	res := &results.CompareResult{Format: results.FormatVersion, Seeds: slices.Clone(seeds), Runs: runs}
	labels := make([]string, len(c.sides))
	for i, s := range c.sides {
		labels[i] = s.Label
		pooled, err := results.PooledLatency(outcomes[i])
		if err != nil {
			return nil, err
		}
		sc := c.scenarios[i]
		res.Sides = append(res.Sides, results.SideResult{
			Label: s.Label, File: s.File, Scenario: sc.Name, Variant: s.Variant,
			SHA256: hash(s.Source), Settings: settingStrings(s.Settings),
			SimSeconds: sc.Duration.Seconds(), PooledLatency: pooled,
		})
	}
	res.Metrics = results.Summarise(outcomes, 0)
	res.Verdicts = results.Verdicts(res.Metrics, labels, 0)
	res.Ranking = results.Ranking(labels, res.Metrics)
	return res, nil
}

func hash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func settingStrings(sets []scenariofile.Setting) []string {
	out := make([]string, len(sets))
	for i, s := range sets {
		out[i] = s.Key + "=" + s.Value
	}
	return out
}
