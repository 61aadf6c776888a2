package report

import (
	"slices"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

func TestAlertTables(t *testing.T) {
	lat, first, detect := 0.2, 120.0, 714.0
	s := &results.Summary{
		SLOs: []results.SLO{{Name: "lat", Targets: []string{"users"}, Objective: 0.99, LatencyS: &lat, PeriodS: 30 * 86400,
			ScaledPeriodS: 43200, Good: 990, Total: 1000, BurnRate: 1, BudgetSpent: 0.0275}},
		Alerts:    []results.Alert{{Name: "burn", Kind: "burn_rate", FiredAtS: 834, TimeToDetectS: &detect}},
		Detection: &results.Detection{FirstFaultAtS: &first, FirstAlert: "burn", TimeToDetectS: &detect, UndetectedFaults: []string{}},
	}
	var d data
	addAlerts(&d, s)
	if want := []string{"lat", "users", "99.0% succeed within 200ms", "99.0%", "1.0x", "2.8%", "12h0m0s simulated for 30d"}; !slices.Equal(d.SLOs[0], want) {
		t.Errorf("SLO row %q, want %q", d.SLOs[0], want)
	}
	if want := []string{"burn", "burn_rate", "834s", "still firing", "714s"}; !slices.Equal(d.Alerts[0], want) {
		t.Errorf("alert row %q, want %q", d.Alerts[0], want)
	}
	if want := "Time to detect: burn fired 714s after the first fault began at 120s. Every fault was caught."; !d.HasAlerts || d.Detection != want {
		t.Errorf("detection %q, want %q", d.Detection, want)
	}

	d = data{}
	addAlerts(&d, &results.Summary{})
	if d.HasAlerts || d.SLOs != nil {
		t.Errorf("a run without SLOs or alerts shows %+v", d)
	}
}
