package validation_test

import (
	"fmt"

	"github.com/failsim/failsim/sim/validation"
)

func ExampleErlangB() {
	// Five servers, no waiting room, offered load 4 Erlangs.
	fmt.Printf("%.4f\n", validation.ErlangB(5, 4))
	// Output: 0.1991
}

func ExampleErlangC() {
	// Four servers at 75% load.
	fmt.Printf("%.4f\n", validation.ErlangC(4, 3))
	// Output: 0.5094
}

func ExampleMVA() {
	// 20 users thinking 50ms, one server of 4ms demand.
	r, x := validation.MVA(20, 0.050, 0.004)
	fmt.Printf("R = %.2fms, X = %.1f/s, N/X - Z = %.2fms\n", 1e3*r, x, 1e3*(20/x-0.050))
	// Output: R = 31.10ms, X = 246.6/s, N/X - Z = 31.10ms
}

func ExampleRetrySuccess() {
	// Three attempts against 30% independent errors.
	fmt.Printf("success %.3f, %.2f attempts per request\n", validation.RetrySuccess(0.3, 3), validation.RetryAttempts(0.3, 3))
	// Output: success 0.973, 1.39 attempts per request
}

func ExampleFanoutSlow() {
	// One call in a hundred is slow; a request waits for a hundred calls.
	fmt.Printf("%.1f%% of requests are slow\n", 100*validation.FanoutSlow(0.01, 100))
	// Output: 63.4% of requests are slow
}

func ExampleKthFastest() {
	// Five replicas answering in 10ms on average: the mean wait for the
	// fastest, a quorum of three, and all of them.
	mu := 100.0
	fmt.Printf("any %.2fms, quorum %.2fms, all %.2fms = H_5/mu %.2fms\n", 1e3*validation.KthFastest(1, 5, mu),
		1e3*validation.KthFastest(3, 5, mu), 1e3*validation.KthFastest(5, 5, mu), 1e3*validation.Harmonic(5)/mu)
	// Output: any 2.00ms, quorum 7.83ms, all 22.83ms = H_5/mu 22.83ms
}
