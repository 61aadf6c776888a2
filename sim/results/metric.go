package results

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/failsim/failsim/topology/human"
)

// detectionMetrics are the metrics of runs with alerts and a fault: whether
// an alert fired at or after the first fault began, and how long after, to
// compare alerting rules (a burn-rate alert against a threshold, an SLO
// that counts slow successes) as a design review would.
func detectionMetrics(alerted bool) []Metric {
	if !alerted {
		return nil
	}
	return []Metric{
		{Name: "detected", Unit: "fraction of seeds", Better: "higher", kind: mDetected},
		{Name: "time_to_detect", Unit: "s", Better: "lower", kind: mTimeToDetect},
	}
}

// detectionValue is NaN for a run without alerts or fault, and a run's
// time to detect is NaN when no alert caught the fault.
func (m Metric) detectionValue(o *Outcome) float64 {
	d := o.Detection
	switch {
	case d == nil || d.FirstFaultAtS == nil:
		return math.NaN()
	case m.kind == mDetected && d.TimeToDetectS != nil:
		return 1
	case m.kind == mDetected:
		return 0
	case d.TimeToDetectS == nil:
		return math.NaN()
	}
	return *d.TimeToDetectS
}

// CheckMetric reports, as an InputError with a did-you-mean, a name that is
// not one of the metrics.
func CheckMetric(metrics []Metric, name string) error {
	names := MetricNames(metrics)
	if slices.Contains(names, name) {
		return nil
	}
	return InputError(fmt.Sprintf("unknown metric %q%s; metrics are %s", name, human.DidYouMean(name, names), strings.Join(names, ", ")))
}

// MetricNames lists the names of ms, in order.
func MetricNames(ms []Metric) []string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return names
}

// Metric is one outcome an experiment estimates over seeds.
type Metric struct {
	Name   string `json:"name"`   // as --fail-if and the JSON know it: p99, amplification.db
	Unit   string `json:"unit"`   // fraction, req/s, s, calls per request, s of work
	Better string `json:"better"` // higher or lower

	kind metricKind
	tier string // for the per-tier kinds
}

type metricKind uint8

const (
	mSuccessRate metricKind = iota
	mGoodput
	mP50
	mP99
	mP999
	mMeanLatency
	mRecovered
	mRecoveredAfter
	mWasted
	mTierAmplification
	mTierPeak
	mTierWasted
	mDuplicateWrites
	mInconsistentOpen
	mDetected
	mTimeToDetect
)

// The metrics every experiment has, in the order tables show them; the
// recovery ones only when the runs judge recovery (they have a fault).
var (
	clientMetrics = []Metric{
		{Name: "success_rate", Unit: "fraction", Better: "higher", kind: mSuccessRate},
		{Name: "goodput", Unit: "req/s", Better: "higher", kind: mGoodput},
		{Name: "p50", Unit: "s", Better: "lower", kind: mP50},
		{Name: "p99", Unit: "s", Better: "lower", kind: mP99},
		{Name: "p999", Unit: "s", Better: "lower", kind: mP999},
		{Name: "mean_latency", Unit: "s", Better: "lower", kind: mMeanLatency},
	}
	recoveryMetrics = []Metric{
		{Name: "recovered", Unit: "fraction of seeds", Better: "higher", kind: mRecovered},
		{Name: "recovered_after", Unit: "s", Better: "lower", kind: mRecoveredAfter},
	}
	wastedMetric = Metric{Name: "wasted_work", Unit: "s of work", Better: "lower", kind: mWasted}
)

// The outcomes of an edge search's probes, for those who show them.
func RecoveredMetric() Metric { return recoveryMetrics[0] }

func SuccessRateMetric() Metric { return clientMetrics[0] }

func GoodputMetric() Metric { return clientMetrics[1] }

// Catalogue lists the metrics of runs with these tiers, in table order:
// the recovery metrics when the runs judge recovery, the detection metrics
// when they have alerts and a fault, the state metrics when they mark
// writes.
func Catalogue(tiers []Tier, judged, alerted, state bool) []Metric {
	return slices.Concat(tierCatalogue(tiers, judged), detectionMetrics(alerted), stateMetrics(state))
}

// tierCatalogue lists the client, recovery and tier metrics.
func tierCatalogue(tiers []Tier, judged bool) []Metric {
	ms := append([]Metric(nil), clientMetrics...)
	if judged {
		ms = append(ms, recoveryMetrics...)
	}
	ms = append(ms, wastedMetric)
	for _, t := range tiers {
		ms = append(ms,
			Metric{Name: "amplification." + t.Name, Unit: "calls per request", Better: "lower", kind: mTierAmplification, tier: t.Name},
			Metric{Name: "peak_amplification." + t.Name, Unit: "calls per request", Better: "lower", kind: mTierPeak, tier: t.Name})
		if t.works() {
			ms = append(ms, Metric{Name: "wasted_work." + t.Name, Unit: "s of work", Better: "lower", kind: mTierWasted, tier: t.Name})
		}
	}
	return ms
}

// metricsOf is the catalogue of a set of runs: every tier any run has, in
// the order they first appear.
func metricsOf(os []*Outcome) []Metric {
	var tiers []Tier
	seen := map[string]bool{}
	judged, state, alerted := false, false, false
	for _, o := range os {
		judged = judged || o.Recovered != nil
		state = state || o.State != nil
		alerted = alerted || o.Detection != nil && o.Detection.FirstFaultAtS != nil
		for _, t := range o.Tiers {
			if !seen[t.Name] {
				seen[t.Name] = true
				tiers = append(tiers, t)
			}
		}
	}
	return Catalogue(tiers, judged, alerted, state)
}

// value returns the metric of one run; NaN when the run has none (no tier of
// that name, recovery not judged, never recovered).
func (m Metric) value(o *Outcome) float64 {
	switch m.kind {
	case mSuccessRate:
		return o.SuccessRate
	case mGoodput:
		return o.GoodputRPS
	case mP50:
		return o.Latency.P50
	case mP99:
		return o.Latency.P99
	case mP999:
		return o.Latency.P999
	case mMeanLatency:
		return o.Latency.Mean
	case mRecovered:
		if o.Recovered == nil {
			return math.NaN()
		}
		if *o.Recovered {
			return 1
		}
		return 0
	case mRecoveredAfter:
		if o.RecoveredAfterS == nil {
			return math.NaN()
		}
		return *o.RecoveredAfterS
	case mWasted:
		return o.WastedWorkS
	case mDuplicateWrites, mInconsistentOpen:
		return m.stateValue(o)
	case mDetected, mTimeToDetect:
		return m.detectionValue(o)
	}
	for _, t := range o.Tiers {
		if t.Name != m.tier {
			continue
		}
		switch m.kind {
		case mTierAmplification:
			return t.Amplification
		case mTierPeak:
			return t.PeakAmplification
		case mTierWasted:
			return t.WastedWorkS
		}
	}
	return math.NaN()
}

// estimate summarises the metric over one group's runs, in seed order.
func (m Metric) estimate(xs []float64) Estimate {
	switch {
	case m.kind == mRecovered || m.kind == mDetected:
		return Proportion(xs)
	case m.byMedian():
		return MedianInterval(xs)
	}
	return MeanInterval(xs)
}

// byMedian says whether the metric is a time until something happened on
// the seeds where it did: bounded below by zero and often bimodal, it is
// estimated by its median.
func (m Metric) byMedian() bool { return m.kind == mRecoveredAfter || m.kind == mTimeToDetect }

// difference compares group ys with reference xs, seed by seed.
func (m Metric) difference(xs, ys []float64) Difference {
	switch {
	case m.kind == mRecovered || m.kind == mDetected:
		return mcNemar(xs, ys)
	case m.byMedian():
		return signDifference(xs, ys)
	}
	return pairedDifference(xs, ys)
}

// Improves reports whether a difference (side minus reference) is for the
// better.
func (m Metric) Improves(d float64) bool {
	if m.Better == "lower" {
		return d < 0
	}
	return d > 0
}

// Label is the metric's name for a table row: "p99 latency",
// "peak amplification at db".
func (m Metric) Label() string {
	switch m.kind {
	case mSuccessRate:
		return "success rate"
	case mP50, mP99, mP999:
		return strings.Replace(m.Name, "p999", "p99.9", 1) + " latency"
	case mMeanLatency:
		return "mean latency"
	case mRecovered:
		return "seeds recovered"
	case mRecoveredAfter:
		return "recovered after"
	case mWasted:
		return "wasted work"
	case mTierAmplification:
		return "amplification at " + m.tier
	case mTierPeak:
		return "peak amplification at " + m.tier
	case mTierWasted:
		return "wasted work at " + m.tier
	case mDuplicateWrites:
		return "duplicate writes"
	case mInconsistentOpen:
		return "inconsistent at the end"
	case mDetected:
		return "seeds detected"
	case mTimeToDetect:
		return "time to detect"
	}
	return m.Name
}

// Collect collects the metric from runs, NaN where a run has none.
func (m Metric) Collect(os []*Outcome) []float64 {
	xs := make([]float64, len(os))
	for i, o := range os {
		xs[i] = m.value(o)
	}
	return xs
}

// stateMetrics are the metrics of runs that mark writes: duplicate writes
// and inconsistent outcomes left open, to compare and to gate on
// (--fail-if "duplicate_writes > 0").
func stateMetrics(state bool) []Metric {
	if !state {
		return nil
	}
	return []Metric{
		{Name: "duplicate_writes", Unit: "writes", Better: "lower", kind: mDuplicateWrites},
		{Name: "inconsistent_open", Unit: "outcomes", Better: "lower", kind: mInconsistentOpen},
	}
}

func (m Metric) stateValue(o *Outcome) float64 {
	switch {
	case o.State == nil:
		return math.NaN()
	case m.kind == mDuplicateWrites:
		return float64(o.State.DuplicateWrites)
	}
	return float64(o.State.InconsistentOpen)
}
