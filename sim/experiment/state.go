package experiment

import (
	"math"

	"github.com/failsim/failsim/topology"
)

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

// marksWrites reports whether a scenario marks any call as a write: its
// runs then have state totals.
func marksWrites(sc *topology.Scenario) bool {
	for _, c := range sc.Components {
		if c.Client != nil && c.Client.Call.Write != topology.WriteNone {
			return true
		}
		if c.Server != nil {
			for _, call := range c.Server.Calls {
				if call.Write != topology.WriteNone {
					return true
				}
			}
		}
	}
	return false
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
