package experiment

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
)

func compareStorm(t *testing.T, par Parallel) *results.CompareResult {
	t.Helper()
	sides, err := VariantSides(mustConfig(t, retryStorm, []scenariofile.Setting{{Key: "duration", Value: "150s"}}...), []string{"base", "retry-budget", "load-shedding"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewComparison(sides, []uint64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Run(context.Background(), par, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCompareJudgesEverySideAgainstTheFirst(t *testing.T) {
	r := compareStorm(t, Sequential)
	if len(r.Sides) != 3 || r.Sides[1].Label != "retry-budget" || r.Sides[1].Variant != "retry-budget" || r.Sides[0].Variant != "" {
		t.Fatalf("sides %+v", r.Sides)
	}
	names := make([]string, len(r.Metrics))
	for i, m := range r.Metrics {
		names[i] = m.Name
	}
	for _, want := range []string{"success_rate", "goodput", "p99", "recovered", "recovered_after", "wasted_work",
		"amplification.users", "peak_amplification.api", "wasted_work.api"} {
		if !slices.Contains(names, want) {
			t.Errorf("no metric %s in %v", want, names)
		}
	}
	if slices.Contains(names, "wasted_work.lb") {
		t.Error("a load balancer does no work to waste")
	}
	// Both fixes recover where the base does not, on all four seeds.
	for _, v := range r.Verdicts {
		for _, want := range []string{"success_rate", "goodput", "peak_amplification.api"} {
			if !slices.Contains(v.Better, want) {
				t.Errorf("%s is not better on %s: %+v", v.Label, want, v)
			}
		}
	}
	rec := r.Metrics[slices.Index(names, "recovered")]
	if rec.Estimates[0].Mean != 0 || rec.Estimates[2].Mean != 1 || rec.Differences[2].Test != "exact McNemar" {
		t.Errorf("recovered: %+v %+v %+v", rec.Estimates[0], rec.Estimates[2], rec.Differences[2])
	}
	means := r.MeanRuns()
	if len(means) != 3 || len(means[0].Series.Get("users", "goodput_rps")) != 150 {
		t.Fatalf("mean runs: %d", len(means))
	}
}

// The result is the same bytes whatever the order in which runs finish.
func TestCompareIsDeterministic(t *testing.T) {
	slow(t)
	a, err := compareStorm(t, Sequential).JSON()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := compareStorm(t, inReverse).JSON()
	if !bytes.Equal(a, b) {
		t.Fatal("compare.json differs when the runs finish in reverse order")
	}
	if !bytes.Contains(a, []byte(`"test": "exact McNemar"`)) {
		t.Error("compare.json does not name the test of recovered")
	}
}

func TestSidesOfFiles(t *testing.T) {
	sides := FileSides([]Config{mustConfig(t, retryStorm), mustConfig(t, mm1)})
	if sides[0].Label != "retry-storm" || sides[1].Label != "mm1" {
		t.Fatalf("%+v", sides)
	}
	sides = FileSides([]Config{mustConfig(t, retryStorm), mustConfig(t, "../experiment/"+retryStorm)})
	if sides[1].Label != "../experiment/"+retryStorm {
		t.Errorf("files of one name are labelled by path: %q", sides[1].Label)
	}
	if _, err := VariantSides(mustConfig(t, retryStorm), []string{"base", "base"}); err == nil {
		t.Error("accepted a variant twice")
	}
	if _, err := NewComparison([]Side{{Label: "x", Config: Config{File: "x.toml", Source: []byte("duration = 1")}},
		{Label: "y", Config: Config{File: "y.toml", Source: []byte("[client.c]\n")}}}, []uint64{1}); err == nil ||
		!strings.Contains(err.Error(), "x.toml:1:12") || !strings.Contains(err.Error(), "y.toml") {
		t.Errorf("problems of both sides: %v", err)
	}
}

// A stopping rule on precision adds seeds until the intervals are narrow
// enough, and what it gives is what a comparison of those seeds gives,
// byte for byte: the seeds added continue the first ones.
func TestRunToPrecisionIsARunOfMoreSeeds(t *testing.T) {
	slow(t)
	sides, err := VariantSides(mustConfig(t, retryStorm, scenariofile.Setting{Key: "duration", Value: "100s"}), []string{"base", "retry-budget"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewComparison(sides, []uint64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.RunToPrecision(context.Background(), Sequential, nil, Precision{RelativeHalfWidth: 0.05, MaxSeeds: 12})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Seeds); n <= 3 || n > 12 || got.Seeds[n-1] != uint64(n) {
		t.Fatalf("seeds %v: want more than the first 3, at most 12, continuing them", got.Seeds)
	}
	p := got.Precision
	if p == nil || p.Reached != (p.Worst.Ratio <= 1) || !p.Reached && len(got.Seeds) != 12 {
		t.Fatalf("precision %+v after %d seeds: reached, or stopped at the maximum", p, len(got.Seeds))
	}
	again, err := NewComparison(sides, got.Seeds)
	if err != nil {
		t.Fatal(err)
	}
	want, err := again.Run(context.Background(), Sequential, nil)
	if err != nil {
		t.Fatal(err)
	}
	want.Precision = got.Precision
	a, _ := got.JSON()
	b, _ := want.JSON()
	if !bytes.Equal(a, b) {
		t.Error("the comparison run to precision differs from one run on its seeds")
	}
}
