//go:build long && linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/scenarios"
)

// Every shipped scenario runs its whole duration, base and variants, as a
// real process under the memory ceiling; so does a two-minute run at
// 200,000 calls a second with a one-hour timeout, which took 920 MB before
// cancelled timers gave their memory back. go test -tags long runs it.
func TestLongShippedScenariosStayUnderTheMemoryCeiling(t *testing.T) {
	entries, err := scenarios.List()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type run struct {
		name string
		args []string
	}
	var runs []run
	for _, e := range entries {
		for _, v := range append([]string{""}, e.Variants...) {
			args := []string{"run", e.Name, "--out", "out/" + strings.ReplaceAll(e.Name, "/", "-") + "-" + v}
			if v != "" {
				args = append(args, "--variant", v)
			}
			runs = append(runs, run{e.Name + " " + v, args})
		}
	}
	timeout := "[client.c]\ntarget = \"s\"\nrate = 200000\ntimeout = \"1h\"\n[service.s]\nworkers = 100\nservice_time = \"1us\"\n"
	if err := os.WriteFile(filepath.Join(dir, "timeout.toml"), []byte(timeout), 0o644); err != nil {
		t.Fatal(err)
	}
	runs = append(runs, run{"a one-hour timeout at 200,000 calls a second", []string{"run", "timeout.toml", "--duration", "120s", "--out", "out/timeout"}})
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			m := simulateMeasured(t, dir, 5*time.Minute, r.args...)
			t.Logf("exit %d in %v, peak %d MB", m.code, m.took.Round(time.Millisecond), m.peak>>20)
			if m.code != exitOK || m.peak > ceiling {
				t.Errorf("exit %d, peak %d MB\n%s", m.code, m.peak>>20, lastLines(m.stderr, 5))
			}
		})
	}
}
