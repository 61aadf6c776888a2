package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Side is one arm of a comparison: a scenario and the label it goes by.
type Side struct {
	Label string
	Config
}

// baseName names a file's base, in --variant lists and labels.
const baseName = "base"

// VariantSides returns the sides that compare variants of one file: the
// named ones in order ("base" for the file without a variant), or the base
// and then every variant. Settings apply to every side.
func VariantSides(path string, variants []string, sets []scenariofile.Setting) ([]Side, error) {
	c, err := readConfig(path, "", sets)
	if err != nil {
		return nil, err
	}
	if len(variants) == 0 {
		sc, err := Config{File: path, Source: c.Source, Dir: c.Dir}.load()
		if err != nil {
			return nil, err
		}
		variants = append([]string{baseName}, sc.Variants...)
	}
	var sides []Side
	for i, v := range variants {
		if slices.Contains(variants[:i], v) {
			return nil, InputError(fmt.Sprintf("variant %q is given twice", v))
		}
		s := Side{Label: v, Config: c}
		if v != baseName {
			s.Variant = v
		}
		sides = append(sides, s)
	}
	return sides, nil
}

// FileSides returns the sides that compare files, each its base, labelled
// by file name (by path when two files share a name).
func FileSides(paths []string, sets []scenariofile.Setting) ([]Side, error) {
	sides := make([]Side, len(paths))
	stems := make([]string, len(paths))
	for i, p := range paths {
		c, err := readConfig(p, "", sets)
		if err != nil {
			return nil, err
		}
		stems[i] = strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		sides[i] = Side{Label: stems[i], Config: c}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(stems)))) < len(stems) {
		for i := range sides {
			sides[i].Label = paths[i]
		}
	}
	return sides, nil
}

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
		return nil, InputError(fmt.Sprintf("a comparison needs two sides or more, got %d", len(sides)))
	}
	return &Comparison{sides: sides, scenarios: scs, seeds: seeds}, nil
}

// Metrics lists the metrics the runs will have, for checking --fail-if
// before anything runs.
func (c *Comparison) Metrics() []Metric { return metricsOfScenarios(c.scenarios) }

// Runs is the number of runs: sides × seeds.
func (c *Comparison) Runs() int { return len(c.sides) * len(c.seeds) }

// CompareResult is the result of a comparison, and compare.json.
type CompareResult struct {
	Format   int            `json:"failsim_compare"`
	Seeds    []uint64       `json:"seeds"`
	Sides    []SideResult   `json:"sides"`
	Metrics  []MetricResult `json:"metrics"`
	Verdicts []Verdict      `json:"verdicts"` // every side but the first against the first

	runs [][]*results.Run // per side, per seed
}

// SideResult describes one side and what all its seeds' requests saw
// together.
type SideResult struct {
	Label         string          `json:"label"`
	File          string          `json:"file"`
	Scenario      string          `json:"scenario"`
	Variant       string          `json:"variant"`
	SHA256        string          `json:"scenario_sha256"` // of the file's text
	Settings      []string        `json:"settings"`
	SimSeconds    float64         `json:"sim_seconds"`
	PooledLatency results.Latency `json:"pooled_latency_s"` // every logical request of every seed, histograms merged
}

// Run runs every side on every seed, as many at once as par runs them,
// calling progress after each run. Cancelling ctx stops it with ctx's error.
func (c *Comparison) Run(ctx context.Context, par Parallel, progress func(done, total int)) (*CompareResult, error) {
	n := len(c.seeds)
	configs := make([]Config, len(c.sides))
	var jobs []job
	for i, s := range c.sides {
		configs[i] = s.Config
		for r, seed := range c.seeds {
			jobs = append(jobs, job{index: i*n + r, config: i, seed: seed})
		}
	}
	outcomes := make([]*Outcome, len(jobs))
	runs := make([]*results.Run, len(jobs))
	done := 0
	err := execute(ctx, configs, jobs, par, true, func(f finished) error {
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

	res := &CompareResult{Format: FormatVersion, Seeds: c.seeds}
	groups := make([][]*Outcome, len(c.sides))
	labels := make([]string, len(c.sides))
	for i, s := range c.sides {
		groups[i] = outcomes[i*n : (i+1)*n]
		res.runs = append(res.runs, runs[i*n:(i+1)*n])
		labels[i] = s.Label
		pooled, err := pooledLatency(groups[i])
		if err != nil {
			return nil, err
		}
		sc := c.scenarios[i]
		res.Sides = append(res.Sides, SideResult{
			Label: s.Label, File: s.File, Scenario: sc.Name, Variant: s.Variant,
			SHA256: hash(s.Source), Settings: settingStrings(s.Settings),
			SimSeconds: sc.Duration.Seconds(), PooledLatency: pooled,
		})
	}
	res.Metrics = summarise(groups, 0)
	res.Verdicts = verdicts(res.Metrics, labels, 0)
	return res, nil
}

// JSON is compare.json: the same comparison gives the same bytes.
func (c *CompareResult) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	return append(b, '\n'), err
}

// MeanRuns returns, per side, a run whose time series are the means over
// its seeds bucket by bucket (over the seeds with a value), for overlay
// plots: one line per side instead of one anecdotal seed. Its summary is
// the first seed's, for the topology and the faults, with the interventions
// every seed made at the same times.
func (c *CompareResult) MeanRuns() []*results.Run {
	out := make([]*results.Run, len(c.runs))
	for i, runs := range c.runs {
		out[i] = meanRun(runs)
	}
	return out
}

func meanRun(runs []*results.Run) *results.Run {
	first := runs[0].Series
	ser := results.NewSeries(first.BucketS, first.Keys)
	ser.EndS, ser.Times = first.EndS, first.Times
	sum, count := make([]float64, len(ser.Times)), make([]int, len(ser.Times))
	for k, key := range ser.Keys {
		clear(sum)
		clear(count)
		for _, r := range runs {
			for b, v := range r.Series.Get(key.Component, key.Metric) {
				if b < len(sum) && !math.IsNaN(v) {
					sum[b] += v
					count[b]++
				}
			}
		}
		col := make([]float64, len(sum))
		for b := range col {
			col[b] = math.NaN()
			if count[b] > 0 {
				col[b] = sum[b] / float64(count[b])
			}
		}
		ser.Values[k] = col
	}
	summary := runs[0].Summary
	summary.Interventions = commonInterventions(runs)
	return &results.Run{Summary: summary, Series: ser}
}

// commonInterventions are the interventions every run made at the same
// times: those a mean run can mark. One that reacts to an alert happens at
// a different time on each seed, and no one time is the mean run's.
func commonInterventions(runs []*results.Run) []results.Intervention {
	var out []results.Intervention
	for _, iv := range runs[0].Summary.Interventions {
		everywhere := true
		for _, r := range runs[1:] {
			everywhere = everywhere && slices.ContainsFunc(r.Summary.Interventions, func(o results.Intervention) bool {
				return o.Name == iv.Name && o.AtS == iv.AtS && (o.EndS == nil) == (iv.EndS == nil) && (o.EndS == nil || *o.EndS == *iv.EndS)
			})
		}
		if everywhere {
			out = append(out, iv)
		}
	}
	return out
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

// InputError is a mistake in what the user asked for (flags, expressions,
// files of another sweep): the command line reports it as bad input.
type InputError string

func (e InputError) Error() string { return string(e) }
