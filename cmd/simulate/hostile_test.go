package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tiny is a scenario that runs in milliseconds.
const tiny = `
duration = "2s"
[client.c]
target = "s"
rate = 10
timeout = "1s"
[service.s]
workers = 2
service_time = "1ms"
`

// hostile is one command line fed input a careful reviewer would not
// trust: it must be refused with a clear message (or do what it says), and
// never write outside the output folder.
type hostile struct {
	name   string
	files  map[string]string // scenario files, by name, in the working folder
	args   []string
	code   int
	want   []string   // in stderr
	before [][]string // command lines run first, each of which must succeed
}

// The working folder is ROOT/a/b, so that a write that escapes out/ by two
// levels lands in ROOT, where the test sees it.
func runHostile(t *testing.T, tc hostile) (stdout, stderr string) {
	t.Helper()
	root := t.TempDir()
	work := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range tc.files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(work)
	for _, args := range tc.before {
		if code, _, stderr := simulate(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	code, stdout, stderr := simulate(t, tc.args...)
	if code != tc.code {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
	}
	for _, w := range tc.want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(work, path)
		_, input := tc.files[rel]
		if err == nil && !d.IsDir() && !input && !strings.HasPrefix(rel, outRoot+string(filepath.Separator)) {
			t.Errorf("wrote %s, outside the output folder", path)
		}
		return nil
	})
	return stdout, stderr
}

func TestHostileNamesStayInsideTheOutputFolder(t *testing.T) {
	escape := `name = "../../escape1"` + tiny
	variant := tiny + "[variant.\"../../../vv\"]\ndescription = \"x\"\n"
	for _, tc := range []hostile{
		{name: "scenario name", files: map[string]string{"s.toml": escape},
			args: []string{"run", "s.toml"}, code: exitInput, want: []string{`s.toml:1:8: name "../../escape1": use letters, digits`}},
		{name: "--set name", files: map[string]string{"s.toml": tiny},
			args: []string{"run", "s.toml", "--set", "name=../../x"}, code: exitInput, want: []string{`--set name=../../x: name "../../x"`}},
		{name: "variant name", files: map[string]string{"s.toml": variant},
			args: []string{"run", "s.toml", "--variant", "../../../vv"}, code: exitInput, want: []string{`variant name "../../../vv"`}},
		{name: "file name", files: map[string]string{"..toml": tiny},
			args: []string{"run", "..toml"}, code: exitInput, want: []string{`named after its file, "."`}},
		{name: "compare", files: map[string]string{"s.toml": escape + "[variant.v]\ndescription = \"x\"\n"},
			args: []string{"compare", "s.toml", "--seeds", "2"}, code: exitInput, want: []string{`name "../../escape1"`}},
		{name: "compare files", files: map[string]string{"s.toml": escape, "t.toml": tiny},
			args: []string{"compare", "s.toml", "t.toml", "--seeds", "2"}, code: exitInput, want: []string{`name "../../escape1"`}},
		{name: "sweep", files: map[string]string{"s.toml": escape},
			args: []string{"sweep", "s.toml", "--set", "client.c.rate=10,20", "--seeds", "2"}, code: exitInput, want: []string{`name "../../escape1"`}},
		{name: "sweep over the name", files: map[string]string{"s.toml": tiny},
			args: []string{"sweep", "s.toml", "--set", "name=x,../../y", "--seeds", "2"}, code: exitInput, want: []string{`name "../../y"`}},
	} {
		t.Run(tc.name, func(t *testing.T) { runHostile(t, tc) })
	}
}

// A run keeps one value per metric per bucket: the limit holds whatever
// set the duration and the bucket (the file, --set, a flag), and is
// checked before anything runs, by every command.
func TestRunLimitsHoldForEveryCombinationOfFileAndFlags(t *testing.T) {
	long := `duration = "2562047h"` + tiny[len("\nduration = \"2s\""):]
	ms := tiny + "[metrics]\nbucket = \"1ms\"\n"
	for _, tc := range []hostile{
		{name: "check, long duration", files: map[string]string{"s.toml": long},
			args: []string{"check", "s.toml"}, code: exitInput, want: []string{"s.toml:1:12: duration: 2562047h in buckets of 1s is 9223369200 buckets"}},
		{name: "run, long duration", files: map[string]string{"s.toml": long},
			args: []string{"run", "s.toml"}, code: exitInput, want: []string{"is 9223369200 buckets; a run keeps at most 1000000"}},
		{name: "run, short bucket, --duration", files: map[string]string{"s.toml": ms},
			args: []string{"run", "s.toml", "--duration", "2h"}, code: exitInput, want: []string{"--duration 2h0m0s: 2h in buckets of 1ms is 7200000 buckets"}},
		{name: "trace, short bucket, --duration", files: map[string]string{"s.toml": ms},
			args: []string{"trace", "s.toml", "--duration", "2h"}, code: exitInput, want: []string{"--duration 2h0m0s: 2h in buckets of 1ms is 7200000 buckets"}},
		{name: "run, --set duration", files: map[string]string{"s.toml": tiny},
			args: []string{"run", "s.toml", "--set", "duration=2562047h"}, code: exitInput, want: []string{"--set duration=2562047h: duration: 2562047h in buckets of 1s"}},
		{name: "run, --set bucket", files: map[string]string{"s.toml": tiny},
			args: []string{"run", "s.toml", "--set", "metrics.bucket=1ns"}, code: exitInput, want: []string{"--set metrics.bucket=1ns: metrics: bucket: 2s in buckets of 1ns is 2000000000 buckets"}},
		{name: "run, many metrics in short buckets", files: map[string]string{"s.toml": ms},
			args: []string{"run", "s.toml", "--duration", "16m"}, code: exitInput, want: []string{"values of time series; a run keeps at most 10000000"}},
		{name: "compare, --set duration", files: map[string]string{"s.toml": tiny + "[variant.v]\ndescription = \"x\"\n"},
			args: []string{"compare", "s.toml", "--set", "duration=2562047h", "--seeds", "2"}, code: exitInput, want: []string{"is 9223369200 buckets"}},
		{name: "sweep, over the bucket", files: map[string]string{"s.toml": `duration = "2h"` + tiny[len("\nduration = \"2s\""):]},
			args: []string{"sweep", "s.toml", "--set", "metrics.bucket=1s,1ms", "--seeds", "2"}, code: exitInput, want: []string{"2h in buckets of 1ms is 7200000 buckets"}},
	} {
		t.Run(tc.name, func(t *testing.T) { runHostile(t, tc) })
	}
}

// A run's folder holds one run: a run without plots into the folder of a
// run with plots leaves no plot of the old one, and a folder that cannot
// be replaced whole is refused before anything runs, unchanged.
func TestARunFolderHoldsOneRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	s := writeScenario(t, tiny)
	if code, _, errOut := simulate(t, "run", s, "--plot", "--out", dir); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if code, _, errOut := simulate(t, "run", s, "--seed", "2", "--out", dir); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, name := range []string{"report.html", "dashboard.png", "scenario.toml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s of the first run is still there beside the second's results", name)
		}
	}
	summary, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	os.Remove(filepath.Join(dir, "timeseries.csv"))
	os.Mkdir(filepath.Join(dir, "timeseries.csv"), 0o755)
	code, _, errOut := simulate(t, "run", s, "--seed", "3", "--out", dir)
	if code != exitInput || !strings.Contains(errOut, "holds the folder timeseries.csv") {
		t.Fatalf("exit %d, want %d and a refusal\n%s", code, exitInput, errOut)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "summary.json")); string(now) != string(summary) {
		t.Error("summary.json was replaced although the series could not be")
	}
}

// Grids and seed counts beyond the limit of runs are refused at once,
// before any point is checked or any seed listed; --max-runs raises it.
func TestHugeExperimentsAreRefusedAtOnce(t *testing.T) {
	thousand := make([]string, 1000)
	for i := range thousand {
		thousand[i] = fmt.Sprint(i + 1)
	}
	grid := strings.Join(thousand, ",")
	two := map[string]string{"s.toml": tiny + "[variant.v]\ndescription = \"x\"\n"}
	for _, tc := range []hostile{
		{name: "sweep of a thousand by a thousand", files: two,
			args: []string{"sweep", "s.toml", "--set", "client.c.rate=" + grid, "--set", "service.s.workers=" + grid, "--seeds", "1"},
			code: exitInput, want: []string{"the grid has 1000 × 1000 points, times 1 seeds: more than the limit of 100000 runs (raise it with --max-runs)"}},
		{name: "sweep of a billion seeds", files: two,
			args: []string{"sweep", "s.toml", "--set", "client.c.rate=10", "--seeds", "1000000000"},
			code: exitInput, want: []string{"--seeds 1000000000 is more than the limit of 100000 runs (raise it with --max-runs)"}},
		{name: "compare of a billion seeds", files: two,
			args: []string{"compare", "s.toml", "--seeds", "1000000000"},
			code: exitInput, want: []string{"--seeds 1000000000 is more than the limit of 100000 runs"}},
		{name: "compare of sides times seeds", files: two,
			args: []string{"compare", "s.toml", "--seeds", "60000"},
			code: exitInput, want: []string{"2 sides × 60000 seeds is more than the limit of 100000 runs"}},
		{name: "compare to a precision of too many seeds", files: two,
			args: []string{"compare", "s.toml", "--precision", "0.05", "--max-seeds", "60000"},
			code: exitInput, want: []string{"2 sides × up to 60000 seeds (--max-seeds) is more than the limit of 100000 runs"}},
		{name: "sweep to a precision of too many seeds", files: two,
			args: []string{"sweep", "s.toml", "--set", "client.c.rate=10,20", "--precision", "0.05", "--max-seeds", "60000"},
			code: exitInput, want: []string{"the grid's points times up to 60000 seeds (--max-seeds) are more than the limit of 100000 runs"}},
		{name: "compare keeping too many series", files: two,
			args: []string{"compare", "s.toml", "--seeds", "100000", "--max-runs", "1000000", "--set", "duration=1h"},
			code: exitInput, want: []string{"a comparison keeps every run's time series"}},
		{name: "validate of a billion seeds", args: []string{"validate", "--seeds", "1000000000"},
			code: exitInput, want: []string{"--seeds 1000000000 is more than the limit"}},
		{name: "seeds that wrap around", files: two,
			args: []string{"compare", "s.toml", "--seed", "18446744073709551615", "--seeds", "3"},
			code: exitInput, want: []string{"--seed 18446744073709551615 --seeds 3: the seeds would go past the last one"}},
		{name: "no workers", files: two,
			args: []string{"compare", "s.toml", "--jobs", "0"},
			code: exitInput, want: []string{"--jobs must be at least 1, got 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			runHostile(t, tc)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v to refuse", took)
			}
		})
	}
}

// simulate plot holds the results it reads to what a run can write: an
// edited summary.json that claims 10^15 seconds took it 2 GB.
func TestPlotRefusesEditedResults(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := simulate(t, "run", writeScenario(t, tiny), "--out", dir); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	os.WriteFile(filepath.Join(dir, "summary.json"), []byte(strings.Replace(string(b), `"sim_seconds": 2,`, `"sim_seconds": 1e15,`, 1)), 0o644)
	start := time.Now()
	code, _, errOut := simulate(t, "plot", dir)
	if code != exitInput || !strings.Contains(errOut, "sim_seconds 1e+15 in buckets of 1s is 1e+15 buckets, more than 1000000; a run never writes that: the file is corrupt or was edited") {
		t.Fatalf("exit %d, want %d and what is wrong\n%s", code, exitInput, errOut)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v to refuse", took)
	}
}

// Smaller mistakes that used to pass in silence.
func TestSmallMistakesAreNotSilent(t *testing.T) {
	for _, tc := range []hostile{
		{name: "--duration 0s", files: map[string]string{"s.toml": tiny},
			args: []string{"run", "s.toml", "--duration", "0s"}, code: exitInput, want: []string{"--duration must be positive, got 0s (leave it out to run the scenario's duration, 2s)"}},
		{name: "--set with a line break", files: map[string]string{"s.toml": tiny},
			args: []string{"run", "s.toml", "--set", "client.c.rate=5\nservice.s.workers=1"}, code: exitInput, want: []string{"a setting is one line; set each key with its own --set"}},
		{name: "--set of a client to a number", files: map[string]string{"s.toml": tiny},
			args: []string{"check", "s.toml", "--set", "client.c=5"}, code: exitInput, want: []string{`--set client.c=5: client "c" must be a table, got the number 5`, "1 problem in the scenario"}},
		{name: "an empty file", files: map[string]string{"s.toml": ""},
			args: []string{"run", "s.toml"}, code: exitInput, want: []string{"s.toml: the scenario defines no components"}},
		{name: "two files of one name", files: map[string]string{"a/s.toml": tiny, "b/s.toml": tiny}, before: [][]string{{"run", "a/s.toml"}},
			args: []string{"run", "b/s.toml"}, code: exitOK, want: []string{"a/s.toml, another file; this run of b/s.toml replaces them"}},
	} {
		t.Run(tc.name, func(t *testing.T) { runHostile(t, tc) })
	}
}
