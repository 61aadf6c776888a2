package sim

import (
	"math"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/metrics"
	"github.com/failsim/failsim/topology"
)

// counts are the events of one bucket, or of the whole run.
type counts struct {
	arrivals, completed, errors, rejected, timedOut, retries int64
	logical, succeeded, failed                               int64
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

// answered counts a call the component finished. Rejections spend no time in
// the component: they count for Little's law but stay out of the latency
// quantiles, which describe calls that were served.
func (st *stats) answered(d des.Time, o outcome) {
	switch o {
	case ok:
		st.cur.completed++
	case failed:
		st.cur.errors++
	case rejected:
		st.cur.rejected++
	}
	st.respSum += d.Seconds()
	st.respN++
	if o != rejected {
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
}

// Metric names in timeseries.csv, per component kind. docs/metrics.md
// documents each; add, never rename.
var (
	commonMetrics = []string{
		"arrivals", "completed", "errors", "rejected", "timed_out", "retries",
		"in_flight_mean", "in_flight_max", "latency_p50_s", "latency_p99_s", "latency_p999_s",
		"amplification",
	}
	clientMetrics = []string{"logical_requests", "succeeded", "failed", "offered_rps", "goodput_rps"}
	serverMetrics = []string{"queue_mean", "queue_max", "busy_mean", "workers", "utilization", "wasted_work_s"}
)

func metricNames(k topology.Kind) []string {
	out := append([]string(nil), commonMetrics...)
	switch k {
	case topology.KindClient:
		out = append(out, clientMetrics...)
	case topology.KindService, topology.KindDatabase:
		out = append(out, serverMetrics...)
	}
	return out
}

// closeBucket ends the current bucket: every component's counts, levels and
// quantiles become one value per metric in the series.
func (s *Sim) closeBucket() {
	start := s.bucketEnd - s.bucket
	end := min(s.bucketEnd, s.end)
	w := end - start
	ws := w.Seconds()
	var logical int64
	for i := range s.comps {
		logical += s.comps[i].stats.cur.logical
	}
	s.series.Times = append(s.series.Times, start.Seconds())
	for i := range s.comps {
		k := &s.comps[i]
		st := &k.stats
		c := &st.cur
		amp := math.NaN()
		if logical > 0 {
			amp = float64(c.arrivals) / float64(logical)
			st.peakAmp = max(st.peakAmp, amp)
		}
		inMean, inMax := st.inSys.Close(end, w)
		vals := append(s.scratch[:0],
			float64(c.arrivals), float64(c.completed), float64(c.errors), float64(c.rejected),
			float64(c.timedOut), float64(c.retries), inMean, inMax,
			quantile(st.lat, 0.5), quantile(st.lat, 0.99), quantile(st.lat, 0.999), amp,
		)
		switch k.kind {
		case topology.KindClient:
			vals = append(vals, float64(c.logical), float64(c.succeeded), float64(c.failed),
				float64(c.logical)/ws, float64(c.succeeded)/ws)
		case topology.KindService, topology.KindDatabase:
			qMean, qMax := st.queue.Close(end, w)
			busy, _ := st.busy.Close(end, w)
			workers, _ := st.capacity.Close(end, w)
			util := math.NaN()
			if workers > 0 {
				util = busy / workers
			}
			vals = append(vals, qMean, qMax, busy, workers, util, c.wasted)
		}
		for j, v := range vals {
			col := &s.series.Values[k.col+j]
			*col = append(*col, v)
		}
		s.scratch = vals
		st.tot.add(c)
		*c = counts{}
		st.lat.Reset()
	}
	s.bucketEnd += s.bucket
}

func quantile(h *metrics.Histogram, q float64) float64 {
	if h.Count() == 0 {
		return math.NaN()
	}
	return h.Quantile(q)
}
