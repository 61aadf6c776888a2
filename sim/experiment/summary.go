package experiment

import "math"

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
// which it is significantly better, and worse.
type Verdict struct {
	Group  int      `json:"-"`
	Label  string   `json:"label"`
	Better []string `json:"better"`
	Worse  []string `json:"worse"`
}

// summarise estimates every metric of the groups' runs (groups[g][r]: group
// g's run of seed r) and each group's paired difference from group ref.
func summarise(groups [][]*Outcome, ref int) []MetricResult {
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
			vals[g] = m.values(os)
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

// verdicts judges every group but the reference against it.
func verdicts(ms []MetricResult, labels []string, ref int) []Verdict {
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
			case m.Improves(d.Mean):
				v.Better = append(v.Better, m.Name)
			default:
				v.Worse = append(v.Worse, m.Name)
			}
		}
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
