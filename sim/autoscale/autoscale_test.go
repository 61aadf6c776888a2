package autoscale

import (
	"fmt"
	"testing"

	"github.com/failsim/failsim/sim/des"
)

func TestDesired(t *testing.T) {
	for _, tc := range []struct {
		name           string
		current        int
		metric, target float64
		tolerance      float64
		lo, hi         int
		want           int
	}{
		{"at target: no change", 4, 0.6, 0.6, 0.1, 1, 10, 4},
		{"8% over, within tolerance", 4, 0.65, 0.6, 0.1, 1, 10, 4},
		{"just past tolerance scales up", 4, 0.672, 0.6, 0.1, 1, 10, 5}, // ceil(4 × 1.12) = 5
		{"twice the target doubles", 3, 1.0, 0.5, 0.1, 1, 10, 6},
		{"saturated at 100% grows by 1/target at most", 2, 1.0, 0.6, 0.1, 1, 10, 4}, // ceil(3.33)
		{"half the target halves, rounding up", 5, 0.3, 0.6, 0.1, 1, 10, 3},         // ceil(2.5)
		{"idle goes to min", 5, 0, 0.6, 0.1, 2, 10, 2},
		{"clamped to max", 4, 1.0, 0.2, 0.1, 1, 10, 10},
		{"below min within tolerance is raised to min", 1, 0.6, 0.6, 0.1, 2, 10, 2},
		{"queue metric: 30 waiting per instance against 10", 2, 30, 10, 0.1, 1, 20, 6},
		{"zero tolerance reacts to any difference", 10, 0.61, 0.6, 0, 1, 20, 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Desired(tc.current, tc.metric, tc.target, tc.tolerance, tc.lo, tc.hi); got != tc.want {
				t.Errorf("Desired(%d, %g, %g, %g, %d, %d) = %d, want %d", tc.current, tc.metric, tc.target, tc.tolerance, tc.lo, tc.hi, got, tc.want)
			}
		})
	}
}

// A sequence of decisions with a 60s cool-down: a change holds every other
// change off for 60s, in both directions; a decision with nothing to change
// does not start a cool-down.
func TestScalerCooldown(t *testing.T) {
	s := &Scaler{Target: 0.5, Tolerance: 0.1, Min: 1, Max: 10, Cooldown: des.FromSeconds(60)}
	current := 2
	for _, step := range []struct {
		at     float64
		metric float64
		want   int
	}{
		{15, 0.5, 2},  // at target
		{30, 1.0, 4},  // doubles: the cool-down starts
		{45, 1.0, 4},  // would double again, held
		{75, 0.1, 4},  // would scale down, held (30 + 60 = 90)
		{90, 1.0, 8},  // the cool-down is over
		{105, 0.1, 8}, // held until 150
		{150, 0.1, 2}, // ceil(8 × 0.2)
	} {
		got := s.Decide(des.FromSeconds(step.at), current, step.metric)
		if got != step.want {
			t.Fatalf("at %gs with metric %g and %d requested: Decide = %d, want %d", step.at, step.metric, current, got, step.want)
		}
		current = got
	}
}

func ExampleDesired() {
	// Three instances at 90% utilization against a 60% target.
	fmt.Println(Desired(3, 0.9, 0.6, 0.1, 1, 10))
	// Output: 5
}

// Decide is Desired held back by the cool-down: within Cooldown of the last
// change nothing changes, in either direction.
func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name       string
		lastChange float64 // seconds; negative for none yet
		now        float64
		cooldown   float64
		current    int
		metric     float64
		want       int
	}{
		{"no change yet: the rule decides", -1, 15, 60, 2, 1.0, 4},
		{"within the cool-down: held", 30, 60, 60, 2, 1.0, 2},
		{"scale-down held as well", 30, 60, 60, 8, 0.1, 8},
		{"at the end of the cool-down: decides", 30, 90, 60, 2, 1.0, 4},
		{"no cool-down", 30, 30, 0, 2, 1.0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Scaler{Target: 0.5, Tolerance: 0.1, Min: 1, Max: 10, Cooldown: des.FromSeconds(tc.cooldown)}
			if tc.lastChange >= 0 {
				s.Decide(des.FromSeconds(tc.lastChange), 1, 1.0) // a change: 1 → 2
			}
			if got := s.Decide(des.FromSeconds(tc.now), tc.current, tc.metric); got != tc.want {
				t.Errorf("Decide(%gs, %d, %g) = %d, want %d", tc.now, tc.current, tc.metric, got, tc.want)
			}
		})
	}
}
