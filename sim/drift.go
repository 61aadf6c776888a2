package sim

import (
	"math"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// A drift fault changes its parameter in steps at bucket boundaries: at its
// start and at every boundary inside its window, the targets' state is
// recomputed with the drift's value at that instant, which then holds until
// the next boundary. The effect is a staircase under (or above) the straight
// line, one bucket wide, as a metric sampled once per bucket would show it.

// driftStep recomputes drift fault i's targets and schedules its next step.
func (s *Sim) driftStep(i int32) {
	s.applyFaults(i, true)
	next := (s.now()/s.bucket + 1) * s.bucket
	if next < des.FromDuration(s.faults[i].End()) {
		s.sched.Schedule(next, evDriftStep, 0, i)
	}
}

// driftEffect adds drift fault g's value at now to a target's state, as
// applyFaults combines faults: latency adds, errors combine as independent
// causes, the fewest workers win.
func driftEffect(g *topology.Fault, now des.Time, extra *des.Time, ok *float64, workers *int32) {
	v := g.DriftAt(time.Duration(now))
	switch g.Drift.What {
	case topology.DriftLatency:
		*extra += des.FromSeconds(v)
	case topology.DriftErrors:
		*ok *= 1 - v
	case topology.DriftCapacity:
		w := int32(math.Round(v))
		if *workers < 0 || w < *workers {
			*workers = w
		}
	}
}
