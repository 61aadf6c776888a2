package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/failsim/failsim/sim/results"
)

// printInterventions lists the operator's actions as they were applied.
func printInterventions(w io.Writer, s *results.Summary) {
	if len(s.Interventions) == 0 {
		return
	}
	fmt.Fprintln(w, "\nInterventions")
	for _, iv := range s.Interventions {
		when := fmt.Sprintf("t=%gs", iv.AtS)
		if iv.EndS != nil {
			when += fmt.Sprintf(" to %gs", *iv.EndS)
		}
		if iv.Trigger != "" {
			when += " (" + iv.Trigger + ")"
		}
		fmt.Fprintf(w, "  %-28s %s, %s: %s\n", iv.Name, iv.Kind, when, iv.Effect)
	}
}

// printAutoscaling says what each autoscaler asked for, and when.
func printAutoscaling(w io.Writer, s *results.Summary) {
	if len(s.Autoscaling) == 0 {
		return
	}
	fmt.Fprintln(w, "\nAutoscaling")
	for _, a := range s.Autoscaling {
		fmt.Fprintf(w, "  %s: %s on %s (target %g), %d at first, %d at most, %d at the end\n",
			a.Service, a.Scale, a.Metric, a.Target, a.Initial, a.Peak, a.Final)
		var steps []string
		for _, d := range a.Decisions {
			steps = append(steps, fmt.Sprintf("%gs %d→%d (%g)", d.AtS, d.From, d.To, d.Metric))
		}
		if a.Omitted > 0 {
			steps = append(steps, fmt.Sprintf("and %d more", a.Omitted))
		}
		if len(steps) > 0 {
			fmt.Fprintf(w, "    %s\n", strings.Join(steps, ", "))
		}
	}
}

// restoredBy names the intervention after which goodput came back, for the
// recovery line.
func restoredBy(s *results.Summary) string {
	for _, iv := range s.Interventions {
		if iv.RestoredGoodput {
			return fmt.Sprintf(", after intervention %q at t=%gs", iv.Name, iv.AtS)
		}
	}
	return ""
}
