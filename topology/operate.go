package topology

import (
	"fmt"
	"time"
)

// SLO is a service level objective on a client or component: a fraction
// Objective of its requests are good over Period. A request is good when it
// succeeds and, with a Latency, answers within it.
//
// Runs last minutes, SLO periods weeks, so an SLO is judged on a scaled
// clock: one simulated second stands for TimeScale seconds of the period.
// The period and every burn-rate window are divided by TimeScale; a burn
// rate, a ratio, is unchanged, so a window pair spends the same fraction of
// the error budget as it would in production.
type SLO struct {
	Name      string
	Targets   []int // a component, or every instance of a replicated service
	Objective float64
	Latency   time.Duration // 0: availability only
	Period    time.Duration
	TimeScale float64
	Pos       Pos
}

// Scaled is d, written in the SLO's production time, on the run's clock.
func (s SLO) Scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.TimeScale)
}

// AlertKind is how an alert decides.
type AlertKind uint8

// Alert kinds.
const (
	AlertThreshold AlertKind = iota // a metric above or below a value
	AlertBurnRate                   // an SLO's error budget burning too fast
)

// AlertKindNames are the names results give alert kinds (a file tells them
// by their keys), indexed by value.
var AlertKindNames = []string{"threshold", "burn_rate"}

func (k AlertKind) String() string { return AlertKindNames[k] }

// AlertMetric is what a threshold alert watches, over the last bucket.
type AlertMetric uint8

// Threshold alert metrics.
const (
	MetricErrorRatio  AlertMetric = iota // failed / answered
	MetricLatencyP99                     // p99 of the latency of answered calls, seconds (worst instance)
	MetricQueue                          // queue_mean (instances summed)
	MetricUtilization                    // busy workers / workers (instances together)
	MetricGoodput                        // a client's successful logical requests per second
)

// AlertMetricNames are the names scenario files give alert metrics, indexed by value.
var AlertMetricNames = []string{"error_ratio", "latency_p99_s", "queue_mean", "utilization", "goodput_rps"}

func (m AlertMetric) String() string { return AlertMetricNames[m] }

// Alert is a rule a monitoring system evaluates at the end of every bucket,
// with Prometheus' semantics: when its condition first holds it is pending;
// once the condition has held for For it fires; when the condition stops
// holding it resolves (a pending alert goes back to inactive).
type Alert struct {
	Name string
	Kind AlertKind
	For  time.Duration

	// Threshold: Metric of Targets compared with Threshold.
	Targets   []int
	Metric    AlertMetric
	Above     bool // fires above Threshold, else below
	Threshold float64

	// Burn rate: SLOs[SLO] burns faster than a window pair's rate over both
	// its windows, for any pair (the SRE workbook's multiwindow,
	// multi-burn-rate alert).
	SLO     int
	Windows []BurnWindow

	Pos Pos
}

// BurnWindow is one pair of the multiwindow alert: the burn rate must
// exceed Rate over both Long and Short, written in the SLO's production
// time (scale them with SLO.Scaled).
type BurnWindow struct {
	Rate        float64
	Long, Short time.Duration
}

// DefaultBurnWindows are the SRE workbook's paging pair for a 30-day SLO:
// 2% of the budget spent in an hour, or 5% in six hours.
var DefaultBurnWindows = []BurnWindow{
	{Rate: 14.4, Long: time.Hour, Short: 5 * time.Minute},
	{Rate: 6, Long: 6 * time.Hour, Short: 30 * time.Minute},
}

// Drift is a fault that degrades gradually: What moves linearly from From at
// the fault's start to To at its end. Latency is seconds added to work,
// capacity the workers (connections) left, errors a probability of failing.
type Drift struct {
	What     DriftWhat
	From, To float64
}

// DriftWhat is the parameter a drift moves.
type DriftWhat uint8

// Drifting parameters.
const (
	DriftLatency DriftWhat = iota
	DriftCapacity
	DriftErrors
	DriftLoss // links: the probability that a message is lost
)

// DriftWhatNames are the names scenario files give the parameters a drift moves, indexed by value.
var DriftWhatNames = []string{"latency", "capacity", "errors", "loss"}

func (w DriftWhat) String() string { return DriftWhatNames[w] }

// DriftAt is a drift fault's value at time t: From at its start, To at its
// end, on the straight line between.
func (f Fault) DriftAt(t time.Duration) float64 {
	frac := min(max(float64(t-f.At)/float64(f.For), 0), 1)
	return f.Drift.From + (f.Drift.To-f.Drift.From)*frac
}

// String is the drift in words, e.g. "latency 0s→200ms".
func (d Drift) String() string {
	switch d.What {
	case DriftLatency:
		sec := func(v float64) time.Duration { return time.Duration(v * float64(time.Second)).Round(time.Microsecond) }
		return fmt.Sprintf("latency +%s→+%s", sec(d.From), sec(d.To))
	case DriftCapacity:
		return fmt.Sprintf("capacity %g→%g workers", d.From, d.To)
	case DriftLoss:
		return fmt.Sprintf("loss %g%%→%g%%", 100*d.From, 100*d.To)
	}
	return fmt.Sprintf("errors %g%%→%g%%", 100*d.From, 100*d.To)
}
