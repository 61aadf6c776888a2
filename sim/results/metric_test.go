package results

import (
	"math"
	"testing"
)

// A run's detection metrics: NaN without alerts or fault; detected 0 and no
// time when no alert caught the fault.
func TestDetectionValues(t *testing.T) {
	at, after := 60.0, 12.5
	detected, ttd := detectionMetrics(true)[0], detectionMetrics(true)[1]
	for _, tt := range []struct {
		name          string
		d             *Detection
		found, inTime float64
	}{
		{"no alerts", nil, math.NaN(), math.NaN()},
		{"no fault", &Detection{}, math.NaN(), math.NaN()},
		{"missed", &Detection{FirstFaultAtS: &at}, 0, math.NaN()},
		{"caught", &Detection{FirstFaultAtS: &at, TimeToDetectS: &after}, 1, 12.5},
	} {
		o := &Outcome{Detection: tt.d}
		if got := detected.value(o); !same(got, tt.found) {
			t.Errorf("%s: detected %g, want %g", tt.name, got, tt.found)
		}
		if got := ttd.value(o); !same(got, tt.inTime) {
			t.Errorf("%s: time to detect %g, want %g", tt.name, got, tt.inTime)
		}
	}
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func TestStateValues(t *testing.T) {
	dup := stateMetrics(true)[0]
	if v := dup.value(&Outcome{State: &State{DuplicateWrites: 7}}); v != 7 {
		t.Errorf("duplicate writes %g, want 7", v)
	}
	if v := dup.value(&Outcome{}); !math.IsNaN(v) {
		t.Errorf("a run without state: %g, want NaN", v)
	}
}
