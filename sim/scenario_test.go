package sim_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

func outputs(t *testing.T, r *results.Run) (summary, csv []byte) {
	t.Helper()
	summary, err := json.Marshal(r.Summary)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.Series.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	return summary, b.Bytes()
}

// A run is a pure function of (scenario, variant, seed).
func TestSameSeedSameBytesOtherSeedOtherNumbers(t *testing.T) {
	sc, err := topology.Load("../scenarios/timeout-mismatch.toml", "")
	if err != nil {
		t.Fatal(err)
	}
	s1, c1 := outputs(t, sim.Run(sc, 1))
	s2, c2 := outputs(t, sim.Run(sc, 1))
	if !bytes.Equal(s1, s2) || !bytes.Equal(c1, c2) {
		t.Fatal("two runs with the same seed differ")
	}
	s3, c3 := outputs(t, sim.Run(sc, 2))
	if bytes.Equal(s1, s3) || bytes.Equal(c1, c3) {
		t.Fatal("another seed gave identical results")
	}
}

// The seed's story, in numbers: during the database slowdown the database
// sees more than two arrivals per logical request, clients fail, and the
// database works for callers that gave up. Aligning the timeouts (each layer
// gives up before its caller) removes the wasted work and keeps more
// requests succeeding.
func TestTimeoutMismatchShowsTheSpiral(t *testing.T) {
	base := runFile(t, "../scenarios/timeout-mismatch.toml", "").Summary
	db := base.Components["db"]
	if db.FaultAmplification <= 2 {
		t.Errorf("db amplification during the fault %.2f, want > 2", db.FaultAmplification)
	}
	if base.Clients.Failed == 0 || base.Clients.SuccessRate > 0.9 {
		t.Errorf("clients: %d failed, success rate %.3f; the spiral should fail many", base.Clients.Failed, base.Clients.SuccessRate)
	}
	if db.WastedWorkS < 0.2*db.BusyS {
		t.Errorf("db wasted %.0fs of %.0fs busy; abandoned queries should be a large share", db.WastedWorkS, db.BusyS)
	}

	aligned := runFile(t, "../scenarios/timeout-mismatch.toml", "aligned").Summary
	adb := aligned.Components["db"]
	if adb.WastedWorkS > 0.1*db.WastedWorkS {
		t.Errorf("aligned db wasted %.0fs, base %.0fs: aligned timeouts should remove most of it", adb.WastedWorkS, db.WastedWorkS)
	}
	if aligned.Clients.SuccessRate <= base.Clients.SuccessRate {
		t.Errorf("aligned success rate %.3f not above base %.3f", aligned.Clients.SuccessRate, base.Clients.SuccessRate)
	}
	if *aligned.Recovery.RecoveredAtS >= *base.Recovery.RecoveredAtS {
		t.Errorf("aligned recovered at %gs, base at %gs: aligned should recover sooner", *aligned.Recovery.RecoveredAtS, *base.Recovery.RecoveredAtS)
	}
}
