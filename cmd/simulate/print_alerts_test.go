package main

import (
	"os"

	"github.com/failsim/failsim/sim/results"
)

func Example_printAlerts() {
	lat, resolved, detect, first := 0.2, 120.0, 30.0, 60.0
	printAlerts(os.Stdout, &results.Summary{
		SLOs: []results.SLO{{Name: "checkout", Targets: []string{"users"}, Objective: 0.999, LatencyS: &lat,
			PeriodS: 30 * 86400, TimeScale: 60, ScaledPeriodS: 43200, Good: 9950, Total: 10000, BurnRate: 5, BudgetSpent: 0.05}},
		Alerts: []results.Alert{
			{Name: "burn", Kind: "burn_rate", FiredAtS: 90, ResolvedAtS: &resolved, TimeToDetectS: &detect},
		},
		Detection: &results.Detection{FirstFaultAtS: &first, FirstAlert: "burn", TimeToDetectS: &detect, UndetectedFaults: []string{"db crash"}},
	})
	// Output:
	// SLOs (burn rate: error ratio / (1 - objective); budget: share of the period's error budget the run spent)
	//   name      targets  objective                   good   burn  budget  period
	//   checkout  users    99.9% succeed within 200ms  99.5%  5.0x  5.0%    30d, 12h0m0s simulated
	//
	// Alerts
	//   burn  burn_rate  fired at 90s  resolved at 120s  30s after the first fault began
	// Detection: burn fired 30s after the first fault began
	// Faults no alert caught: db crash
}
