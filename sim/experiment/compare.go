package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	var kept int64
	for _, sc := range scs {
		kept += int64(len(seeds)) * sim.SeriesValues(sc)
	}
	if kept > MaxComparedValues {
		return nil, results.InputError(fmt.Sprintf("a comparison keeps every run's time series to draw each side's mean: %d sides × %d seeds hold %d values, more than %d (about %d MB): use fewer seeds, or a longer [metrics] bucket",
			len(sides), len(seeds), kept, MaxComparedValues, MaxComparedValues*8>>20))
	}
	return &Comparison{sides: sides, scenarios: scs, seeds: seeds}, nil
}

// Metrics lists the metrics the runs will have, for checking --fail-if
// before anything runs.
func (c *Comparison) Metrics() []results.Metric { return metricsOfScenarios(c.scenarios) }

// Runs is the number of runs: sides × seeds.
func (c *Comparison) Runs() int { return len(c.sides) * len(c.seeds) }

// Run runs every side on every seed, as many at once as par runs them,
// calling progress after each run. Cancelling ctx stops it with ctx's error.
func (c *Comparison) Run(ctx context.Context, par Parallel, progress func(done, total int)) (*results.CompareResult, error) {
	n := len(c.seeds)
	configs := make([]Config, len(c.sides))
	var jobs []job
	for i, s := range c.sides {
		configs[i] = s.Config
		for r, seed := range c.seeds {
			jobs = append(jobs, job{index: i*n + r, config: i, seed: seed})
		}
	}
	outcomes := make([]*results.Outcome, len(jobs))
	runs := make([]*results.Run, len(jobs))
	done := 0
	err := execute(ctx, func(i int) Config { return configs[i] }, jobs, par, true, func(f finished) error {
		outcomes[f.index], runs[f.index] = &f.outcome, f.run
		done++
		if progress != nil {
			progress(done, len(jobs))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	res := &results.CompareResult{Format: results.FormatVersion, Seeds: c.seeds}
	groups := make([][]*results.Outcome, len(c.sides))
	labels := make([]string, len(c.sides))
	for i, s := range c.sides {
		groups[i] = outcomes[i*n : (i+1)*n]
		res.Runs = append(res.Runs, runs[i*n:(i+1)*n])
		labels[i] = s.Label
		pooled, err := results.PooledLatency(groups[i])
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
	res.Metrics = results.Summarise(groups, 0)
	res.Verdicts = results.Verdicts(res.Metrics, labels, 0)
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
