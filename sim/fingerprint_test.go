package sim_test

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology/scenariofile"
)

var update = flag.Bool("update", false, "rewrite testdata/fingerprints.txt from the engine as it is")

const fingerprintFile = "testdata/fingerprints.txt"

// cut shortens the shipped scenarios too long to run on every test: their
// fingerprint covers every event of the first part.
var cut = map[string]time.Duration{"perf/hour-10k.toml": 2 * time.Minute, "perf/tail-at-scale-hour.toml": 30 * time.Second,
	"validation/fanout-tail.toml": 2 * time.Minute, "perf/fleet-10k.toml": time.Minute}

// Every shipped scenario and variant has a fingerprint, in the manner of
// OMNeT++: a hash over every event's (time, kind, component, record), and
// one over the bytes of summary.json and timeseries.csv. A change to the
// engine that changes any run changes a line of testdata/fingerprints.txt:
// rerun with -update, review the diff, and bump sim.Version when results
// change. The runs check the invariants at every bucket, run in parallel
// (the engine shares no state between runs) and, with `go test -cpu 1,4`,
// must not depend on GOMAXPROCS.
func TestFingerprints(t *testing.T) {
	slow(t)
	files := shippedFiles(t)

	var mu sync.Mutex
	var lines []string
	t.Run("runs", func(t *testing.T) {
		for _, file := range files {
			base, err := scenariofile.Load(file, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range append([]string{""}, base.Variants...) {
				name := strings.TrimPrefix(file, "../scenarios/")
				t.Run(name+"/"+orBase(v), func(t *testing.T) {
					t.Parallel()
					line := fingerprint(t, file, name, v)
					mu.Lock()
					lines = append(lines, line)
					mu.Unlock()
				})
			}
		}
	})
	if t.Failed() {
		return
	}
	slices.Sort(lines)
	got := "# scenario variant seed: events, fingerprint of the events, sha256 of summary.json+timeseries.csv\n" +
		"# regenerate: go test ./sim -run TestFingerprints -update\n" + strings.Join(lines, "\n") + "\n"
	if *update {
		if err := os.WriteFile(fingerprintFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(fingerprintFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := lineDiff(string(want), got); diff != "" {
		t.Errorf("runs changed (rerun with -update if intended, review the diff, and bump sim.Version):\n%s", diff)
	}
}

func fingerprint(t *testing.T, file, name, variant string) string {
	sc, err := scenariofile.Load(file, variant)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := cut[name]; ok {
		sc.Duration = d
		name += fmt.Sprintf(" (first %s)", d)
	}
	r, err := sim.Run(context.Background(), sc, sim.Options{Seed: sc.Seed, Debug: true, Fingerprint: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.Incomplete {
		t.Fatal(r.Summary.StopReason)
	}
	summary, series, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	out := sha256.Sum256(append(summary, series...))
	return fmt.Sprintf("%s %s %d: %d %s %x", name, orBase(variant), sc.Seed, r.Summary.Events, r.Fingerprint, out[:8])
}

// orBase names the base of a scenario "base", as the CLI does.
func orBase(variant string) string {
	if variant == "" {
		return "base"
	}
	return variant
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

// Runs share nothing: the same runs at once on several goroutines do the
// same as one after another (under -race this is the engine's race test).
func TestConcurrentRunsDoWhatSequentialOnesDo(t *testing.T) {
	sc, err := scenariofile.Load("../scenarios/retry-storm.toml", "circuit-breaker")
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = time.Minute
	fp := func(seed uint64) string {
		r, err := sim.Run(context.Background(), sc, sim.Options{Seed: seed, Fingerprint: true})
		if err != nil {
			t.Error(err)
			return ""
		}
		return r.Fingerprint
	}
	const n = 4
	var want, got [n]string
	for i := range n {
		want[i] = fp(uint64(i))
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i] = fp(uint64(i)) })
	}
	wg.Wait()
	if got != want {
		t.Fatalf("concurrent runs %v, sequential %v", got, want)
	}
}
