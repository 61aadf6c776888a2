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
	} {
		if math.Abs(tc.got-tc.want) > 1e-9*math.Max(1, math.Abs(tc.want)) {
			t.Errorf("%s: got %.12g, want %.12g", tc.what, tc.got, tc.want)
		}
	}
}
