package plots_test

import (
	"bytes"
	"testing"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/sim/results"
)

// Alerts are marked on every figure of a run: one that fired and resolved,
// one still firing at the end, one outside the run; each changes the
// drawing, and none breaks it.
func TestAlertFiringsAreMarked(t *testing.T) {
	resolved := 40.0
	plain := svgs(t, plots.Figures(fixture(t, "run")))
	r := fixture(t, "run")
	r.Summary.Alerts = []results.Alert{
		{Name: "burn", Kind: "burn_rate", FiredAtS: 20, ResolvedAtS: &resolved},
		{Name: "errors", Kind: "threshold", FiredAtS: 50},
		{Name: "late", Kind: "threshold", FiredAtS: 1e6},
	}
	marked := svgs(t, plots.Figures(r))
	for name, svg := range marked {
		if bytes.Equal(svg, plain[name]) {
			t.Errorf("%s: no alert marked", name)
		}
		if !bytes.Contains(svg, []byte("burn fired")) || bytes.Contains(svg, []byte("late fired")) {
			t.Errorf("%s: want the label of the alert that fired in the run, not of the one outside it", name)
		}
	}
}
