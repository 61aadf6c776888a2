package scenariofile

import (
	"os"
	"strings"
	"testing"

	"github.com/failsim/failsim/topology"
)

// Every name of every enumeration a scenario file can give is documented
// in docs/scenario-format.md, and every component kind has its section:
// adding a kind, a fault, a budget or a policy means documenting it.
func TestVocabularyIsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/scenario-format.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, kind := range topology.KindNames {
		if !strings.Contains(doc, "\n## `["+kind+".NAME]`\n") {
			t.Errorf("docs/scenario-format.md has no section \"## `[%s.NAME]`\"", kind)
		}
	}
	for what, names := range map[string][]string{
		"fault kind":             topology.FaultNames[:],
		"budget":                 topology.BudgetNames,
		"backoff":                topology.BackoffNames,
		"jitter":                 topology.JitterNames,
		"balancing policy":       topology.PolicyNames,
		"queue discipline":       topology.DisciplineNames,
		"key popularity":         topology.PopularityNames,
		"intervention kind":      topology.InterventionNames[:],
		"autoscaling metric":     topology.AutoscaleMetricNames,
		"alert metric":           topology.AlertMetricNames,
		"drift":                  topology.DriftWhatNames,
		"write":                  topology.WriteNames,
		"partial failure policy": topology.PartialFailureNames,
		"outcome":                outcomeNames,
		"join":                   topology.JoinNames,
		"criticality":            topology.CriticalityNames,
		"distribution":           distKinds,
	} {
		for _, name := range names {
			if !strings.Contains(doc, "`"+name+"`") && !strings.Contains(doc, `"`+name+`"`) {
				t.Errorf("docs/scenario-format.md does not name the %s %q", what, name)
			}
		}
	}
}
