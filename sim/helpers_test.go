package sim_test

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// run parses a scenario written inline in a test and runs it.
func run(t *testing.T, scenario string) *results.Run {
	t.Helper()
	return runVariant(t, scenario, "")
}

func runVariant(t *testing.T, scenario, variant string) *results.Run {
	t.Helper()
	sc, err := scenariofile.Parse("test.toml", []byte(scenario), variant)
	if err != nil {
		t.Fatalf("bad test scenario:\n%s", err.(scenariofile.Errors).Pretty())
	}
	return mustRun(t, sc, sc.Seed)
}

// mustRun runs sc to its end: a broken invariant or a stop fails the test.
func mustRun(tb testing.TB, sc *topology.Scenario, seed uint64) *results.Run {
	tb.Helper()
	r, err := sim.Run(context.Background(), sc, sim.Options{Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	if r.Summary.Incomplete {
		tb.Fatalf("%s stopped: %s", sc.Name, r.Summary.StopReason)
	}
	return r
}

// runFile runs a shipped scenario.
func runFile(t *testing.T, path, variant string) *results.Run {
	t.Helper()
	sc, err := scenariofile.Load(path, variant)
	if err != nil {
		t.Fatalf("%s:\n%v", path, err)
	}
	return mustRun(t, sc, sc.Seed)
}

// near fails unless got is within rel (a fraction) of want.
func near(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.6g, want %.6g within %g%% (off by %.2f%%)", what, got, want, 100*rel, 100*math.Abs(got-want)/math.Abs(want))
	}
}

// slow skips a test that runs long simulations or renders many figures
// when -short asks for a quick pass (CI's race-detector run uses it: these
// tests run on one goroutine, with nothing concurrent to race).
func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("long; run without -short")
	}
}

// shippedFiles lists every shipped scenario file, sorted.
func shippedFiles(tb testing.TB) []string {
	files, _ := filepath.Glob("../scenarios/*.toml")
	more, _ := filepath.Glob("../scenarios/*/*.toml")
	files = append(files, more...)
	if len(files) == 0 {
		tb.Fatal("no shipped scenarios found")
	}
	slices.Sort(files)
	return files
}
