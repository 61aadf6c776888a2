package sim_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/failsim/failsim/topology/scenariofile"
)

// Steady state allocates nothing per event: records, timers and heap slots
// are reused, so a run ten times longer allocates about the same. What does
// grow is one value per metric per bucket.
func TestAllocationsDoNotGrowWithEvents(t *testing.T) {
	slow(t)
	for _, tt := range []struct{ file, variant string }{
		{"timeout-mismatch", ""},
		{"cold-cache", "load-shedding"},
		{"queue-buffer", "durable-queue"},
		{"slow-dependency", "bulkheads"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			sc, err := scenariofile.Load("../scenarios/"+tt.file+".toml", tt.variant)
			if err != nil {
				t.Fatal(err)
			}
			mallocs := func(d time.Duration) (allocs, events uint64) {
				c := *sc
				c.Duration = d
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				r := mustRun(t, &c, 1)
				runtime.ReadMemStats(&after)
				return after.Mallocs - before.Mallocs, r.Summary.Events
			}
			shortAllocs, shortEvents := mallocs(5 * time.Minute)
			longAllocs, longEvents := mallocs(50 * time.Minute)
			perEvent := float64(longAllocs-shortAllocs) / float64(longEvents-shortEvents)
			t.Logf("300s: %d allocations for %d events; 3000s: %d for %d; %.5f per extra event",
				shortAllocs, shortEvents, longAllocs, longEvents, perEvent)
			if perEvent > 0.001 {
				t.Errorf("%.5f allocations per event in steady state, want ~0", perEvent)
			}
		})
	}
}
