package experiment

import (
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// metricsOfScenarios is the catalogue the runs of these scenarios will have,
// known before any runs: to check metric names up front.
func metricsOfScenarios(scs []*topology.Scenario) []results.Metric {
	var tiers []results.Tier
	seen := map[string]bool{}
	judged, state, alerted := false, false, false
	for _, sc := range scs {
		state = state || marksWrites(sc)
		for _, f := range sc.Faults {
			judged = judged || f.At < sc.Duration
			alerted = alerted || f.At < sc.Duration && len(sc.Alerts) > 0
		}
		for _, c := range sc.Components {
			if !seen[c.Group] {
				seen[c.Group] = true
				tiers = append(tiers, results.Tier{Name: c.Group, Kind: c.Kind.String()})
			}
		}
	}
	return results.Catalogue(tiers, judged, alerted, state)
}
