package results

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// A family is what several metrics measure together: latency (p50, p99,
// p99.9, mean), amplification (one per tier). A verdict counts an effect
// once per family, and a table shows a family's metrics side by side.
type family uint8

const (
	famSuccess family = iota
	famLatency
	famRecovery
	famDetection
	famWasted
	famAmplification
	famPeak
	famState
)

var familyNames = []string{"success", "latency", "recovery", "detection", "wasted work", "amplification", "peak amplification", "state"}

// familyTitles head the tables of a comparison.
var familyTitles = []string{
	"Success and goodput",
	"Latency of logical requests",
	"Recovery from the faults",
	"Detection by the alerts",
	"Wasted work: seconds of work for callers that had given up",
	"Amplification: calls per logical request at each tier, over the run",
	"Peak amplification: the worst bucket",
	"State: writes that took effect twice, outcomes left inconsistent",
}

func (m Metric) family() family {
	switch m.kind {
	case mSuccessRate, mGoodput:
		return famSuccess
	case mP50, mP99, mP999, mMeanLatency:
		return famLatency
	case mRecovered, mRecoveredAfter:
		return famRecovery
	case mDetected, mTimeToDetect:
		return famDetection
	case mWasted, mTierWasted:
		return famWasted
	case mTierAmplification:
		return famAmplification
	case mTierPeak:
		return famPeak
	}
	return famState
}

// Short is the metric's name in a column of its family's table: "p99",
// "success rate", the tier for the per-tier metrics ("all" for the total).
func (m Metric) Short() string {
	switch m.kind {
	case mP50, mP99, mP999:
		return strings.Replace(m.Name, "p999", "p99.9", 1)
	case mMeanLatency:
		return "mean"
	case mRecovered:
		return "seeds recovered"
	case mDetected:
		return "seeds detected"
	case mWasted:
		return "all tiers"
	case mTierAmplification, mTierPeak, mTierWasted:
		return m.tier
	}
	return m.Label()
}

// A Group is the metrics a comparison's table shows together, in table
// order, as indices of CompareResult.Metrics.
type Group struct {
	Title   string
	Metrics []int
}

// Groups arranges the metrics by family, each family one group, in the
// order the metrics come.
func (r *CompareResult) Groups() []Group {
	var out []Group
	at := map[family]int{}
	for i, m := range r.Metrics {
		f := m.family()
		g, ok := at[f]
		if !ok {
			g = len(out)
			at[f] = g
			out = append(out, Group{Title: familyTitles[f]})
		}
		out[g].Metrics = append(out[g].Metrics, i)
	}
	return out
}

// Rank is one side's place in a comparison: the mean of its ranks on the
// key outcomes, 1 for the best.
type Rank struct {
	Label string             `json:"label"`
	Score float64            `json:"score"` // the mean rank; ties share the mean of their places
	Ranks map[string]float64 `json:"ranks"` // by key outcome
}

// keyOutcomes rank the sides: what users feel, how long it lasts, what it
// costs.
var keyOutcomes = []string{"success_rate", "p99", "recovered", "wasted_work"}

// Ranking orders the sides by the mean of their ranks on the key outcomes
// the runs have (success rate, p99 latency, seeds recovered, wasted work),
// each ranked by its estimate; a side without a value ranks last, and ties
// share the mean of their places. Sides of equal score keep their order.
func Ranking(labels []string, ms []MetricResult) []Rank {
	out := make([]Rank, len(labels))
	for i, l := range labels {
		out[i] = Rank{Label: l, Ranks: map[string]float64{}}
	}
	used := 0
	for _, name := range keyOutcomes {
		i := slices.IndexFunc(ms, func(m MetricResult) bool { return m.Name == name })
		if i < 0 {
			continue
		}
		used++
		m := ms[i]
		score := func(g int) float64 { // lower is better; no value is worst
			e := m.Estimates[g]
			switch {
			case e == nil:
				return math.Inf(1)
			case m.Better == "higher":
				return -e.Center()
			}
			return e.Center()
		}
		for g := range out {
			less, same := 0, 0
			for h := range out {
				switch {
				case score(h) < score(g):
					less++
				case score(h) == score(g):
					same++
				}
			}
			rank := float64(less) + float64(same+1)/2
			out[g].Ranks[name] = rank
			out[g].Score += rank
		}
	}
	for g := range out {
		if used > 0 {
			out[g].Score /= float64(used)
		}
	}
	slices.SortStableFunc(out, func(a, b Rank) int { return cmp.Compare(a.Score, b.Score) })
	return out
}

// families says which metrics changed, each family once, in the families'
// order: "success, latency (p50, p99) and wasted work". A family whose
// every metric changed is named alone.
func families(names []string, ms []MetricResult) string {
	byFamily := map[family][]string{}
	total := map[family]int{}
	for _, m := range ms {
		total[m.family()]++
		if slices.Contains(names, m.Name) {
			byFamily[m.family()] = append(byFamily[m.family()], m.Short())
		}
	}
	var parts []string
	for f := range family(len(familyNames)) {
		got := byFamily[f]
		switch {
		case len(got) == 0:
		case len(got) == total[f]:
			parts = append(parts, familyNames[f])
		default:
			parts = append(parts, familyNames[f]+" ("+strings.Join(got, ", ")+")")
		}
	}
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
