package retry

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

func exp(j topology.Jitter) topology.Backoff {
	return topology.Backoff{Kind: topology.BackoffExponential, Jitter: j, Base: 100 * time.Millisecond, Cap: 2 * time.Second, Multiplier: 2}
}

// Deterministic shapes give exact waits.
func TestDeterministicWaits(t *testing.T) {
	ms := des.Millisecond
	tests := []struct {
		name string
		b    topology.Backoff
		want []des.Time // retries 1, 2, 3, ...
	}{
		{"none", topology.Backoff{Kind: topology.BackoffNone}, []des.Time{0, 0, 0}},
		{"constant", topology.Backoff{Kind: topology.BackoffConstant, Base: 250 * time.Millisecond}, []des.Time{250 * ms, 250 * ms, 250 * ms}},
		{"exponential, cap before jitter", exp(topology.JitterNone), []des.Time{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 2000 * ms, 2000 * ms}},
		{"multiplier 1.6 (gRPC's default)", topology.Backoff{Kind: topology.BackoffExponential, Base: time.Second, Cap: 120 * time.Second, Multiplier: 1.6},
			[]des.Time{1000 * ms, 1600 * ms, 2560 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, want := range tt.want {
				if got := Wait(tt.b, i+1, 0, nil); got != want {
					t.Errorf("retry %d: wait %v, want %v", i+1, got, want)
				}
			}
		})
	}
}

// Jittered shapes are checked against their range and mean over many draws.
func TestJitteredWaits(t *testing.T) {
	envoy := topology.Backoff{Kind: topology.BackoffEnvoy, Base: 25 * time.Millisecond, Cap: 250 * time.Millisecond}
	tests := []struct {
		name     string
		b        topology.Backoff
		n        int
		prev     des.Time
		min, max float64 // seconds
		mean     float64
	}{
		{"full jitter, retry 3: U(0, 0.4)", exp(topology.JitterFull), 3, 0, 0, 0.4, 0.2},
		{"full jitter, capped: U(0, 2)", exp(topology.JitterFull), 10, 0, 0, 2, 1},
		{"equal jitter, retry 3: 0.2 + U(0, 0.2)", exp(topology.JitterEqual), 3, 0, 0.2, 0.4, 0.3},
		{"decorrelated, first retry: U(0.1, 0.3)", exp(topology.JitterDecorrelated), 1, 0, 0.1, 0.3, 0.2},
		{"decorrelated after 0.5s: U(0.1, 1.5)", exp(topology.JitterDecorrelated), 4, 500 * des.Millisecond, 0.1, 1.5, 0.8},
		{"decorrelated after 1s: min(2, U(0.1, 3))", exp(topology.JitterDecorrelated), 4, des.Second, 0.1, 2,
			// P(U<2) = 1.9/2.9, mean of that part 1.05; the rest is capped at 2.
			1.9/2.9*1.05 + 1.0/2.9*2},
		{"envoy, retry 1: U(0, 25ms)", envoy, 1, 0, 0, 0.025, 0.0125},
		{"envoy, retry 3: U(0, 175ms)", envoy, 3, 0, 0, 0.175, 0.0875},
		// (2^4-1)*25ms = 375ms > 250ms stops the growth; min(250ms, U(0, 375ms)).
		{"envoy, retry 9: min(250ms, U(0, 375ms))", envoy, 9, 0, 0, 0.25, (0.25*0.25/2 + 0.125*0.25) / 0.375},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			const n = 200000
			var sum float64
			for range n {
				w := Wait(tt.b, tt.n, tt.prev, r).Seconds()
				if w < tt.min-1e-9 || w > tt.max+1e-9 {
					t.Fatalf("wait %g outside [%g, %g]", w, tt.min, tt.max)
				}
				sum += w
			}
			if got := sum / n; math.Abs(got-tt.mean) > 0.01*tt.mean {
				t.Errorf("mean wait %g, want %g within 1%%", got, tt.mean)
			}
		})
	}
}

func ExampleWait() {
	b := topology.Backoff{Kind: topology.BackoffExponential, Base: 100 * time.Millisecond, Cap: time.Second, Multiplier: 2}
	for n := 1; n <= 5; n++ {
		fmt.Println(n, Wait(b, n, 0, nil))
	}
	// Output:
	// 1 0.100s
	// 2 0.200s
	// 3 0.400s
	// 4 0.800s
	// 5 1.000s
}
