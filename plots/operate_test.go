package plots_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/sim/results"
)

// Interventions are marked, by name, on every panel of the time axis; a
// service whose instances change gets a capacity panel, one whose
// instances do not change gets none.
func TestInterventionsAndCapacity(t *testing.T) {
	end := 70.0
	r := with(fixture(t, "run"), results.Key{Component: "api", Metric: "replicas"})
	r.Summary.Interventions = []results.Intervention{
		{Name: "kill switch", Kind: "retries-off", Targets: []string{"web"}, AtS: 50, EndS: &end, Effect: "web no longer retries"},
	}
	if figs := plots.Figures(r); slices.Contains(names(figs), "capacity") {
		t.Errorf("figures %v: a capacity figure although api kept its instances", names(figs))
	}
	replicas := r.Series.Get("api", "replicas")
	for i, at := range r.Series.Times {
		if at >= 50 {
			replicas[i] = 2
		}
	}
	figs := plots.Figures(r)
	if !slices.Contains(names(figs), "capacity") {
		t.Fatalf("figures %v, want one of capacity", names(figs))
	}
	for name, svg := range svgs(t, figs) {
		if !bytes.Contains(svg, []byte("kill switch")) {
			t.Errorf("%s does not mark the intervention", name)
		}
		if name == "capacity" && !bytes.Contains(svg, []byte("api instances serving")) {
			t.Errorf("the capacity figure does not show api's instances")
		}
	}
}

// A comparison marks each run's interventions, in that run's colour, on
// every figure.
func TestComparisonMarksEachRunsInterventions(t *testing.T) {
	base, switched := fixture(t, "run"), fixture(t, "run")
	switched.Summary.Interventions = []results.Intervention{
		{Name: "kill switch", Kind: "retries-off", Targets: []string{"web"}, AtS: 50, Effect: "web no longer retries"},
	}
	figs := plots.Compare([]plots.Labeled{{Label: "base", Run: base}, {Label: "kill-switch", Run: switched}})
	if len(figs) == 0 {
		t.Fatal("no comparison figures")
	}
	for name, svg := range svgs(t, figs) {
		if !bytes.Contains(svg, []byte("kill switch")) {
			t.Errorf("%s does not mark kill-switch's intervention", name)
		}
	}
	for name, svg := range svgs(t, plots.Compare([]plots.Labeled{{Label: "a", Run: base}, {Label: "b", Run: fixture(t, "run")}})) {
		if bytes.Contains(svg, []byte("▶")) {
			t.Errorf("%s marks an intervention neither run made", name)
		}
	}
}
