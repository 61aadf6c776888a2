package main

import (
	"strings"
	"testing"
)

func TestValidatePrintsEveryClosedFormWithinTolerance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 18 simulations; not in -short")
	}
	code, out, errOut := simulate(t, "validate", "--seeds", "2")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Validation: 16 closed forms against the mean of seeds 1-2", "Erlang B", "Pollaczek-Khinchine", "A^L", "Che"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FAIL") || !strings.Contains(errOut, "16 of 16 closed forms within tolerance") {
		t.Errorf("a closed form failed:\n%s%s", out, errOut)
	}
}

func TestValidateNeedsTwoSeedsForAnInterval(t *testing.T) {
	code, _, errOut := simulate(t, "validate", "--seeds", "1")
	if code != exitInput || !strings.Contains(errOut, "--seeds must be at least 2 for a confidence interval, got 1") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
