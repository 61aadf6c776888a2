package experiment

import (
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// metricsOfScenarios is the catalogue the runs of these scenarios will have,
// known before any runs: to check metric names up front.
func metricsOfScenarios(scs []*topology.Scenario) []results.Metric {
	var m metricSet
	for _, sc := range scs {
		m.add(sc)
	}
	return m.metrics()
}

// metricSet gathers the metrics of scenarios one at a time, so that a grid
// need not be held whole to know them.
type metricSet struct {
	tiers                  []results.Tier
	seen                   map[string]bool
	judged, state, alerted bool
}

func (m *metricSet) add(sc *topology.Scenario) {
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	m.state = m.state || marksWrites(sc)
	for _, f := range sc.Faults {
		m.judged = m.judged || f.At < sc.Duration
		m.alerted = m.alerted || f.At < sc.Duration && len(sc.Alerts) > 0
	}
	for _, c := range sc.Components {
		if !m.seen[c.Group] {
			m.seen[c.Group] = true
			m.tiers = append(m.tiers, results.Tier{Name: c.Group, Kind: c.Kind.String()})
		}
	}
}

func (m *metricSet) metrics() []results.Metric {
	return results.Catalogue(m.tiers, m.judged, m.alerted, m.state)
}
