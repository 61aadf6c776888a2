package results

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// CompareResult is the result of a comparison, and compare.json.
type CompareResult struct {
	Format   int            `json:"failsim_compare"`
	Seeds    []uint64       `json:"seeds"`
	Sides    []SideResult   `json:"sides"`
	Metrics  []MetricResult `json:"metrics"`
	Verdicts []Verdict      `json:"verdicts"` // every side but the first against the first
	Ranking  []Rank         `json:"ranking"`  // the sides, best first
	// Precision is how a stopping rule on precision ended, when one was
	// given (compare --precision); nil otherwise.
	Precision *Precision `json:"precision,omitempty"`

	Runs [][]*Run `json:"-"` // per side, per seed
}

// Precision is how a stopping rule on precision ended: whether every
// watched interval came within Target of its mean (relative half-width)
// before MaxSeeds, and the one farthest from it.
type Precision struct {
	Target   float64   `json:"target"`
	MaxSeeds int       `json:"max_seeds"`
	Reached  bool      `json:"reached"`
	Worst    Imprecise `json:"worst"`
}

// Imprecise is one side's estimate of one metric and how precise it is.
type Imprecise struct {
	Metric            string   `json:"metric"`
	Side              string   `json:"side"`
	RelativeHalfWidth *float64 `json:"relative_half_width"` // its 95% half-width over its mean; null for a mean of zero
	Ratio             float64  `json:"-"`                   // the relative half-width over the target
}

// SideResult describes one side and what all its seeds' requests saw
// together.
type SideResult struct {
	Label         string   `json:"label"`
	File          string   `json:"file"`
	Scenario      string   `json:"scenario"`
	Variant       string   `json:"variant"`
	SHA256        string   `json:"scenario_sha256"` // of the file's text
	Settings      []string `json:"settings"`
	SimSeconds    float64  `json:"sim_seconds"`
	PooledLatency Latency  `json:"pooled_latency_s"` // every logical request of every seed, histograms merged
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
func (c *CompareResult) MeanRuns() []*Run {
	out := make([]*Run, len(c.Runs))
	for i, runs := range c.Runs {
		out[i] = meanRun(runs)
	}
	return out
}

func meanRun(runs []*Run) *Run {
	first := runs[0].Series
	ser := NewSeries(first.BucketS, first.Keys)
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
	return &Run{Summary: summary, Series: ser}
}

// commonInterventions are the interventions every run made at the same
// times: those a mean run can mark. One that reacts to an alert happens at
// a different time on each seed, and no one time is the mean run's.
func commonInterventions(runs []*Run) []Intervention {
	var out []Intervention
	for _, iv := range runs[0].Summary.Interventions {
		everywhere := true
		for _, r := range runs[1:] {
			everywhere = everywhere && slices.ContainsFunc(r.Summary.Interventions, func(o Intervention) bool {
				return o.Name == iv.Name && o.AtS == iv.AtS && (o.EndS == nil) == (iv.EndS == nil) && (o.EndS == nil || *o.EndS == *iv.EndS)
			})
		}
		if everywhere {
			out = append(out, iv)
		}
	}
	return out
}

// MetricResult is one metric over the groups of an experiment (the sides
// of a comparison, the points of a sweep): each group's estimate, its
// difference from the reference group, and the per-seed values behind them.
type MetricResult struct {
	Metric
	Estimates   []*Estimate   `json:"estimates"`   // per group; null when no seed has a value
	Differences []*Difference `json:"differences"` // per group, from the reference; null for the reference
	Values      [][]*float64  `json:"values"`      // per group, per seed; null for no value
}

// Verdict sums up how one group differs from the reference: the metrics on
// which it is significantly better, and worse, and both in words, each
// family of metrics once.
type Verdict struct {
	Group   int      `json:"-"`
	Label   string   `json:"label"`
	Better  []string `json:"better"`
	Worse   []string `json:"worse"`
	Summary string   `json:"summary"` // "better on success, latency (p50, p99) and wasted work; worse on nothing"
}

// Summarise estimates every metric of the groups' runs (groups[g][r]: group
// g's run of seed r) and each group's paired difference from group ref.
func Summarise(groups [][]*Outcome, ref int) []MetricResult {
	var all []*Outcome
	for _, g := range groups {
		all = append(all, g...)
	}
	var out []MetricResult
	for _, m := range metricsOf(all) {
		mr := MetricResult{Metric: m, Estimates: make([]*Estimate, len(groups)),
			Differences: make([]*Difference, len(groups)), Values: make([][]*float64, len(groups))}
		vals := make([][]float64, len(groups))
		for g, os := range groups {
			vals[g] = m.Collect(os)
			mr.Values[g] = nullable(vals[g])
			if e := m.estimate(vals[g]); e.N > 0 {
				mr.Estimates[g] = &e
			}
		}
		for g := range groups {
			if g == ref || mr.Estimates[g] == nil || mr.Estimates[ref] == nil {
				continue
			}
			if d := m.difference(vals[ref], vals[g]); d.N > 0 {
				mr.Differences[g] = &d
			}
		}
		out = append(out, mr)
	}
	return out
}

// Verdicts judges every group but the reference against it.
func Verdicts(ms []MetricResult, labels []string, ref int) []Verdict {
	var vs []Verdict
	for g, label := range labels {
		if g == ref {
			continue
		}
		v := Verdict{Group: g, Label: label, Better: []string{}, Worse: []string{}}
		for _, m := range ms {
			d := m.Differences[g]
			switch {
			case d == nil || !d.Significant:
			case m.Improves(d.Center()):
				v.Better = append(v.Better, m.Name)
			default:
				v.Worse = append(v.Worse, m.Name)
			}
		}
		v.Summary = fmt.Sprintf("better on %s; worse on %s", families(v.Better, ms), families(v.Worse, ms))
		vs = append(vs, v)
	}
	return vs
}

func nullable(xs []float64) []*float64 {
	out := make([]*float64, len(xs))
	for i, x := range xs {
		if !math.IsNaN(x) {
			out[i] = ptr(x)
		}
	}
	return out
}
