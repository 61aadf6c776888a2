package experiment

import "github.com/failsim/failsim/topology"

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
