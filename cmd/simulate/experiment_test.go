package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

const retryStorm = "../../scenarios/retry-storm.toml"

// A comparison of twelve sides reads at 100 columns: the tables split
// their columns, the verdicts wrap and name families of metrics in words,
// not keys, and every side is ranked.
func TestCompareOfTwelveSidesFitsAHundredColumns(t *testing.T) {
	args := []string{"compare", retryStorm, "--set", "duration=80s", "--seeds", "2", "--out", t.TempDir()}
	for _, v := range []string{"base", "backoff-jitter", "retry-budget", "circuit-breaker", "load-shedding", "adaptive-throttling",
		"retry-budget-aws", "retry-budget-finagle", "envoy-retry-budget", "concurrency-limit", "adaptive-lifo", "envoy-circuit-breakers"} {
		args = append(args, "--variant", v)
	}
	code, out, errOut := simulate(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 100 && !strings.HasPrefix(l, "wrote ") {
			t.Errorf("a line of %d characters:\n%s", n, l)
		}
	}
	verdicts := out[strings.Index(out, "Verdict against base"):]
	if strings.Contains(verdicts, "_") || strings.Contains(verdicts, "peak_amplification") {
		t.Errorf("the verdict names raw keys:\n%s", verdicts)
	}
	if n := strings.Count(out, " mean rank "); n != 12 {
		t.Errorf("%d sides ranked, want 12:\n%s", n, out)
	}
}

func TestCompareWritesTableJSONPlotsAndPage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cmp")
	code, out, errOut := simulate(t, "compare", retryStorm, "--variant", "base", "--variant", "retry-budget",
		"--set", "duration=100s", "--seeds", "3", "--out", dir, "--fail-if", "goodput < base", "--fail-if", "p99 > 1.2*base")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"Comparison of retry-storm: 2 sides × 3 seeds (1-3), 100s simulated each",
		"Ranking: the mean of each side's ranks on", "success rate (%)", "Peak amplification: the worst bucket", "Wasted work:", " *",
		"Verdict against base", "retry-budget: better on success", "--fail-if: none of 2 condition(s) holds"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, name := range []string{"compare.json", "compare.html", "compare-intervals.png", "compare-intervals.svg",
		"compare-goodput.png", "compare-amplification.svg", "compare-latency.png", "compare-wasted-work.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, "compare.html"))
	for _, want := range []string{"Comparison: base vs retry-budget", `class="better"`, "data:image/png;base64,", "exact McNemar"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("compare.html lacks %q", want)
		}
	}
}

func TestCompareFailIfGatesWithExitOne(t *testing.T) {
	code, out, errOut := simulate(t, "compare", retryStorm, "--variant", "base", "--variant", "retry-budget",
		"--set", "duration=100s", "--seeds", "2", "--out", t.TempDir(), "--fail-if", "success_rate > base + 1%")
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\n%s", code, exitFailure, errOut)
	}
	if !strings.Contains(errOut, "success_rate > base + 1%: retry-budget has success_rate ") || !strings.Contains(out, "success rate") {
		t.Errorf("stderr:\n%s", errOut)
	}
}

func TestExperimentsRejectBadInputAndWriteNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"fail-if metric", []string{"compare", retryStorm, "--fail-if", "p90 > base"}, `unknown metric "p90"; did you mean`},
		{"fail-if syntax", []string{"compare", retryStorm, "--fail-if", "p99 > 1.2*bse"}, `column 11: unknown name "bse"; did you mean "base"?`},
		{"variant", []string{"compare", retryStorm, "--variant", "base", "--variant", "retry-budgte"}, `did you mean "retry-budget"?`},
		{"variant of two files", []string{"compare", retryStorm, retryStorm, "--variant", "base"}, "--variant picks variants of one file"},
		{"one side", []string{"compare", "../../scenarios/validation/mm1.toml"}, "a comparison needs two sides or more, got 1"},
		{"seeds", []string{"sweep", retryStorm, "--seeds", "0"}, "--seeds must be at least 1"},
		{"set syntax", []string{"sweep", retryStorm, "--set", "client.users.retry.budget=-,{kind=\"grpc\""}, "missing }"},
		{"set value", []string{"sweep", retryStorm, "--set", "client.users.timeout=1s,fast"}, "--set client.users.timeout=fast"},
		{"set twice", []string{"sweep", retryStorm, "--set", "duration=1m", "--set", "duration=2m"}, "--set duration is given twice"},
		{"shard", []string{"sweep", retryStorm, "--shard", "3/3"}, "must be a number from 0 to 2"},
		{"best-by", []string{"sweep", retryStorm, "--best-by", "goodpt"}, `did you mean "goodput"?`},
		{"edge and shard", []string{"sweep", retryStorm, "--set", "fault[0].for=1s,6s", "--find-edge", "fault[0].for", "--shard", "0/2"}, "cannot be sharded"},
		{"edge bounds", []string{"sweep", retryStorm, "--set", "fault[0].for=1s,2s,3s", "--find-edge", "fault[0].for"}, "exactly two bounds"},
		{"merge nothing", []string{"merge", out}, "expected an output directory and one or more runs files"},
		{"merge missing file", []string{"merge", out, filepath.Join(out, "nope.jsonl")}, "nope.jsonl: cannot read it"},
	} {
		code, _, errOut := simulate(t, append(c.args, "--out", out)...)
		if c.args[0] == "merge" {
			code, _, errOut = simulate(t, c.args...)
		}
		if code != exitInput || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s", c.name, code, exitInput, c.want, errOut)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%s: wrote %s", c.name, out)
		}
	}
}

// files reads every file of a directory.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fs := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fs[e.Name()] = b
	}
	return fs
}

// A sweep split in three shards (one taking its index from the
// environment, as a Kubernetes Indexed Job's pods do) and merged is the
// unsharded sweep, byte for byte: runs.jsonl, sweep.json and every plot.
func TestShardsMergedEqualTheUnshardedSweep(t *testing.T) {
	sweep := []string{"sweep", retryStorm, "--set", "duration=100s", "--set", "client.users.users=200,240",
		"--set", `client.users.retry.budget=-,{kind="grpc"}`, "--seeds", "2"}
	whole := filepath.Join(t.TempDir(), "whole")
	code, out, errOut := simulate(t, append(sweep, "--out", whole)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"Sweep of retry-storm: 4 points × 2 seeds (1-2)", "Fixed: duration=100s",
		`#3  users=240 budget={kind="grpc"}`, "Best by success_rate: #", "Against #0", "8 runs in"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	want := files(t, whole)
	for _, name := range []string{"runs.jsonl", "sweep.json", "sweep-outcomes.png", "sweep-amplification.svg", "sweep-heatmap.png"} {
		if want[name] == nil {
			t.Errorf("the sweep did not write %s", name)
		}
	}

	shards := t.TempDir()
	for _, shard := range []string{"0/3", "1/3", "/3"} {
		t.Setenv("JOB_COMPLETION_INDEX", "2")
		if code, out, errOut := simulate(t, append(sweep, "--out", shards, "--shard", shard)...); code != exitOK || !strings.Contains(out, "simulate merge OUT") {
			t.Fatalf("shard %s: exit %d\n%s%s", shard, code, out, errOut)
		}
	}
	merged := filepath.Join(t.TempDir(), "merged")
	code, _, errOut = simulate(t, "merge", merged, filepath.Join(shards, "runs-2-of-3.jsonl"),
		filepath.Join(shards, "runs-0-of-3.jsonl"), filepath.Join(shards, "runs-1-of-3.jsonl"))
	if code != exitOK {
		t.Fatalf("merge: exit %d\n%s", code, errOut)
	}
	got := files(t, merged)
	if len(got) != len(want) {
		t.Errorf("merge wrote %d files, the sweep %d", len(got), len(want))
	}
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s differs between the merged shards and the unsharded sweep", name)
		}
	}

	code, _, errOut = simulate(t, "merge", merged, filepath.Join(shards, "runs-0-of-3.jsonl"), filepath.Join(shards, "runs-1-of-3.jsonl"))
	if code != exitInput || !strings.Contains(errOut, "runs 2, 5 of 8 are missing") {
		t.Errorf("merging two shards of three: exit %d\n%s", code, errOut)
	}

	// The finished sweep again: refused without --resume, the same bytes with.
	if code, _, errOut := simulate(t, append(sweep, "--out", whole)...); code != exitInput || !strings.Contains(errOut, "add --resume") {
		t.Errorf("running again without --resume: exit %d\n%s", code, errOut)
	}
	if code, out, errOut := simulate(t, append(sweep, "--out", whole, "--resume")...); code != exitOK || !strings.Contains(out, "0 runs in") {
		t.Fatalf("resuming: exit %d\n%s%s", code, out, errOut)
	}
	for name, b := range files(t, whole) {
		if !bytes.Equal(b, want[name]) {
			t.Errorf("%s changed when resuming a finished sweep", name)
		}
	}
}

func TestFindEdgeCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := simulate(t, "sweep", retryStorm, "--set", "duration=150s", "--set", "fault[0].for=1s,6s",
		"--find-edge", "fault[0].for", "--edge-steps", "2", "--seeds", "3", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"Edge of recovery of retry-storm along fault[0].for: 3 seeds (1-3)", "1s <", "3/3",
		"Edge: the system stops recovering between fault[0].for=", "12 runs in"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, name := range []string{"edge.json", "edge.png", "edge.svg"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestAnInterruptionExitsWith130(t *testing.T) {
	err := interrupted("interrupted: the finished runs are in %s", "x.jsonl")
	if !errors.Is(err, context.Canceled) || err.Error() != "interrupted: the finished runs are in x.jsonl" {
		t.Fatalf("%v", err)
	}
}

// --precision adds seeds until the key outcomes' intervals are narrow
// enough, or --max-seeds have run, and says which.
func TestComparePrecision(t *testing.T) {
	args := []string{"compare", retryStorm, "--variant", "base", "--variant", "backoff-jitter", "--set", "duration=100s", "--seeds", "2", "--out", t.TempDir()}
	code, out, errOut := simulate(t, append(args, "--precision", "0.0001", "--max-seeds", "6")...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "2 sides × 6 seeds (1-6)") || !strings.Contains(out, "Precision: not reached within 6 seeds: ") {
		t.Errorf("want six seeds and the precision not reached:\n%s", out)
	}
	if _, out, _ := simulate(t, append(args, "--precision", "0.9")...); !strings.Contains(out, "2 sides × 2 seeds (1-2)") ||
		!strings.Contains(out, "within ±90.0% of its mean after 2 seeds") {
		t.Errorf("want a loose precision reached with the first seeds:\n%s", out)
	}
	for _, bad := range [][]string{{"--precision", "1.5"}, {"--precision", "0.1", "--max-seeds", "1"}} {
		if code, _, _ := simulate(t, append(args, bad...)...); code != exitInput {
			t.Errorf("%v: exit %d, want %d", bad, code, exitInput)
		}
	}
}

// sweep --precision adds seeds to the whole grid as compare does, and
// cannot be sharded or resumed.
func TestSweepPrecision(t *testing.T) {
	args := []string{"sweep", "../../scenarios/validation/mm1.toml", "--set", "duration=100s", "--set", "client.arrivals.rate=200,400", "--seeds", "2"}
	code, out, errOut := simulate(t, append(args, "--out", t.TempDir(), "--precision", "0.0001", "--max-seeds", "5")...)
	if code != exitOK || !strings.Contains(out, "2 points × 5 seeds (1-5)") || !strings.Contains(out, "Precision: not reached within 5 seeds") {
		t.Errorf("exit %d, want five seeds and the precision not reached:\n%s%s", code, out, errOut)
	}
	for _, bad := range [][]string{{"--precision", "0.1", "--shard", "0/2"}, {"--precision", "0.1", "--resume"}, {"--precision", "-1"}} {
		if code, _, _ := simulate(t, append(append(args, "--out", t.TempDir()), bad...)...); code != exitInput {
			t.Errorf("%v: exit %d, want %d", bad, code, exitInput)
		}
	}
}
