package sim

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/metrics"
)

// counts are the events of one bucket, or of the whole run.
type counts struct {
	arrivals, completed, errors, rejected, timedOut, retries int64
	logical, succeeded, failed                               int64
	cancelled, deadlineExceeded, shed                        int64
	retriesDenied, throttled, breakerRejected                int64
	wasted                                                   float64 // seconds
}

func (c *counts) add(o *counts) {
	c.arrivals += o.arrivals
	c.completed += o.completed
	c.errors += o.errors
	c.rejected += o.rejected
	c.timedOut += o.timedOut
	c.retries += o.retries
	c.logical += o.logical
	c.succeeded += o.succeeded
	c.failed += o.failed
	c.cancelled += o.cancelled
	c.deadlineExceeded += o.deadlineExceeded
	c.shed += o.shed
	c.retriesDenied += o.retriesDenied
	c.throttled += o.throttled
	c.breakerRejected += o.breakerRejected
	c.wasted += o.wasted
}

// stats is what one component measures. Counts go to the current bucket and
// are added to the totals when it closes.
type stats struct {
	cur, tot counts

	inSys, queue, busy, capacity metrics.Level

	lat, latTot *metrics.Histogram // response time of answered calls (clients: logical latency)
	respSum     float64            // exact total response time, seconds, for Little's law
	respN       int64

	faultArrivals int64 // arrivals while a fault was active
	peakAmp       float64
	failures      [4]int64 // clients: failed logical requests by last outcome
	slo           *slo     // the SLO that counts this component's requests, or nil
}

func (st *stats) init() {
	st.lat = metrics.NewHistogram(2)
	st.latTot = metrics.NewHistogram(3)
}

// arrive counts an arrival (for a client: an attempt sent).
func (st *stats) arrive(s *Sim) {
	st.cur.arrivals++
	if s.active > 0 {
		st.faultArrivals++
	}
}

// answered counts a call the component finished. Every call counts for
// Little's law; the latency quantiles describe the calls that were served
// and answered, so refusals (no time spent) and cancelled calls (no answer)
// stay out of them.
func (st *stats) answered(d des.Time, o outcome) {
	switch o {
	case ok:
		st.cur.completed++
	case failed:
		st.cur.errors++
	case rejected:
		st.cur.rejected++
	case cancelledCall:
		st.cur.cancelled++
	}
	st.respSum += d.Seconds()
	st.respN++
	if st.slo != nil && o != cancelledCall {
		st.slo.count(d, o == ok)
	}
	if o == ok || o == failed {
		st.lat.Record(d)
		st.latTot.Record(d)
	}
}

// attemptOutcome counts how one of a client's attempts ended.
func (st *stats) attemptOutcome(o outcome) {
	switch o {
	case ok:
		st.cur.completed++
	case timedOut:
		st.cur.timedOut++
	case failed:
		st.cur.errors++
	case rejected:
		st.cur.rejected++
	}
}

func (st *stats) logical(s *Sim) {
	st.cur.logical++
	if s.active > 0 {
		s.faultLogic++
	}
}

func (st *stats) logicalDone(d des.Time, o outcome) {
	if o == ok {
		st.cur.succeeded++
	} else {
		st.cur.failed++
		st.failures[o]++
	}
	st.lat.Record(d)
	st.latTot.Record(d)
	st.respSum += d.Seconds()
	st.respN++
	if st.slo != nil {
		st.slo.count(d, o == ok)
	}
}
