package throttle

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

func TestProbabilityFormula(t *testing.T) {
	th := New(topology.Throttle{K: 2, Window: 2 * time.Minute})
	for range 100 {
		th.Admit(0, 1) // u = 1 always passes
	}
	for range 30 {
		th.Accepted(0)
	}
	// (100 - 2*30) / (100 + 1)
	if got, want := th.Probability(0), 40.0/101; math.Abs(got-want) > 1e-12 {
		t.Fatalf("p = %g, want %g", got, want)
	}
	for range 20 {
		th.Accepted(0)
	}
	if got := th.Probability(0); got != 0 {
		t.Fatalf("p = %g with accepts at half the requests, want 0", got)
	}
	if got := th.Probability(3 * des.Minute); got != 0 {
		t.Fatalf("p = %g once the window has passed, want 0", got)
	}
}

// The steady state the SRE book describes: when the backend can accept only
// a rate a, the requests that reach it settle near K*a.
func TestBackendSeesAboutKTimesItsAccepts(t *testing.T) {
	for _, k := range []float64{1.5, 2, 3} {
		th := New(topology.Throttle{K: k, Window: 2 * time.Minute})
		rng := rand.New(rand.NewPCG(1, 1))
		// The client wants 1000 requests/s (one a millisecond, for 20
		// minutes); the backend accepts at most 100 a second and refuses the
		// rest. Measured over the second half, after the window filled.
		const acceptRate = 100
		var sent, accepted, acceptedThisSecond float64
		for i := range 1_200_000 {
			now := des.Time(i) * des.Millisecond
			if i%1000 == 0 {
				acceptedThisSecond = 0
			}
			if !th.Admit(now, rng.Float64()) {
				continue
			}
			if i > 600_000 {
				sent++
			}
			if acceptedThisSecond < acceptRate {
				acceptedThisSecond++
				th.Accepted(now)
				if i > 600_000 {
					accepted++
				}
			}
		}
		if ratio := sent / accepted; math.Abs(ratio-k) > 0.05*k {
			t.Errorf("K = %g: the backend saw %.3f times what it accepted, want about K", k, ratio)
		}
	}
}
