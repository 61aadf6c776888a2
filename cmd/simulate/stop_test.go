package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

// TestMain lets a test run this binary as the simulate command, so that a
// real signal can be sent to a real process.
func TestMain(m *testing.M) {
	if os.Getenv("FAILSIM_BE_SIMULATE") == "1" {
		if at := os.Getenv("FAILSIM_PAUSE_AT"); at != "" {
			onPhase = pauseAt(at)
		}
		main()
	}
	os.Exit(m.Run())
}

// pauseAt makes the command stop for good at the phase named want and
// say so on stderr: the test sends it a signal there, which must end it.
func pauseAt(want string) func(string) {
	return func(phase string) {
		if phase == want {
			fmt.Fprintln(os.Stderr, "paused at "+phase)
			select {}
		}
	}
}

// diverging offers ten times what its server serves, with no timeout and
// no queue limit, for a simulated day.
const diverging = `
name = "diverging"
duration = "24h"
[client.c]
target = "s"
rate = 1000
[service.s]
workers = 1
service_time = "10ms"
`

func writeScenario(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.toml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestARunawayRunWritesItsResultsMarkedIncomplete(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := simulate(t, "run", writeScenario(t, diverging), "--max-in-flight", "20000", "--out", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\n%s", code, exitFailure, errOut)
	}
	for _, want := range []string{"more than the limit of 20000", "the results up to there are in " + dir, "raise --max-in-flight"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "INCOMPLETE: stopped at t=") {
		t.Errorf("the summary does not say the run is incomplete:\n%s", out)
	}
	r, err := results.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Summary.Incomplete || r.Summary.SimSeconds >= 24*3600 {
		t.Fatalf("summary.json: incomplete %v, %gs", r.Summary.Incomplete, r.Summary.SimSeconds)
	}
}

// Ctrl-C during a run stops it, writes the results so far marked
// incomplete, and exits 130; during a sweep it keeps the finished runs.
func TestCtrlCWritesWhatIsCompleteAndExits130(t *testing.T) {
	scenario := writeScenario(t, diverging)
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, dir string)
	}{
		{"run", []string{"run", scenario, "--max-in-flight", "1000000000"}, func(t *testing.T, dir string) {
			r, err := results.Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			if s := r.Summary; !s.Incomplete || !strings.HasPrefix(s.StopReason, "interrupted at t=") {
				t.Fatalf("summary.json: incomplete %v, %q", s.Incomplete, s.StopReason)
			}
		}},
		{"sweep", []string{"sweep", scenario, "--set", "client.c.rate=1000,1001", "--seeds", "2", "--jobs", "1"}, func(t *testing.T, dir string) {
			if _, err := os.Stat(filepath.Join(dir, "runs.jsonl")); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// The first line of stderr comes once the handler is in place.
			code, said, _ := signalWhen(t, append(tc.args, "--out", dir), nil, "running ", syscall.SIGINT)
			if code != exitStopped {
				t.Fatalf("exit %d, want %d\n%s", code, exitStopped, said)
			}
			if !strings.Contains(said, "interrupted") {
				t.Errorf("stderr does not say it was interrupted:\n%s", said)
			}
			tc.check(t, dir)
		})
	}
}
