package cluster

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// slurmShards is how many shards TestSlurmSweep runs: not the scripts'
// default of three, so that the shard count is seen to come from the
// array's size.
const slurmShards = 4

// TestSlurmSweep runs the Slurm recipe of docs/experiments.md on a real
// Slurm: from a directory laid out as the repository root (simulate built
// there, scenarios/), it submits docs/cluster/sweep.slurm as an array of
// four shards and docs/cluster/merge.slurm with --dependency=afterok on it,
// waits for both, and checks that the merge wrote the same bytes as the
// same sweep run on one machine (runs.jsonl, sweep.json and the plots).
//
// It needs a running Slurm and runs only with FAILSIM_SLURM=1, which
// .ci/slurm sets once it has started munged, slurmctld and slurmd; with it
// set, a Slurm that is missing or does not answer fails the test.
func TestSlurmSweep(t *testing.T) {
	if os.Getenv("FAILSIM_SLURM") != "1" {
		t.Skip("needs a running Slurm: .ci/slurm starts one on this machine and runs this test with FAILSIM_SLURM=1")
	}
	for _, c := range []string{"sbatch", "squeue", "scontrol", "scancel", "sinfo", "go"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("FAILSIM_SLURM=1 but %v", err)
		}
	}
	if out := command(t, "", time.Minute, "sinfo", "-h", "-o", "%P %a %D %t"); !strings.Contains(out, "up") {
		t.Fatalf("sinfo: no partition up:\n%s", out)
	}
	began := time.Now()

	// The repository root as the scripts expect it: simulate built there,
	// the scenarios beside it.
	work := t.TempDir()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(work, "simulate"), "./cmd/simulate")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.Symlink(filepath.Join(root, "scenarios"), filepath.Join(work, "scenarios")); err != nil {
		t.Fatal(err)
	}
	t.Logf("built simulate in %v", time.Since(began).Round(time.Millisecond))

	// As docs/experiments.md says, with four shards.
	start := time.Now()
	sweepScript, _ := filepath.Abs("sweep.slurm")
	mergeScript, _ := filepath.Abs("merge.slurm")
	sweep := jobID(t, command(t, work, time.Minute, "sbatch", "--parsable", "--array=0-3", sweepScript))
	merge := jobID(t, command(t, work, time.Minute, "sbatch", "--parsable", "--dependency=afterok:"+sweep, mergeScript))
	t.Cleanup(func() {
		// A test that fails leaves nothing queued.
		_ = exec.Command("scancel", "--quiet", sweep, merge).Run()
	})
	t.Logf("submitted the sweep as job %s and the merge as job %s", sweep, merge)
	waitForJobs(t, work, 10*time.Minute, sweep, merge)
	tasks, merges := jobStates(t, work, sweep), jobStates(t, work, merge)
	if len(tasks) != slurmShards || len(merges) != 1 {
		t.Fatalf("%d array tasks and %d merges, want %d and 1:\n%q\n%q", len(tasks), len(merges), slurmShards, tasks, merges)
	}
	for _, s := range append(tasks, merges...) {
		if s != "COMPLETED 0:0" {
			showLogs(t, work)
			t.Fatalf("a job ended %s; the states: sweep %q, merge %q", s, tasks, merges)
		}
	}
	t.Logf("the array of %d shards and the merge completed in %v", slurmShards, time.Since(start).Round(time.Millisecond))

	// The same sweep on one machine: sweep.slurm's command without --shard
	// and --resume, on this machine's two workers.
	start = time.Now()
	words := scriptCommand(t, "sweep.slurm", "./simulate")
	one := []string{filepath.Join(work, "simulate")}
	for i := 1; i < len(words); i++ {
		switch w := words[i]; w {
		case "--shard":
			i++
		case "--resume":
		case "--jobs", "--out":
			one = append(one, w, map[string]string{"--jobs": "2", "--out": "one"}[w])
			i++
		default:
			if strings.Contains(w, "$") {
				t.Fatalf("sweep.slurm's command has %q, which the one-machine sweep cannot expand", w)
			}
			one = append(one, w)
		}
	}
	run := exec.Command(one[0], one[1:]...)
	run.Dir = work
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("the one-machine sweep %q: %v\n%s", one, err, out)
	}
	t.Logf("the one-machine sweep took %v", time.Since(start).Round(time.Millisecond))

	out, _ := flagValue(words, "--out")
	merged, whole := readDir(t, filepath.Join(work, out)), readDir(t, filepath.Join(work, "one"))
	var shards []string
	for name := range merged {
		if ok, _ := filepath.Match("runs-*-of-*.jsonl", name); ok {
			shards = append(shards, name)
			delete(merged, name)
		}
	}
	slices.Sort(shards)
	if want := []string{"runs-0-of-4.jsonl", "runs-1-of-4.jsonl", "runs-2-of-4.jsonl", "runs-3-of-4.jsonl"}; !slices.Equal(shards, want) {
		t.Errorf("the shards wrote %q, want %q", shards, want)
	}
	for _, name := range []string{"runs.jsonl", "sweep.json"} {
		if whole[name] == nil {
			t.Errorf("the one-machine sweep wrote no %s", name)
		}
	}
	for name, b := range whole {
		switch m, ok := merged[name]; {
		case !ok:
			t.Errorf("the merge wrote no %s", name)
		case !bytes.Equal(m, b):
			t.Errorf("%s: the merged sweep's (%d bytes) differs from the one-machine sweep's (%d bytes)", name, len(m), len(b))
		}
	}
	for name := range merged {
		if whole[name] == nil {
			t.Errorf("the merge wrote %s, which the one-machine sweep does not", name)
		}
	}
	if t.Failed() {
		showLogs(t, work)
	}
	t.Logf("%d files the same, byte for byte; %v in all", len(whole), time.Since(began).Round(time.Millisecond))
}

// command runs a command in dir and returns its standard output; a failure
// or a run longer than limit fails the test.
func command(t *testing.T, dir string, limit time.Duration, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// jobID reads sbatch --parsable: "ID" or "ID;CLUSTER".
func jobID(t *testing.T, out string) string {
	t.Helper()
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	if !regexp.MustCompile(`^[0-9]+$`).MatchString(id) {
		t.Fatalf("sbatch --parsable printed %q, not a job id", out)
	}
	return id
}

// waitForJobs waits until none of the jobs is pending, running or
// completing any more.
func waitForJobs(t *testing.T, dir string, limit time.Duration, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		left := strings.TrimSpace(command(t, dir, time.Minute, "squeue", "-h", "-j", strings.Join(ids, ","), "-o", "%i %T %r"))
		if left == "" {
			return
		}
		if strings.Contains(left, "DependencyNeverSatisfied") {
			showLogs(t, dir)
			t.Fatalf("a job failed, and the jobs after it will never run:\n%s", left)
		}
		if time.Now().After(deadline) {
			showLogs(t, dir)
			t.Fatalf("after %v, still in the queue:\n%s", limit, left)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// jobStates are "STATE EXIT:SIGNAL" of each task of a job, as scontrol
// keeps them for a while after the job ended.
func jobStates(t *testing.T, dir, id string) []string {
	t.Helper()
	var states []string
	state := regexp.MustCompile(`\bJobState=(\S+)`)
	exit := regexp.MustCompile(`\bExitCode=(\S+)`)
	for _, line := range strings.Split(strings.TrimSpace(command(t, dir, time.Minute, "scontrol", "-o", "show", "job", id)), "\n") {
		s, e := state.FindStringSubmatch(line), exit.FindStringSubmatch(line)
		if s == nil || e == nil {
			t.Fatalf("scontrol show job %s: no JobState or ExitCode in %q", id, line)
		}
		states = append(states, s[1]+" "+e[1])
	}
	return states
}

// showLogs prints the jobs' logs, which sweep.slurm and merge.slurm write
// into the directory they were submitted from.
func showLogs(t *testing.T, dir string) {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(dir, "failsim-*.log"))
	for _, f := range logs {
		b, _ := os.ReadFile(f)
		t.Logf("-- %s:\n%s", filepath.Base(f), b)
	}
}

// readDir is the files of dir by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}
