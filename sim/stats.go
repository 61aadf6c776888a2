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

	writes, duplicateWrites, deduplicated, keysLost int64 // writes that took effect, again, or were answered from a key
	inconsistent, repaired, repairAttempts          int64 // partial failures opened, closed, and repair calls made
	fallbacks, degraded, hedges, hedgeWins          int64
	cacheHits, cacheMisses, coalesced               int64 // cache lookups; coalesced misses waited for another's fetch
	acked, expired, redelivered                     int64 // durable queue messages
	bulkheadRejected                                int64
}

func (c *counts) add(o *counts) { c.combine(o, 1) }

// sub takes o away: the totals since a snapshot are the totals minus it.
func (c *counts) sub(o *counts) { c.combine(o, -1) }

func (c *counts) combine(o *counts, sign int64) {
	c.arrivals += sign * o.arrivals
	c.completed += sign * o.completed
	c.errors += sign * o.errors
	c.rejected += sign * o.rejected
	c.timedOut += sign * o.timedOut
	c.retries += sign * o.retries
	c.logical += sign * o.logical
	c.succeeded += sign * o.succeeded
	c.failed += sign * o.failed
	c.cancelled += sign * o.cancelled
	c.deadlineExceeded += sign * o.deadlineExceeded
	c.shed += sign * o.shed
	c.retriesDenied += sign * o.retriesDenied
	c.throttled += sign * o.throttled
	c.breakerRejected += sign * o.breakerRejected
	c.wasted += float64(sign) * o.wasted
	c.writes += sign * o.writes
	c.duplicateWrites += sign * o.duplicateWrites
	c.deduplicated += sign * o.deduplicated
	c.keysLost += sign * o.keysLost
	c.inconsistent += sign * o.inconsistent
	c.repaired += sign * o.repaired
	c.repairAttempts += sign * o.repairAttempts
	c.fallbacks += sign * o.fallbacks
	c.degraded += sign * o.degraded
	c.hedges += sign * o.hedges
	c.hedgeWins += sign * o.hedgeWins
	c.cacheHits += sign * o.cacheHits
	c.cacheMisses += sign * o.cacheMisses
	c.coalesced += sign * o.coalesced
	c.acked += sign * o.acked
	c.expired += sign * o.expired
	c.redelivered += sign * o.redelivered
	c.bulkheadRejected += sign * o.bulkheadRejected
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

	warmup warmupShare // what the warm-up added to the totals, left out of the summary
}

// warmupShare is what the totals held when the warm-up ended: the summary
// reports the totals minus it, the books (invariants) the whole totals.
type warmupShare struct {
	counts        counts
	failures      [4]int64
	respSum       float64
	respN         int64
	faultArrivals int64
}

// measured are the totals the summary reports: since the warm-up, or of
// the whole run without one.
func (st *stats) measured() counts {
	m := st.tot
	m.sub(&st.warmup.counts)
	return m
}

// endWarmup snapshots the totals at the end of the warm-up, a bucket's end,
// and starts the run's latency, peaks and levels afresh.
func (st *stats) endWarmup(now des.Time) {
	st.warmup = warmupShare{counts: st.tot, failures: st.failures, respSum: st.respSum, respN: st.respN, faultArrivals: st.faultArrivals}
	st.latTot.Reset()
	st.peakAmp = 0
	for _, l := range []*metrics.Level{&st.inSys, &st.queue, &st.busy, &st.capacity} {
		l.Measure(now)
	}
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

func (st *stats) logicalDone(d des.Time, o outcome, deg bool) {
	if o == ok && deg {
		st.cur.degraded++
	} else if o == ok {
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
