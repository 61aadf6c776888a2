package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Exported traces import back: `simulate trace --format otlp` then
// `simulate import traces --check` writes a scenario whose replay fits the
// export, operation by operation, and calibration.json beside it.
func TestTraceExportThenImportCheck(t *testing.T) {
	dir := t.TempDir()
	otlp := filepath.Join(dir, "tm.jsonl")
	code, _, errOut := simulate(t, "trace", "timeout-mismatch", "--from", "5s", "--to", "25s", "--all", "--max", "3000", "--format", "otlp", "--out", otlp)
	if code != exitOK {
		t.Fatalf("trace: exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "wrote 3000 request(s) of timeout-mismatch as otlp") {
		t.Errorf("trace says %q", errOut)
	}
	scenario := filepath.Join(dir, "tm.toml")
	code, out, errOut := simulate(t, "import", "traces", otlp, "--out", scenario, "--check", "--requests", "5000")
	if code != exitOK {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	for _, row := range []string{"users", "lb", "api", "db"} {
		found := false
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			if len(f) > 0 && f[0] == row {
				found = true
				if f[len(f)-1] != "ok" {
					t.Errorf("%s does not fit: %s", row, l)
				}
			}
		}
		if !found {
			t.Errorf("no row for %s in\n%s", row, out)
		}
	}
	for _, f := range []string{scenario, filepath.Join(dir, "calibration.json")} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
}

// Bad input exits with status 2, names the file and the line, and writes
// nothing.
func TestImportBadTracesWritesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "cut.jsonl")
	good, err := os.ReadFile("../../topology/traces/testdata/small-otlp.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, append(append([]byte{}, good...), good[:len(good)/2]...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "x.toml")
	code, _, errOut := simulate(t, "import", "traces", bad, "--out", out, "--check")
	if code != exitInput {
		t.Errorf("exit %d, want %d", code, exitInput)
	}
	if !strings.Contains(errOut, bad+":2:") || !strings.Contains(errOut, "truncated") || !strings.Contains(errOut, "nothing was written") {
		t.Errorf("stderr: %s", errOut)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory, want only the input", len(entries))
	}
}

// Each export format writes a file; an unknown one is a usage error.
func TestTraceFormats(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"otlp", "jaeger", "chrome"} {
		out := filepath.Join(dir, "x."+f)
		if code, _, errOut := simulate(t, "trace", "timeout-mismatch", "--from", "62s", "--to", "63s", "-n", "2", "--duration", "70s", "--format", f, "--out", out); code != exitOK {
			t.Errorf("%s: exit %d: %s", f, code, errOut)
		}
		if st, err := os.Stat(out); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if code, _, errOut := simulate(t, "trace", "timeout-mismatch", "--format", "zipkin", "--duration", "5s"); code != exitInput || !strings.Contains(errOut, `--format "zipkin"`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
