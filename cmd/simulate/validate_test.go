package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/validation"
)

func TestValidatePrintsEveryClosedFormWithinTolerance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two simulations per scenario; not in -short")
	}
	code, out, errOut := simulate(t, "validate", "--seeds", "2")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	n := len(validation.Checks())
	for _, want := range []string{fmt.Sprintf("Validation: %d closed forms against the mean of seeds 1-2", n), "Erlang B", "Pollaczek-Khinchine", "A^L", "Che",
		"H_N/μ", "1 − (1 − p)^N", "Cobham"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAIL") || !strings.Contains(errOut, fmt.Sprintf("%d of %d closed forms within tolerance", n, n)) {
		t.Errorf("a closed form failed:\n%s%s", out, errOut)
	}
}

func TestValidateNeedsTwoSeedsForAnInterval(t *testing.T) {
	code, _, errOut := simulate(t, "validate", "--seeds", "1")
	if code != exitInput || !strings.Contains(errOut, "--seeds must be at least 2 for a confidence interval, got 1") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
