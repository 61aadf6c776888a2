package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
)

func simulate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunWritesResults(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := simulate(t, "run", "../../scenarios/validation/mm1.toml", "--duration", "20s", "--seed", "3", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"mm1: seed 3, 20s simulated", "Clients", "Components", "server", "Recovery: not judged: no fault in the run", "wrote " + dir} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	r, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.Seed != 3 || r.Summary.SimSeconds != 20 || r.Summary.Components["server"].Arrivals == 0 {
		t.Fatalf("summary.json: %+v", r.Summary)
	}
	if got := r.Series.Get("server", "arrivals"); len(got) != 2 { // 10s buckets
		t.Fatalf("timeseries.csv has %d buckets of server arrivals, want 2", len(got))
	}
}

func TestRunVariantDefaultsToItsOwnDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	src, err := os.ReadFile(filepath.Join(startDir, "../../scenarios/timeout-mismatch.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("tm.toml", src, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := simulate(t, "run", "tm.toml", "--variant", "aligned", "--duration", "5s"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat("out/timeout-mismatch/aligned/summary.json"); err != nil {
		t.Fatal(err)
	}
}

// startDir is the package directory, where relative paths to the shipped
// scenarios start, before any test changes directory.
var startDir, _ = os.Getwd()

func TestBadInputExitsTwoAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("duration = 60\n[client.c]\ntarget = \"nowhere\"\nrate = 1\n"), 0o644)
	out := filepath.Join(dir, "out")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"bad scenario", []string{"run", bad, "--out", out}, []string{
			"bad.toml:1:12: duration: 60 has no unit",
			" 1 | duration = 60",
			"bad.toml:3:10: client \"c\": target: no component named \"nowhere\"",
			"2 problems in the scenario; nothing was run or written.",
		}},
		{"missing file", []string{"run", filepath.Join(dir, "nowhere.toml"), "--out", out}, []string{
			"cannot read the scenario", "\nnothing was run or written.",
		}},
		{"unknown variant", []string{"run", "../../scenarios/timeout-mismatch.toml", "--variant", "alinged", "--out", out}, []string{
			`no variant "alinged": this scenario defines "aligned", `,
			`; did you mean "aligned"?`,
		}},
		{"bad flag", []string{"run", bad, "--sede", "1"}, []string{"unknown flag: --sede", "simulate run --help"}},
		{"bad flag value", []string{"run", bad, "--duration", "fast"}, []string{`invalid argument "fast" for "--duration"`}},
		{"no file", []string{"run"}, []string{"expected one scenario file, got 0 argument(s)"}},
		{"unknown command", []string{"runn"}, []string{`unknown command "runn"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := simulate(t, tt.args...)
			if code != exitInput {
				t.Fatalf("exit %d, want %d\n%s", code, exitInput, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("output directory was created")
			}
		})
	}
}

func TestMissingFileIsBadInput(t *testing.T) {
	code, _, errOut := simulate(t, "run", "no-such.toml")
	if code != exitInput || !strings.Contains(errOut, "error: no-such.toml: cannot read the scenario: no such file or directory") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestRunSettingsAndProfiles(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := simulate(t, "run", "../../scenarios/validation/mm1.toml", "--duration", "20s",
		"--set", "client.arrivals.rate=100", "--cpuprofile", filepath.Join(dir, "cpu.prof"),
		"--memprofile", filepath.Join(dir, "mem.prof"), "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := r.Summary.Clients.LogicalRequests; n < 1700 || n > 2300 {
		t.Errorf("%d requests in 20s; --set rate=100 should give about 2000", n)
	}
	for _, f := range []string{"cpu.prof", "mem.prof"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	code, _, errOut = simulate(t, "run", "../../scenarios/validation/mm1.toml", "--set", "client.arrivals.rat=100", "--out", dir)
	if code != exitInput || !strings.Contains(errOut, `unknown key "rat"; did you mean "rate"?`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// Long commands show progress on stderr when it is a terminal, or when
// --progress asks; a pipe, as in these tests, gets none.
func TestProgressOnlyWhenAsked(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "validation/mm1", "--findings", "none", "--out", t.TempDir()}, "\rsimulated "},
		{[]string{"trace", "validation/mm1", "--duration", "20s", "-n", "1"}, "\rsimulated "},
	} {
		_, _, quiet := simulate(t, tc.args...)
		_, _, shown := simulate(t, append(tc.args, "--progress")...)
		if strings.Contains(quiet, tc.want) || !strings.Contains(shown, tc.want) || !strings.Contains(shown, " events/s, ") || !strings.Contains(shown, " left") {
			t.Errorf("%v: without --progress %q, with it %q; want progress (%q, events/s, time left) only with it", tc.args, quiet, shown, tc.want)
		}
	}
}

// counted adds up the runs of every call an experiment makes.
func TestCountedAddsUpCalls(t *testing.T) {
	var seen []int
	par := counted(experiment.Sequential, 5, func(done, total int) {
		if total != 5 {
			t.Errorf("total %d, want 5", total)
		}
		seen = append(seen, done)
	})
	par(2, func(int) {})
	par(3, func(int) {})
	if !slices.Equal(seen, []int{0, 1, 2, 3, 4, 5}) {
		t.Errorf("progress %v, want 0 to 5", seen)
	}
}

// slow-drift's docs say its burn-rate alert fires 170s before the
// collapse: run prints both, so a reader can check.
func TestRunSaysWhenTheCollapseCame(t *testing.T) {
	code, out, errOut := simulate(t, "run", "slow-drift", "--findings", "none", "--out", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"Collapse: from t=1004s, more than 10.0% of the requests ending in a bucket failed", "Detection came 170s before the collapse"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
