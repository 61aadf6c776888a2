package plots_test

import (
	"slices"
	"testing"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/sim/results"
)

// A run with inconsistent outcomes gets the state figure, with a panel for
// each state metric it has; the fixture run, with none, does not.
func TestStateFigureOnlyWithStateMetrics(t *testing.T) {
	ser := results.NewSeries(1, []results.Key{
		{Component: "api", Metric: "inconsistent_open"},
		{Component: "api", Metric: "oldest_inconsistent_age_s"},
	})
	ser.EndS = 3
	ser.Times = []float64{0, 1, 2}
	ser.Values[0] = []float64{0, 40, 0}
	ser.Values[1] = []float64{0, 1.5, 0}
	run := &results.Run{Series: ser, Summary: results.Summary{
		Scenario: "s", SimSeconds: 3, BucketSeconds: 1, Order: []string{"api"},
		Components: map[string]results.Component{"api": {Kind: "service", Group: "api"}},
	}}
	var state *plots.Figure
	for _, f := range plots.Figures(run) {
		if f.Name == "state" {
			state = f
		}
	}
	if state == nil {
		t.Fatalf("no state figure among %q", names(plots.Figures(run)))
	}
	if _, h := state.Size(); h != 360+2*340 {
		t.Errorf("height %d, want two panels: open and age, no duplicate writes", h)
	}
	if slices.Contains(names(plots.Figures(fixture(t, "run"))), "state") {
		t.Error("a run without state metrics has a state figure")
	}
}
