package sim_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
)

// FuzzRun runs whatever scenario the loader accepts, seeded from the shipped
// ones, for a few simulated seconds: the engine must never panic, and its
// books must balance (sim.Run checks the invariants at every bucket here).
func FuzzRun(f *testing.F) {
	for _, file := range shippedFiles(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint64(1))
	}
	f.Add([]byte(stateStress), uint64(1))
	f.Add([]byte(infraEdgeCases), uint64(1))
	f.Fuzz(func(t *testing.T, src []byte, seed uint64) {
		sc, err := topology.Parse("f.toml", src, "")
		if err != nil {
			return
		}
		sc.Duration = min(sc.Duration, 5*time.Second)
		// A scenario may ask for any load: bound the work, not the checks.
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		defer cancel()
		if _, err := sim.Run(ctx, sc, sim.Options{Seed: seed, MaxInFlight: 20_000, Debug: true}); err != nil {
			t.Fatal(err)
		}
	})
}
