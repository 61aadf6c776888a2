package report

import (
	"fmt"
	"strings"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// addAlerts fills the SLO and alert tables and says what the alerts caught.
func addAlerts(d *data, s *results.Summary) {
	for _, o := range s.SLOs {
		obj := human.Percent(o.Objective) + " succeed"
		if o.LatencyS != nil {
			obj += " within " + human.Seconds(*o.LatencyS)
		}
		good := "-"
		if o.Total > 0 {
			good = human.Percent(float64(o.Good) / float64(o.Total))
		}
		d.SLOs = append(d.SLOs, []string{o.Name, human.Names(o.Targets), obj, good,
			fmt.Sprintf("%.1fx", o.BurnRate), human.Percent(o.BudgetSpent), human.Period(o.ScaledPeriodS) + " simulated for " + human.Period(o.PeriodS)})
	}
	det := s.Detection
	if det == nil {
		return
	}
	d.HasAlerts = true
	for _, a := range s.Alerts {
		resolved, after := "still firing", "before it"
		if a.ResolvedAtS != nil {
			resolved = num(*a.ResolvedAtS) + "s"
		}
		if a.TimeToDetectS != nil {
			after = num(*a.TimeToDetectS) + "s"
		}
		d.Alerts = append(d.Alerts, []string{a.Name, a.Kind, num(a.FiredAtS) + "s", resolved, after})
	}
	switch {
	case det.FirstFaultAtS == nil:
		d.Detection = "No fault in the run."
	case det.TimeToDetectS == nil:
		d.Detection = fmt.Sprintf("No alert fired after the first fault began at %gs.", *det.FirstFaultAtS)
	default:
		d.Detection = fmt.Sprintf("Time to detect: %s fired %gs after the first fault began at %gs.", det.FirstAlert, *det.TimeToDetectS, *det.FirstFaultAtS)
	}
	if len(det.UndetectedFaults) > 0 {
		d.Detection += " Faults no alert caught: " + strings.Join(det.UndetectedFaults, ", ") + "."
	} else if det.FirstFaultAtS != nil {
		d.Detection += " Every fault was caught."
	}
}
