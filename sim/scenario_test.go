package sim_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
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
	slow(t)
	sc, err := scenariofile.Load("../scenarios/timeout-mismatch.toml", "")
	if err != nil {
		t.Fatal(err)
	}
	s1, c1 := outputs(t, mustRun(t, sc, 1))
	s2, c2 := outputs(t, mustRun(t, sc, 1))
	if !bytes.Equal(s1, s2) || !bytes.Equal(c1, c2) {
		t.Fatal("two runs with the same seed differ")
	}
	s3, c3 := outputs(t, mustRun(t, sc, 2))
	if bytes.Equal(s1, s3) || bytes.Equal(c1, c3) {
		t.Fatal("another seed gave identical results")
	}
}

// The seed's story, in numbers: during the database slowdown the database
// sees more than two arrivals per logical request, clients fail, the
// database works for callers that gave up, and the spiral outlives the fault.
func TestTimeoutMismatchShowsTheSpiral(t *testing.T) {
	slow(t)
	base := runFile(t, "../scenarios/timeout-mismatch.toml", "").Summary
	db := base.Components["db"]
	if db.FaultAmplification <= 2 {
		t.Errorf("db amplification during the fault %.2f, want > 2", db.FaultAmplification)
	}
	if base.Clients.SuccessRate > 0.5 {
		t.Errorf("success rate %.3f; the spiral should fail most requests", base.Clients.SuccessRate)
	}
	if db.WastedWorkS < 0.5*db.BusyS {
		t.Errorf("db wasted %.0fs of %.0fs busy; abandoned queries should be most of it", db.WastedWorkS, db.BusyS)
	}
	if r := base.Recovery.Recovered; r == nil || *r {
		t.Errorf("recovery %s; the base should not recover", base.Recovery.Verdict)
	}
}

// Each fix the seeds prescribe for mismatched timeouts stops the spiral:
// aligned timeouts, deadline propagation and cancellation all recover within
// seconds of the fault's end, succeed far more often, and cut the work the
// database does for nobody by at least 80% (aligned: to nothing).
func TestTimeoutFixesStopTheSpiral(t *testing.T) {
	slow(t)
	base := runFile(t, "../scenarios/timeout-mismatch.toml", "").Summary
	end := *base.Recovery.LastFaultEndS
	for _, v := range []string{"aligned", "deadline-propagation", "cancellation"} {
		t.Run(v, func(t *testing.T) {
			s := runFile(t, "../scenarios/timeout-mismatch.toml", v).Summary
			if r := s.Recovery; r.Recovered == nil || !*r.Recovered || *r.RecoveredAtS > end+10 {
				t.Errorf("recovery: %s; want within 10s of the fault's end", r.Verdict)
			}
			if s.Clients.SuccessRate <= base.Clients.SuccessRate+0.3 {
				t.Errorf("success rate %.3f against the base's %.3f", s.Clients.SuccessRate, base.Clients.SuccessRate)
			}
			waste, baseWaste := s.Components["db"].WastedWorkS, base.Components["db"].WastedWorkS
			if waste > 0.2*baseWaste {
				t.Errorf("db wasted %.0fs, base %.0fs: want at least 80%% less", waste, baseWaste)
			}
		})
	}
}
