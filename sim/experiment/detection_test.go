package experiment

import (
	"context"
	"slices"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

// Comparing slow-drift's alerting rules shows what they are for: an SLO
// that counts slow successes as good pages minutes later, on every seed.
// The time to detect is judged by its median and the sign test, which
// needs six seeds to find a difference at 5% (one way on all six: p =
// 2/64).
func TestCompareTimeToDetect(t *testing.T) {
	if testing.Short() {
		t.Skip("runs slow-drift on 6 seeds")
	}
	sides, err := VariantSides(mustConfig(t, "../../scenarios/slow-drift.toml"), []string{"base", "availability-only"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewComparison(sides, []uint64{1, 2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	if got := results.MetricNames(c.Metrics()); !slices.Contains(got, "time_to_detect") {
		t.Fatalf("metrics %q, want time_to_detect", got)
	}
	res, err := c.Run(context.Background(), Sequential, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(res.Metrics, func(m results.MetricResult) bool { return m.Name == "time_to_detect" })
	m := res.Metrics[i]
	if base, slo := m.Estimates[0].Center(), m.Estimates[1].Center(); !(slo > base+60) {
		t.Errorf("time to detect: base %.0fs, availability-only %.0fs; want the availability SLO a minute later or more", base, slo)
	}
	if !slices.Contains(res.Verdicts[0].Worse, "time_to_detect") {
		t.Errorf("verdict %+v, want time_to_detect worse", res.Verdicts[0])
	}
}
