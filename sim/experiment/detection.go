package experiment

import "math"

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
