//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ceiling is the memory no command may take, whatever its input: it
// stays under it or stops with a clear message.
const ceiling = 1 << 30

// measured is how a command, run as a real process, ended.
type measured struct {
	code   int
	stderr string
	peak   int64 // bytes of peak resident memory (getrusage's maxrss)
	took   time.Duration
}

// simulateMeasured runs this test binary as simulate in dir with args, and
// measures its peak resident memory. A process that passes the ceiling is
// killed there, so that a regression fails the test rather than the
// machine; one that runs past limit is killed too.
func simulateMeasured(t *testing.T, dir string, limit time.Duration, args ...string) measured {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FAILSIM_BE_SIMULATE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	killed := ""
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if rss := residentBytes(cmd.Process.Pid); rss > ceiling {
					killed = fmt.Sprintf("killed at %d MB resident", rss>>20)
					cmd.Process.Kill()
				} else if time.Since(start) > limit {
					killed = fmt.Sprintf("killed after %v", limit)
					cmd.Process.Kill()
				}
			}
		}
	}()
	cmd.Wait()
	close(done)
	m := measured{code: cmd.ProcessState.ExitCode(), stderr: stderr.String(), took: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.peak = ru.Maxrss << 10 // kilobytes on Linux
	}
	if killed != "" {
		t.Errorf("%s: %s\n%s", strings.Join(args, " "), killed, lastLines(m.stderr, 5))
	}
	return m
}

// residentBytes reads a process's resident memory from /proc.
func residentBytes(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Every hostile input of issue 17, run as a real process: each is refused
// with a clear message (exit status 2) or, for the ones that are valid,
// runs, all in bounded time and under a gigabyte of resident memory
// (before the fixes: 2 to 24 GB, or never ending).
func TestHostileInputsStayUnderTheMemoryCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process per input")
	}
	dir := t.TempDir()
	write := func(name, text string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deep := func(open, close string, n int) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	grpc := "[client.c]\ntarget = \"api\"\nrate = 10\ngrpc_service_config = \"c.json\"\ngrpc_method = \"a.B/C\"\n[service.api]\nworkers = 1\nservice_time = \"1ms\"\n"
	write("arrays.toml", "a = "+deep("[", "]", 100_000))
	write("inline.toml", "a = "+deep("{b = ", "}", 50_000))
	write("grpc/s.toml", grpc)
	write("grpc/c.json", `{"methodConfig": `+deep("[", "]", 50_000)+"}")
	write("zero/s.toml", grpc)
	os.Symlink("/dev/zero", filepath.Join(dir, "zero", "c.json"))
	write("fifo/s.toml", grpc)
	syscall.Mkfifo(filepath.Join(dir, "fifo", "c.json"), 0o644)
	syscall.Mkfifo(filepath.Join(dir, "pipe.toml"), 0o644)
	write("long.toml", "duration = \"2562047h\"\n"+tiny[len("\nduration = \"2s\""):])
	write("ms.toml", tiny+"[metrics]\nbucket = \"1ms\"\n")
	write("timeout.toml", "[client.c]\ntarget = \"s\"\nrate = 200000\ntimeout = \"1h\"\n[service.s]\nworkers = 100\nservice_time = \"1us\"\n")
	write("two.toml", tiny+"[variant.v]\ndescription = \"x\"\n")
	write("escape.toml", `name = "../../escape1"`+tiny)
	write("edited/summary.json", `{"scenario": "s", "sim_seconds": 1e15, "bucket_s": 1}`)
	write("edited/timeseries.csv", "t,component,metric,value\n0,s,arrivals,1\n")
	thousand := make([]string, 1000)
	for i := range thousand {
		thousand[i] = fmt.Sprint(i + 1)
	}
	grid := strings.Join(thousand, ",")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"TOML arrays 100,000 deep", []string{"check", "arrays.toml"}, exitInput, "nested more than 32 levels deep"},
		{"TOML inline tables 50,000 deep", []string{"check", "inline.toml"}, exitInput, "nested more than 32 levels deep"},
		{"gRPC config 50,000 deep", []string{"check", "grpc/s.toml"}, exitInput, "nested more than 32 levels deep"},
		{"import through a link to /dev/zero", []string{"check", "zero/s.toml"}, exitInput, "it leads outside the scenario's folder"},
		{"import of a named pipe", []string{"check", "fifo/s.toml"}, exitInput, "it is a named pipe"},
		{"scenario that is a named pipe", []string{"run", "pipe.toml"}, exitInput, "it is a named pipe"},
		{"2562047 hours in default buckets", []string{"run", "long.toml"}, exitInput, "9223369200 buckets"},
		{"1ms buckets for --duration 2h", []string{"run", "ms.toml", "--duration", "2h"}, exitInput, "7200000 buckets"},
		{"a name that leads out of the output folder", []string{"run", "escape.toml"}, exitInput, `name "../../escape1"`},
		{"sweep of 1000 x 1000 points", []string{"sweep", "two.toml", "--set", "client.c.rate=" + grid, "--set", "service.s.workers=" + grid}, exitInput, "more than the limit of 100000 runs"},
		{"compare of a billion seeds", []string{"compare", "two.toml", "--seeds", "1000000000"}, exitInput, "more than the limit of 100000 runs"},
		{"plot of a summary edited to 10^15 seconds", []string{"plot", "edited"}, exitInput, "the file is corrupt or was edited"},
		{"a one-hour timeout at 200,000 calls a second", []string{"run", "timeout.toml", "--duration", "15s", "--out", "timeout"}, exitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := simulateMeasured(t, dir, 60*time.Second, tc.args...)
			t.Logf("exit %d in %v, peak %d MB", m.code, m.took.Round(time.Millisecond), m.peak>>20)
			if m.code != tc.code || !strings.Contains(m.stderr, tc.want) {
				t.Errorf("exit %d, want %d and %q\n%s", m.code, tc.code, tc.want, lastLines(m.stderr, 5))
			}
			if m.peak > ceiling {
				t.Errorf("peak %d MB, over the ceiling of %d MB", m.peak>>20, ceiling>>20)
			}
		})
	}
}
