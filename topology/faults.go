package topology

import (
	"fmt"
	"time"
)

// String is the fault in words, e.g. "slowdown x10 on db at 60s for 30s".
func (f Fault) String() string {
	if f.Link != nil {
		return fmt.Sprintf("%s at %s for %s", f.linkString(), f.At, f.For)
	}
	what := f.Kind.String()
	switch f.Kind {
	case FaultSlowdown, FaultLoadSpike:
		what += fmt.Sprintf(" x%g", f.Factor)
	case FaultLatency:
		what += " +" + f.Latency.String()
	case FaultErrors:
		what += fmt.Sprintf(" %g%%", 100*f.ErrorRate)
	case FaultCapacity:
		what += fmt.Sprintf(" to %d workers", f.Workers)
	case FaultDrift:
		what += " " + f.Drift.String()
	}
	return fmt.Sprintf("%s at %s for %s", what, f.At, time.Duration(f.For))
}
