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
