package plots_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Experiment fixtures in testdata/experiment: runs.jsonl, a sweep of
// retry-storm over users (200, 240) and a retry budget (without, gRPC),
// 3 seeds each; edge.json, an edge search of its fault's length.
func sweepFixture(t testing.TB) *results.SweepResult {
	t.Helper()
	sw, err := results.Merge([]string{filepath.Join("testdata", "experiment", "runs.jsonl")}, "success_rate")
	if err != nil {
		t.Fatal(err)
	}
	return sw
}

func edgeFixture(t testing.TB) *results.Edge {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "experiment", "edge.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e results.Edge
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

// The experiment figures' SVGs are reviewed pictures too, drawn from the
// fixtures (not from fresh runs, so that engine changes do not move them).
// Rewrite them with go test ./plots/ -run ExperimentGolden -update.
func TestExperimentGolden(t *testing.T) {
	slow(t)
	figs := append(plots.Sweep(sweepFixture(t)), plots.Edge(edgeFixture(t)))
	if got, want := names(figs), []string{"sweep-outcomes", "sweep-amplification", "sweep-heatmap", "edge"}; !slices.Equal(got, want) {
		t.Fatalf("figures %q, want %q", got, want)
	}
	files, err := plots.Files(figs)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "experiment", "golden")
	for name, got := range files {
		if !strings.HasSuffix(name, ".svg") {
			continue
		}
		path := filepath.Join(dir, name)
		if *update {
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run go test ./plots/ -run ExperimentGolden -update to write it)", err)
			continue
		}
		if !bytes.Equal(got, want) {
			out := filepath.Join(t.TempDir(), name)
			os.WriteFile(out, got, 0o644)
			t.Errorf("%s differs from its golden file; got %s (rewrite with -update if the change is intended)", name, out)
		}
	}
}

func TestSweepFiguresFollowTheSweptSettings(t *testing.T) {
	sw := sweepFixture(t)
	for _, f := range plots.Sweep(sw) {
		svg, err := f.SVG()
		if err != nil {
			t.Fatal(err)
		}
		// Legends and ticks name the values, and spell out "-".
		for _, want := range []string{"budget=- (as in the file)", "200", "240"} {
			if f.Name != "sweep-heatmap" && !bytes.Contains(svg, []byte(want)) {
				t.Errorf("%s lacks %q", f.Name, want)
			}
		}
		if w, _ := f.Size(); w < 1200 || f.About == "" {
			t.Errorf("%s: width %d, about %q", f.Name, w, f.About)
		}
	}
}

// One swept setting gives lines and no heatmap; none, nothing to draw
// against.
func TestSweepFiguresOfOneAndNoSweptSetting(t *testing.T) {
	for _, c := range []struct {
		sets []string
		want []string
	}{
		{[]string{"duration=20s", "client.arrivals.rate=200,400,600"}, []string{"sweep-outcomes", "sweep-amplification"}},
		{[]string{"duration=20s"}, nil},
	} {
		var axes []results.Axis
		for _, spec := range c.sets {
			a, _ := experiment.ParseAxis(spec)
			axes = append(axes, a)
		}
		s, err := experiment.NewSweep(mustConfig(t, "../scenarios/validation/mm1.toml"), axes, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		path, err := s.Execute(context.Background(), experiment.RunOptions{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		sw, err := results.Merge([]string{path}, "goodput")
		if err != nil {
			t.Fatal(err)
		}
		if got := names(plots.Sweep(sw)); !slices.Equal(got, c.want) {
			t.Errorf("%v: figures %q, want %q", c.sets, got, c.want)
		}
	}
}

func TestCompareIntervals(t *testing.T) {
	sides, err := experiment.VariantSides(mustConfig(t, "../scenarios/retry-storm.toml", scenariofile.Setting{Key: "duration", Value: "100s"}),
		[]string{"base", "retry-budget"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := experiment.NewComparison(sides, []uint64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Run(context.Background(), experiment.Sequential, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := plots.CompareIntervals(r)
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Comparison of retry-storm: base vs retry-budget", "success rate", "seeds that recovered (%)", "retry-budget"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("compare-intervals lacks %q", want)
		}
	}
}
