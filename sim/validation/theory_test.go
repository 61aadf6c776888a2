package validation

import (
	"math"
	"testing"
)

// The closed forms agree with each other and with values known by hand.
func TestClosedFormsAgree(t *testing.T) {
	lambda, mu := 500.0, 1000.0
	r1, x1 := MVA(1, 0.05, 0.004)
	rBig, xBig := MVA(2000, 0.05, 0.004)
	for _, tc := range []struct {
		what      string
		got, want float64
	}{
		{"Erlang C, 2 servers at 50%", ErlangC(2, 1), 1.0 / 3},
		{"Erlang C, 1 server is rho", ErlangC(1, 0.7), 0.7},
		{"Erlang B, 1 server", ErlangB(1, 2), 2.0 / 3},
		{"Erlang B, 2 servers", ErlangB(2, 1), 0.2},
		{"M/M/1 wait by Pollaczek-Khinchine (E[S²] = 2/mu²)", PKWait(lambda, 1/mu, 2/(mu*mu)), MM1Response(lambda, mu) - 1/mu},
		{"M/M/1 wait by Erlang C with c = 1", MMcWait(1, lambda, mu), MM1Response(lambda, mu) - 1/mu},
		{"M/D/1 wait is half M/M/1's", PKWait(lambda, 1/mu, 1/(mu*mu)), (MM1Response(lambda, mu) - 1/mu) / 2},
		{"MVA, one user never waits", r1, 0.004},
		{"MVA, one user's throughput", x1, 1 / 0.054},
		{"MVA, saturated throughput is 1/D", xBig, 250},
		{"MVA obeys R = N/X - Z", rBig, 2000/xBig - 0.05},
		{"one attempt succeeds with 1 - p", RetrySuccess(0.3, 1), 0.7},
		{"one attempt is one attempt", RetryAttempts(0.3, 1), 1},
		{"gRPC default ratio 0.1", GRPCThreshold(0.1), 1.0 / 11},
		{"3 layers of 3", LayeredAmplification(3, 3, 3), 27},
		{"fan-out of 100 at 1%", FanoutSlow(0.01, 100), 0.6339676587267709},
		{"fan-out of 1 is the call", FanoutSlow(0.2, 1), 0.2},
		{"H_4", Harmonic(4), 25.0 / 12},
		{"the max of n is the n-th fastest", KthFastest(10, 10, mu), Harmonic(10) / mu},
		{"the fastest of n is exponential(n mu)", KthFastest(1, 5, mu), 1 / (5 * mu)},
		{"the 2nd of 3", KthFastest(2, 3, mu), 1/(3*mu) + 1/(2*mu)},
		{"two writers at rho = 0.5", TwoWriterConflicts(0.5), 1.25 / 5.25},
		{"two slow thinkers rarely conflict: rho", TwoWriterConflicts(1e-6), 1e-6},
		{"two writers that never think: 1/3", TwoWriterConflicts(1e9), 1.0 / 3},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9*math.Max(1, math.Abs(tc.want)) {
			t.Errorf("%s: got %.12g, want %.12g", tc.what, tc.got, tc.want)
		}
	}
}
