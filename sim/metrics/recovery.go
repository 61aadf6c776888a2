package metrics

import (
	"fmt"
	"math"
)

// Goodput is a client goodput series: Rate[i] successes per second in the
// bucket that starts at Times[i] and lasts Widths[i] seconds.
type Goodput struct {
	Times, Widths, Rate []float64
}

// Recovery is the verdict of Judge.
type Recovery struct {
	Baseline    float64 // mean goodput before the first fault, req/s
	Judged      bool    // false when there was no fault or no baseline
	Recovered   bool
	RecoveredAt float64 // seconds, when Recovered
	Verdict     string  // the verdict in plain words
}

// Judge decides whether goodput came back after the faults, as the question
// "did the system recover?" is asked of a metastable failure.
//
// The baseline is the mean goodput over [firstFault/10, firstFault): the
// first tenth is left out as warm-up, or the warm-up given when it is
// longer. Goodput is then averaged over a sliding
// window of the given length (so bucket-to-bucket noise does not decide);
// the system recovered at the start of the first window, beginning after
// lastEnd, from which every window to the end of the run is within
// tolerance*baseline of the baseline.
func Judge(g Goodput, warmup, firstFault, lastEnd, window, tolerance float64) Recovery {
	base, n := 0.0, 0.0
	for i, t := range g.Times {
		if t >= max(firstFault/10, warmup) && t+g.Widths[i] <= firstFault {
			base += g.Rate[i] * g.Widths[i]
			n += g.Widths[i]
		}
	}
	if n == 0 {
		return Recovery{Verdict: "not judged: no complete bucket before the first fault to measure normal goodput"}
	}
	r := Recovery{Baseline: base / n, Judged: true}

	start := len(g.Times)
	for i, t := range g.Times {
		if t >= lastEnd {
			start = i
			break
		}
	}
	within := func(v float64) bool { return math.Abs(v-r.Baseline) <= tolerance*r.Baseline }
	recoveredFrom, windows := -1, 0
	var last float64
	for i := start; i < len(g.Times); i++ {
		// Mean over the buckets that start within [t_i, t_i + window).
		sum, w := 0.0, 0.0
		j := i
		for ; j < len(g.Times) && g.Times[j] < g.Times[i]+window-1e-9; j++ {
			sum += g.Rate[j] * g.Widths[j]
			w += g.Widths[j]
		}
		if w < window-1e-9 {
			break // the window runs past the end of the run
		}
		windows++
		last = sum / w
		switch {
		case !within(last):
			recoveredFrom = -1
		case recoveredFrom < 0:
			recoveredFrom = i
		}
	}
	switch {
	case windows == 0:
		r.Verdict = fmt.Sprintf("did not recover: the run ends less than one recovery window (%gs) after the last fault", window)
	case recoveredFrom >= 0:
		r.Recovered = true
		r.RecoveredAt = g.Times[recoveredFrom]
		r.Verdict = fmt.Sprintf("recovered: goodput back within %g%% of %.4g req/s at t=%gs, %gs after the last fault ended",
			100*tolerance, r.Baseline, r.RecoveredAt, r.RecoveredAt-lastEnd)
	default:
		r.Verdict = fmt.Sprintf("did not recover: goodput %.4g req/s at the end against %.4g req/s before the first fault",
			last, r.Baseline)
	}
	return r
}
