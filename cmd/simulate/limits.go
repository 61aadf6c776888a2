package main

import (
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
)

// applyDuration applies --duration (when given) to a loaded scenario and
// holds the result to the limits of a run: whatever set the duration and
// the bucket (the file, --set, a flag), a run that would keep too much is
// refused before anything runs.
func applyDuration(sc *topology.Scenario, d time.Duration, given bool) error {
	if given {
		if d <= 0 {
			return usagef("--duration must be positive, got %s (leave it out to run the scenario's duration, %s)", d, sc.Duration)
		}
		sc.Duration = d
	}
	if err := sim.CheckSize(sc); err != nil {
		if given {
			return usagef("--duration %s: %v", d, err)
		}
		return usagef("%s: %v", sc.File, err)
	}
	return nil
}
