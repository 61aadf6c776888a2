package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failsim/failsim/scenarios"
)

// Every shipped scenario is listed with its description and variants, the
// teaching library first.
func TestScenariosListsEveryShippedFile(t *testing.T) {
	code, out, errOut := simulate(t, "scenarios")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	entries, err := scenarios.List()
	if err != nil {
		t.Fatal(err)
	}
	top := 0
	for _, e := range entries {
		if !strings.Contains(out, e.Name+"  ") || !strings.Contains(out, e.Description) {
			t.Errorf("listing lacks %s (%q):\n%s", e.Name, e.Description, out)
		}
		if e.Section == "" {
			top++
		}
	}
	if top < 6 {
		t.Errorf("%d top-level scenarios, want at least 6", top)
	}
	if !strings.Contains(out, "variants: aligned, cancellation, deadline-propagation") {
		t.Errorf("listing lacks timeout-mismatch's variants:\n%s", out)
	}
	if strings.Index(out, "timeout-mismatch") > strings.Index(out, "validation/mm1") {
		t.Error("the teaching library should come before the validation scenarios")
	}
}

func TestScenariosShowPrintsTheFile(t *testing.T) {
	want, err := os.ReadFile("../../scenarios/retry-storm.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"retry-storm", "retry-storm.toml", "scenarios/retry-storm.toml"} {
		if code, out, errOut := simulate(t, "scenarios", "show", name); code != exitOK || out != string(want) {
			t.Errorf("show %s: exit %d, %d bytes, want %d: %s", name, code, len(out), len(want), errOut)
		}
	}
	code, _, errOut := simulate(t, "scenarios", "show", "retry-strom")
	if code != exitInput || !strings.Contains(errOut, `did you mean "retry-storm"?`) {
		t.Errorf("show of a typo: exit %d: %s", code, errOut)
	}
}

// A name that is not a file runs the shipped scenario; a file of that name
// wins; an unknown name gets a suggestion and runs nothing.
func TestRunByName(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errOut := simulate(t, "run", "validation/mm1", "--duration", "10s", "--out", "a")
	if code != exitOK || !strings.Contains(out, "mm1: seed") {
		t.Fatalf("run by name: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := simulate(t, "check", "retry-storm"); code == exitInput {
		t.Errorf("check by name: exit %d: %s", code, errOut)
	}

	// A local file named like a shipped scenario is the one that runs.
	local := strings.Replace(readShipped(t, "validation/mm1.toml"), `name = "mm1"`, `name = "my-mm1"`, 1)
	if err := os.WriteFile("retry-storm", []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := simulate(t, "run", "retry-storm", "--duration", "10s", "--out", "b"); code != exitOK || !strings.Contains(out, "my-mm1: seed") {
		t.Errorf("a file in the working directory should win over the shipped name:\n%s", out)
	}

	code, _, errOut = simulate(t, "run", "timeout-mismach")
	if code != exitInput || !strings.Contains(errOut, `no shipped scenario has that name; did you mean "timeout-mismatch"?`) {
		t.Errorf("unknown name: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join("out")); err == nil {
		t.Error("a failed run wrote results")
	}
}

func readShipped(t *testing.T, name string) string {
	t.Helper()
	b, err := scenarios.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTraceTellsARequest(t *testing.T) {
	code, out, errOut := simulate(t, "trace", "timeout-mismatch", "--duration", "70s", "--from", "62s", "--to", "63s", "-n", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Request #", "client users: attempt 1 timed out after 2s", "database db still has it queued"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--component", "dbb"}, `--component: no component named "dbb"; did you mean "db"?`},
		{[]string{"--from", "10s", "--to", "5s"}, "want 0 <= from < to"},
		{[]string{"-n", "0"}, "-n must be at least 1"},
	} {
		args := append([]string{"trace", "timeout-mismatch"}, tc.args...)
		if code, _, errOut := simulate(t, args...); code != exitInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, code, errOut)
		}
	}
}
