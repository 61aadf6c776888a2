package results

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Results read back (simulate plot, merge, resume) are held to what a run
// can write: a file edited or corrupted past that is refused at once, with
// a message that says which file and what, before anything is sized from
// it. "sim_seconds": 1e15 took plot 2 GB.
func TestReadBackRefusesWhatARunNeverWrites(t *testing.T) {
	const csv = "t,component,metric,value\n0,db,arrivals,1\n10,db,arrivals,2\n"
	summary := func(sim, bucket string) string {
		return `{"scenario": "s", "sim_seconds": ` + sim + `, "bucket_s": ` + bucket + `}`
	}
	for _, tc := range []struct {
		name            string
		summary, series string
		prepare         func(t *testing.T, dir string)
		want            string
	}{
		{name: "a run of 10^15 seconds", summary: summary("1e15", "1"), series: csv, want: "summary.json: sim_seconds 1e+15 in buckets of 1s is 1e+15 buckets, more than 1000000"},
		{name: "no duration", summary: summary("0", "1"), series: csv, want: "sim_seconds is 0, not a positive number"},
		{name: "a negative bucket", summary: summary("20", "-1"), series: csv, want: "bucket_s is -1, not a positive number"},
		{name: "an infinite value", summary: summary("20", "10"), series: "t,component,metric,value\n0,db,arrivals,Inf\n", want: "timeseries.csv:2: t 0 and value Inf"},
		{name: "a time after the end", summary: summary("20", "10"), series: "t,component,metric,value\n0,db,arrivals,1\n1e300,db,arrivals,1\n", want: "timeseries.csv:3: t 1e300"},
		{name: "more buckets than the run has", summary: summary("20", "10"), series: "t,component,metric,value\n0,db,a,1\n5,db,a,1\n10,db,a,1\n", want: "timeseries.csv:4: more than the 2 buckets of 10s in 20s"},
		{name: "a summary of 65 MB", series: csv, prepare: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, SummaryFile), nil, 0o644)
			os.Truncate(filepath.Join(dir, SummaryFile), maxSummarySize+1)
		}, want: "summary.json is larger than 64 MB"},
		{name: "a series that is a named pipe", summary: summary("20", "10"), prepare: func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, TimeseriesFile), 0o644); err != nil {
				t.Skip(err)
			}
		}, want: "timeseries.csv is not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.summary != "" {
				os.WriteFile(filepath.Join(dir, SummaryFile), []byte(tc.summary), 0o644)
			}
			if tc.series != "" {
				os.WriteFile(filepath.Join(dir, TimeseriesFile), []byte(tc.series), 0o644)
			}
			if tc.prepare != nil {
				tc.prepare(t, dir)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			done := make(chan error, 1)
			go func() { _, err := Read(dir); done <- err }()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("still reading after 5s")
			}
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if took, alloc := time.Since(start), after.TotalAlloc-before.TotalAlloc; took > time.Second || alloc > 256<<20 {
				t.Errorf("took %v and %d MB to refuse", took, alloc>>20)
			}
		})
	}
}

// A runs file whose header claims more runs than its grid holds is refused;
// one that claims a billion billion runs with its grid to match is found
// incomplete without counting to a billion billion.
func TestRunsFilesAreHeldToTheirHeader(t *testing.T) {
	dir := t.TempDir()
	head := func(runs, seeds string) string {
		return `{"failsim_runs":` + strconv.Itoa(FormatVersion) + `,"engine":"e","scenario":"s","scenario_sha256":"x","axes":[],"seed":1,"seeds":` + seeds + `,"runs":` + runs + "}\n"
	}
	for _, tc := range []struct{ name, head, want string }{
		{"runs that are not points times seeds", head("1000000000000", "1"), "the header's 1000000000000 runs are not its grid's points times its 1 seeds"},
		{"a billion billion seeds", head("1000000000000000000", "1000000000000000000"), "runs 0-999999999999999999 of 1000000000000000000 are missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "runs.jsonl")
			os.WriteFile(path, []byte(tc.head), 0o644)
			start := time.Now()
			_, err := Merge([]string{path}, "success_rate")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}
