package main

import (
	"bufio"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/failsim/failsim/sim/results"
)

// Ctrl-C and SIGTERM end every command within a second, whatever it is
// doing: loading, setting up, running, writing. The exit status is 130
// for SIGINT, 143 for SIGTERM, and no folder is left half-written: a run's
// folder holds its previous run or a complete new one, and no temporary
// file or folder is left behind. Each case runs this test binary as
// simulate and signals it in the phase: paused there for good (TestMain)
// while it loads, sets up or writes, where only the signal can end it; in
// the middle of runs of a diverging scenario, which take minutes, once it
// says it is running.
func TestSignalsEndEveryCommandInEveryPhase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per case")
	}
	dir := t.TempDir()
	tinyFile := filepath.Join(dir, "tiny.toml")
	divFile := filepath.Join(dir, "diverging.toml")
	os.WriteFile(tinyFile, []byte(tiny+"[variant.v]\ndescription = \"x\"\n"), 0o644)
	os.WriteFile(divFile, []byte(diverging+"[variant.v]\ndescription = \"x\"\n"), 0o644)
	// A folder holding a complete earlier run, which a run may replace.
	earlier := func(t *testing.T, out string) {
		if code, _, errOut := simulate(t, "run", tinyFile, "--out", out, "--plot"); code != exitOK {
			t.Fatalf("the earlier run: exit %d\n%s", code, errOut)
		}
	}
	for _, tc := range []struct {
		phase string
		sig   syscall.Signal
		args  []string
		prep  func(t *testing.T, out string)
	}{
		{"loading", syscall.SIGINT, []string{"run", tinyFile}, earlier},
		{"loading", syscall.SIGTERM, []string{"run", tinyFile}, earlier},
		{"set-up", syscall.SIGINT, []string{"run", tinyFile}, earlier},
		{"running", syscall.SIGINT, []string{"run", divFile, "--max-in-flight", "1000000000"}, earlier},
		{"running", syscall.SIGTERM, []string{"run", divFile, "--max-in-flight", "1000000000"}, earlier},
		{"writing", syscall.SIGINT, []string{"run", tinyFile, "--plot"}, earlier},
		{"writing", syscall.SIGTERM, []string{"run", tinyFile}, earlier},
		{"loading", syscall.SIGINT, []string{"compare", tinyFile, "--seeds", "2"}, nil},
		{"set-up", syscall.SIGINT, []string{"compare", tinyFile, "--seeds", "2"}, nil},
		{"running", syscall.SIGINT, []string{"compare", divFile, "--seeds", "2"}, nil},
		{"writing", syscall.SIGINT, []string{"compare", tinyFile, "--seeds", "2"}, nil},
		{"loading", syscall.SIGINT, []string{"sweep", tinyFile, "--set", "client.c.rate=10,20", "--seeds", "2"}, nil},
		{"set-up", syscall.SIGINT, []string{"sweep", tinyFile, "--set", "client.c.rate=10,20", "--seeds", "2"}, nil},
		{"running", syscall.SIGTERM, []string{"sweep", divFile, "--set", "client.c.rate=1000,1001", "--seeds", "2"}, nil},
		{"writing", syscall.SIGINT, []string{"sweep", tinyFile, "--set", "client.c.rate=10,20", "--seeds", "2"}, nil},
		{"loading", syscall.SIGINT, []string{"check", tinyFile}, nil},
		{"loading", syscall.SIGINT, []string{"trace", tinyFile}, nil},
		{"set-up", syscall.SIGINT, []string{"trace", tinyFile}, nil},
		{"loading", syscall.SIGINT, []string{"plot", "OUT"}, earlier},
		{"writing", syscall.SIGINT, []string{"plot", "OUT"}, earlier},
	} {
		t.Run(strings.Join([]string{tc.args[0], tc.phase, tc.sig.String()}, " "), func(t *testing.T) {
			t.Parallel() // the processes mostly wait for their signal
			root := t.TempDir()
			out := filepath.Join(root, "out")
			if tc.prep != nil {
				tc.prep(t, out)
			}
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "OUT", out)
			}
			if args[0] != "check" && args[0] != "trace" && args[0] != "plot" {
				args = append(args, "--out", out)
			}
			var env []string
			mark := "running "
			if tc.phase != "running" {
				env, mark = []string{"FAILSIM_PAUSE_AT=" + tc.phase}, "paused at "+tc.phase
			}
			code, said, took := signalWhen(t, args, env, mark, tc.sig)
			if want := 128 + int(tc.sig); code != want {
				t.Errorf("exit %d, want %d\n%s", code, want, said)
			}
			if took > time.Second {
				t.Errorf("took %v to stop after the signal", took)
			}
			if !strings.Contains(said, "interrupted") {
				t.Errorf("stderr does not say it was interrupted:\n%s", said)
			}
			noHalfWrites(t, root)
		})
	}
}

// signalWhen runs this test binary as simulate with args (and env), waits
// for a line of stderr that starts with mark, sends sig, and returns the
// exit status, all of stderr, and how long the process took to end after
// the signal.
func signalWhen(t *testing.T, args, env []string, mark string, sig syscall.Signal) (code int, stderr string, took time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "FAILSIM_BE_SIMULATE=1"), env...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(pipe)
	var said strings.Builder
	for lines.Scan() {
		said.WriteString(lines.Text() + "\n")
		if strings.HasPrefix(lines.Text(), mark) {
			break
		}
	}
	if !strings.Contains(said.String(), mark) {
		cmd.Wait()
		t.Fatalf("never said %q:\n%s", mark, said.String())
	}
	sent := time.Now()
	cmd.Process.Signal(sig)
	for lines.Scan() {
		said.WriteString(lines.Text() + "\n")
	}
	cmd.Wait()
	return cmd.ProcessState.ExitCode(), said.String(), time.Since(sent)
}

// noHalfWrites checks that nothing under root is a temporary file or
// folder, and that every run folder holds a complete run.
func noHalfWrites(t *testing.T, root string) {
	t.Helper()
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if strings.Contains(d.Name(), ".tmp") || strings.Contains(d.Name(), ".old-") {
			t.Errorf("left behind: %s", path)
		}
		if d.Name() == results.SummaryFile {
			if _, err := results.Read(filepath.Dir(path)); err != nil {
				t.Errorf("%s does not hold a complete run: %v", filepath.Dir(path), err)
			}
		}
		return nil
	})
}
