package experiment

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

// A run's detection metrics: NaN without alerts or fault; detected 0 and no
// time when no alert caught the fault.
func TestDetectionValues(t *testing.T) {
	at, after := 60.0, 12.5
	detected, ttd := detectionMetrics(true)[0], detectionMetrics(true)[1]
	for _, tt := range []struct {
		name          string
		d             *results.Detection
		found, inTime float64
	}{
		{"no alerts", nil, math.NaN(), math.NaN()},
		{"no fault", &results.Detection{}, math.NaN(), math.NaN()},
		{"missed", &results.Detection{FirstFaultAtS: &at}, 0, math.NaN()},
		{"caught", &results.Detection{FirstFaultAtS: &at, TimeToDetectS: &after}, 1, 12.5},
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

// Comparing slow-drift's alerting rules shows what they are for: an SLO
// that counts slow successes as good pages minutes later, on every seed.
func TestCompareTimeToDetect(t *testing.T) {
	if testing.Short() {
		t.Skip("runs slow-drift on 3 seeds")
	}
	sides, err := VariantSides("../../scenarios/slow-drift.toml", []string{"base", "availability-only"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewComparison(sides, []uint64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := metricNames(c.Metrics()); !slices.Contains(got, "time_to_detect") {
		t.Fatalf("metrics %q, want time_to_detect", got)
	}
	res, err := c.Run(context.Background(), Sequential, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(res.Metrics, func(m MetricResult) bool { return m.Name == "time_to_detect" })
	m := res.Metrics[i]
	if base, slo := m.Estimates[0].Mean, m.Estimates[1].Mean; !(slo > base+60) {
		t.Errorf("time to detect: base %.0fs, availability-only %.0fs; want the availability SLO a minute later or more", base, slo)
	}
	if !slices.Contains(res.Verdicts[0].Worse, "time_to_detect") {
		t.Errorf("verdict %+v, want time_to_detect worse", res.Verdicts[0])
	}
}
