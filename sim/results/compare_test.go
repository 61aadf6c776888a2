package results

import "testing"

// A mean run marks the interventions every seed made at the same time, and
// not one that reacted to an alert at a different time on each seed.
func TestMeanRunKeepsCommonInterventions(t *testing.T) {
	end := 150.0
	fixed := Intervention{Name: "kill switch", AtS: 90, EndS: &end}
	run := func(alertAt float64) *Run {
		return &Run{Summary: Summary{Interventions: []Intervention{fixed, {Name: "on alert", AtS: alertAt}}}}
	}
	got := commonInterventions([]*Run{run(101), run(97), run(101)})
	if len(got) != 1 || got[0].Name != "kill switch" {
		t.Errorf("common interventions %+v, want the kill switch alone", got)
	}
	if got := commonInterventions([]*Run{run(101)}); len(got) != 2 {
		t.Errorf("one seed: %d interventions, want both", len(got))
	}
}
