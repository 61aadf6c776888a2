package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// printAlerts writes how the SLOs fared, when each alert fired and resolved,
// and whether the alerts caught the faults.
func printAlerts(w io.Writer, s *results.Summary) {
	if len(s.SLOs) > 0 {
		fmt.Fprintln(w, "\nSLOs (burn rate: error ratio / (1 - objective); budget: share of the period's error budget the run spent)")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  name\ttargets\tobjective\tgood\tburn\tbudget\tperiod")
		for _, o := range s.SLOs {
			obj := fmt.Sprintf("%g%% succeed", 100*o.Objective)
			if o.LatencyS != nil {
				obj += " within " + human.Seconds(*o.LatencyS)
			}
			good := "-"
			if o.Total > 0 {
				good = human.Percent(float64(o.Good) / float64(o.Total))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.1fx\t%s\t%s, %s simulated\n", o.Name, human.Names(o.Targets), obj, good,
				o.BurnRate, human.Percent(o.BudgetSpent), human.Period(o.PeriodS), human.Period(o.ScaledPeriodS))
		}
		tw.Flush()
	}
	if s.Detection == nil {
		return
	}
	fmt.Fprintln(w, "\nAlerts")
	if len(s.Alerts) == 0 {
		fmt.Fprintln(w, "  none fired")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, a := range s.Alerts {
		resolved := "still firing at the end"
		if a.ResolvedAtS != nil {
			resolved = fmt.Sprintf("resolved at %gs", *a.ResolvedAtS)
		}
		detect := "before the first fault"
		if a.TimeToDetectS != nil {
			detect = fmt.Sprintf("%gs after the first fault began", *a.TimeToDetectS)
		}
		fmt.Fprintf(tw, "  %s\t%s\tfired at %gs\t%s\t%s\n", a.Name, a.Kind, a.FiredAtS, resolved, detect)
	}
	tw.Flush()
	d := s.Detection
	switch {
	case d.FirstFaultAtS == nil:
	case d.TimeToDetectS == nil:
		fmt.Fprintln(w, "Detection: no alert fired after the first fault began")
	default:
		fmt.Fprintf(w, "Detection: %s fired %gs after the first fault began\n", d.FirstAlert, *d.TimeToDetectS)
	}
	if len(d.UndetectedFaults) > 0 {
		fmt.Fprintf(w, "Faults no alert caught: %s\n", strings.Join(d.UndetectedFaults, ", "))
	}
}
