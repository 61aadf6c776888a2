package report

import (
	"fmt"

	"github.com/failsim/failsim/sim/results"
)

// interventionRows are the report's table of interventions: name, kind,
// when, until, what changed, and whether it restored goodput.
func interventionRows(s *results.Summary) [][]string {
	var rows [][]string
	for _, iv := range s.Interventions {
		until, restored := "-", ""
		if iv.EndS != nil {
			until = num(*iv.EndS) + "s"
		}
		if iv.RestoredGoodput && s.Recovery.RecoveredAtS != nil {
			restored = fmt.Sprintf("yes: goodput back from %ss", num(*s.Recovery.RecoveredAtS))
		}
		effect := iv.Effect
		if iv.Trigger != "" {
			effect = "after " + iv.Trigger + ": " + effect
		}
		rows = append(rows, []string{iv.Name, iv.Kind, num(iv.AtS) + "s", until, effect, restored})
	}
	return rows
}

// autoscalerRows are the report's table of autoscalers.
func autoscalerRows(s *results.Summary) [][]string {
	var rows [][]string
	for _, a := range s.Autoscaling {
		decisions := fmt.Sprint(len(a.Decisions) + a.Omitted)
		rows = append(rows, []string{a.Service, a.Scale, fmt.Sprintf("%s %g", a.Metric, a.Target),
			fmt.Sprint(a.Initial), fmt.Sprint(a.Peak), fmt.Sprint(a.Final), decisions})
	}
	return rows
}
