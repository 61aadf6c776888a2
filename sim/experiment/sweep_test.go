package experiment

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
)

const (
	mm1        = "../../scenarios/validation/mm1.toml"
	retryStorm = "../../scenarios/retry-storm.toml"
)

func axes(t *testing.T, specs ...string) []results.Axis {
	t.Helper()
	var as []results.Axis
	for _, s := range specs {
		a, err := ParseAxis(s)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	return as
}

// smallSweep is retry-storm shortened to 100s (its fault is at 60-70s), with
// and without a retry budget, at two rates of thinking: 4 points × 3 seeds.
func smallSweep(t *testing.T) *Sweep {
	t.Helper()
	s, err := NewSweep(mustConfig(t, retryStorm), axes(t, "duration=100s",
		`client.users.retry.budget=-,{kind="grpc"}`, "client.users.think.mean=3s,4s"), 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// outputs runs a sweep's runs files through Merge and returns its final
// files: what `simulate sweep` writes besides the plots.
func outputs(t *testing.T, paths ...string) map[string][]byte {
	t.Helper()
	sw, err := results.Merge(paths, "success_rate")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := sw.RunsJSONL()
	if err != nil {
		t.Fatal(err)
	}
	js, err := sw.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"runs.jsonl": runs, "sweep.json": js}
}

func sameFiles(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s: %s differs (%d bytes, want %d)", what, name, len(got[name]), len(w))
		}
	}
}

func TestShardsMergedEqualTheWholeSweep(t *testing.T) {
	s := smallSweep(t)
	whole := t.TempDir()
	path, err := s.Execute(context.Background(), RunOptions{Dir: whole})
	if err != nil {
		t.Fatal(err)
	}
	want := outputs(t, path)

	dir := t.TempDir()
	var shards []string
	for i := range 3 {
		// One worker for one shard, three for another: neither matters.
		p, err := s.Execute(context.Background(), RunOptions{Dir: dir, Shard: Shard{i, 3}, Parallel: inReverse})
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, p)
	}
	if filepath.Base(shards[2]) != "runs-2-of-3.jsonl" {
		t.Errorf("shard file %s", shards[2])
	}
	// Merged in any order.
	sameFiles(t, "3 shards merged", outputs(t, shards[2], shards[0], shards[1]), want)
	if !strings.Contains(string(want["sweep.json"]), `"pooled_latency_s"`) {
		t.Error("sweep.json lacks the pooled latency")
	}
}

func TestResumeAfterAnInterruptionGivesTheSameResult(t *testing.T) {
	s := smallSweep(t)
	path, err := s.Execute(context.Background(), RunOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := outputs(t, path)

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stop := func(done, total int) {
		if done >= 5 {
			cancel()
		}
	}
	path, err = s.Execute(ctx, RunOptions{Dir: dir, Progress: stop})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sweep: err %v, want context.Canceled", err)
	}
	rf, err := results.ReadRuns(path)
	if err != nil || rf.Partial || len(rf.Records) < 5 || len(rf.Records) >= s.Runs() {
		t.Fatalf("after the interruption: %d whole runs of %d, partial %v, err %v", len(rf.Records), s.Runs(), rf.Partial, err)
	}
	// A crash in the middle of a line leaves part of it: resuming cuts it off.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"run":11,"point":3,"se`)
	f.Close()

	if _, err := s.Execute(context.Background(), RunOptions{Dir: dir}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("running again without resuming: %v, want fs.ErrExist", err)
	}
	var ran []int
	count := func(done, total int) { ran = append(ran, done) }
	if _, err := s.Execute(context.Background(), RunOptions{Dir: dir, Resume: true, Progress: count}); err != nil {
		t.Fatal(err)
	}
	if ran[0] != len(rf.Records) || ran[len(ran)-1] != s.Runs() {
		t.Errorf("resumed progress %v: want it to start at the %d runs kept and end at %d", ran, len(rf.Records), s.Runs())
	}
	sameFiles(t, "resumed", outputs(t, path), want)
}

func TestResumeRefusesAnotherSweepsFile(t *testing.T) {
	dir := t.TempDir()
	s := smallSweep(t)
	if _, err := s.Execute(context.Background(), RunOptions{Dir: dir, Shard: Shard{0, 6}}); err != nil {
		t.Fatal(err)
	}
	other, err := NewSweep(mustConfig(t, retryStorm), axes(t, "duration=100s",
		`client.users.retry.budget=-,{kind="grpc"}`, "client.users.think.mean=3s,5s"), 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.Execute(context.Background(), RunOptions{Dir: dir, Shard: Shard{0, 6}, Resume: true})
	var in results.InputError
	if !errors.As(err, &in) || !strings.Contains(err.Error(), "of other settings") {
		t.Fatalf("got %v", err)
	}
}

func TestMergeChecksEveryRunOnce(t *testing.T) {
	dir := t.TempDir()
	s := smallSweep(t)
	var shards []string
	for i := range 3 {
		p, err := s.Execute(context.Background(), RunOptions{Dir: dir, Shard: Shard{i, 3}})
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, p)
	}
	for _, c := range []struct {
		name  string
		paths []string
		want  string
	}{
		{"missing shard", shards[:2], "runs 2, 5, 8, 11 of 12 are missing"},
		{"shard twice", []string{shards[0], shards[1], shards[2], shards[1]}, "run 1 is in " + shards[1] + ":2 and in " + shards[1]},
	} {
		if _, err := results.Merge(c.paths, "success_rate"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := results.Merge(shards, "succes_rate"); err == nil || !strings.Contains(err.Error(), `did you mean "success_rate"`) {
		t.Errorf("bad --best-by: %v", err)
	}
}

func TestSweepSummary(t *testing.T) {
	s := smallSweep(t)
	path, err := s.Execute(context.Background(), RunOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := results.Merge([]string{path}, "success_rate")
	if err != nil {
		t.Fatal(err)
	}
	if len(sw.Points) != 4 || sw.Points[1].Label != "budget=- mean=4s" || sw.Points[2].Label != `budget={kind="grpc"} mean=3s` {
		t.Fatalf("points %+v", sw.Points)
	}
	m := sw.Metrics[0]
	if m.Name != "success_rate" || len(m.Values[0]) != 3 {
		t.Fatalf("first metric %s with %d values", m.Name, len(m.Values[0]))
	}
	// The base storms after its fault at 60s; a gRPC retry budget stops it.
	base, budget := m.Estimates[0], m.Estimates[2]
	if base.Mean >= budget.Mean || !m.Differences[2].Significant {
		t.Errorf("success rate %.3f without a budget, %.3f with one, difference %+v", base.Mean, budget.Mean, m.Differences[2])
	}
	if b := sw.Best; b.Metric != "success_rate" || (b.Point != 2 && b.Point != 3) {
		t.Errorf("best %+v", b)
	}
}

func TestBadGridPointsAreReportedBeforeAnyRun(t *testing.T) {
	_, err := NewSweep(mustConfig(t, retryStorm), axes(t, "client.users.timeout=1s,-2s,fast"), 2, 1)
	if err == nil {
		t.Fatal("accepted a negative and a non-duration timeout")
	}
	for _, want := range []string{"--set client.users.timeout=-2s", "--set client.users.timeout=fast"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// The 95% interval of the mean time in system of an M/M/1 queue at 50% load
// contains the closed form W = 1/(mu - lambda) = 2ms, and is narrow enough
// to exclude 2.1ms, 5% off.
func TestConfidenceIntervalContainsTheMM1Mean(t *testing.T) {
	slow(t)
	s, err := NewSweep(mustConfig(t, mm1), axes(t, "duration=200s"), 12, 1)
	if err != nil {
		t.Fatal(err)
	}
	path, err := s.Execute(context.Background(), RunOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := results.Merge([]string{path}, "success_rate")
	if err != nil {
		t.Fatal(err)
	}
	var e *results.Estimate
	for _, m := range sw.Metrics {
		if m.Name == "mean_latency" {
			e = m.Estimates[0]
		}
	}
	if e == nil || e.N != 12 {
		t.Fatalf("mean latency: %+v", e)
	}
	t.Logf("W = %.5fms ± %.5fms", 1e3*e.Mean, 1e3*e.HalfWidth())
	if *e.Lo > 0.002 || *e.Hi < 0.002 {
		t.Errorf("95%% interval [%.5f, %.5f]s misses W = 2ms", *e.Lo, *e.Hi)
	}
	if *e.Hi >= 0.0021 || *e.Lo <= 0.0019 {
		t.Errorf("95%% interval [%.5f, %.5f]s does not exclude 1.9ms and 2.1ms", *e.Lo, *e.Hi)
	}
}

// mustConfig reads a scenario file for a test.
func mustConfig(t testing.TB, path string, sets ...scenariofile.Setting) Config {
	t.Helper()
	c, err := ReadConfig(path, "", sets...)
	if err != nil {
		t.Fatal(err)
	}
	return c
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

// inReverse runs the last job first: what an experiment writes must not
// depend on the order in which its runs finish.
func inReverse(n int, work func(i int)) {
	for i := n - 1; i >= 0; i-- {
		work(i)
	}
}

// A sweep run to precision runs each run once, and ends with the files a
// sweep of its final seeds writes.
func TestSweepToPrecisionIsASweepOfMoreSeeds(t *testing.T) {
	slow(t)
	s := smallSweep(t)
	ran := 0
	counting := func(n int, work func(i int)) { ran += n; Sequential(n, work) }
	path, sw, err := s.ExecuteToPrecision(context.Background(), RunOptions{Dir: t.TempDir(), Parallel: counting},
		Precision{RelativeHalfWidth: 0.0001, MaxSeeds: 7}, "success_rate")
	if err != nil {
		t.Fatal(err)
	}
	if p := sw.Precision; p == nil || p.Reached || len(sw.Seeds) != 7 {
		t.Fatalf("precision %+v after %d seeds: want not reached within 7", p, len(sw.Seeds))
	}
	whole, err := NewSweep(mustConfig(t, retryStorm), s.axes, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	wpath, err := whole.Execute(context.Background(), RunOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "to precision against a sweep of 7 seeds", outputs(t, path), outputs(t, wpath))
	if ran != 4*7 {
		t.Errorf("%d runs, want each of the 4 points' 7 seeds run once", ran)
	}
}
