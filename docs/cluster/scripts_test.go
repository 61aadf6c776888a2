package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runScript runs a Slurm batch script with bash, as a task would, in dir
// with only env set, and returns what it printed and its exit status. In
// dir, ./simulate is a stand-in that prints its arguments, one a line.
func runScript(t *testing.T, script, dir string, env ...string) (string, int) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("the Slurm scripts are bash scripts: %v", err)
	}
	stand := filepath.Join(dir, "simulate")
	if err := os.WriteFile(stand, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path, err := filepath.Abs(script)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, path)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return string(out), exit.ExitCode()
		}
		t.Fatal(err)
	}
	return string(out), 0
}

// sweep.slurm takes the shard count from the array's size and its workers
// from the CPUs of the task, and refuses an array that does not count from
// 0 in steps of 1 before it runs anything.
func TestSweepScriptShards(t *testing.T) {
	array := func(id, min, max, count string) []string {
		return []string{"SLURM_ARRAY_TASK_ID=" + id, "SLURM_ARRAY_TASK_MIN=" + min,
			"SLURM_ARRAY_TASK_MAX=" + max, "SLURM_ARRAY_TASK_COUNT=" + count, "SLURM_CPUS_PER_TASK=2"}
	}
	out, code := runScript(t, "sweep.slurm", t.TempDir(), array("1", "0", "3", "4")...)
	args := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || !slices.Equal(args[:2], []string{"sweep", "scenarios/timeout-mismatch.toml"}) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if v, _ := flagValue(args, "--shard"); v != "/4" {
		t.Errorf("task 1 of --array=0-3 runs --shard %s, want /4 (the index comes from SLURM_ARRAY_TASK_ID)", v)
	}
	if v, _ := flagValue(args, "--jobs"); v != "2" {
		t.Errorf("a task of two CPUs runs --jobs %s, want 2", v)
	}
	if v, _ := flagValue(args, "--set"); v != "client.users.timeout=2s,4s" {
		t.Errorf("first --set %s", v)
	}
	if !slices.Contains(args, `client.users.retry.budget=-,{kind="grpc"}`) {
		t.Errorf("the budget axis is not passed as one argument: %q", args)
	}
	// By hand, as the script's comment says: the index and the count.
	if out, code := runScript(t, "sweep.slurm", t.TempDir(), "SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_COUNT=3"); code != 0 || !strings.Contains(out, "\n--shard\n/3\n") || !strings.Contains(out, "\n--jobs\n1\n") {
		t.Errorf("run by hand: exit %d:\n%s", code, out)
	}

	for name, env := range map[string][]string{
		"not an array":       {"SLURM_JOB_ID=7"},
		"from 1":             array("1", "1", "3", "3"),
		"in steps of 2":      array("2", "0", "6", "4"),
		"with a gap (0,1,3)": array("3", "0", "3", "3"),
	} {
		out, code := runScript(t, "sweep.slurm", t.TempDir(), env...)
		if code != 2 || !strings.Contains(out, "submit it as an array counted from 0 in steps of 1") || strings.Contains(out, "sweep\n") {
			t.Errorf("%s: exit %d, want 2 with the reason and no sweep:\n%s", name, code, out)
		}
	}
}

// merge.slurm finds the shards whatever their count.
func TestMergeScriptFindsTheShards(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results", "timeout-mismatch")
	if err := os.MkdirAll(results, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"runs-0-of-4.jsonl", "runs-1-of-4.jsonl", "runs-2-of-4.jsonl", "runs-3-of-4.jsonl", "runs.jsonl", "sweep.json"} {
		if err := os.WriteFile(filepath.Join(results, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, code := runScript(t, "merge.slurm", dir, "SLURM_JOB_ID=8")
	want := "merge\nresults/timeout-mismatch\n" +
		"results/timeout-mismatch/runs-0-of-4.jsonl\nresults/timeout-mismatch/runs-1-of-4.jsonl\n" +
		"results/timeout-mismatch/runs-2-of-4.jsonl\nresults/timeout-mismatch/runs-3-of-4.jsonl\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, ran simulate with\n%s\nwant\n%s", code, out, want)
	}
}

// Both scripts are valid bash.
func TestScriptsParse(t *testing.T) {
	for _, script := range []string{"sweep.slurm", "merge.slurm"} {
		if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", script, err, out)
		}
	}
}
