package sim

import (
	"math"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/metrics"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// view is one component's bucket as it closes: its counts and the levels
// and ratios computed once for all its columns.
type view struct {
	k      *component
	c      *counts
	width  float64 // seconds
	now    des.Time
	amp    float64
	in     [2]float64 // in flight: mean, max
	queue  [2]float64 // queue: mean, max
	busy   float64
	worker float64 // workers available, mean
}

// column is one metric of timeseries.csv: its name, and how a closing
// bucket yields its value (NaN for none).
type column struct {
	name  string
	value func(v *view) float64
}

func count(name string, f func(c *counts) int64) column {
	return column{name, func(v *view) float64 { return float64(f(v.c)) }}
}

// The metrics of timeseries.csv, by component kind. docs/metrics.md documents
// each; add, never rename.
var (
	commonColumns = []column{
		count("arrivals", func(c *counts) int64 { return c.arrivals }),
		count("completed", func(c *counts) int64 { return c.completed }),
		count("errors", func(c *counts) int64 { return c.errors }),
		count("rejected", func(c *counts) int64 { return c.rejected }),
		count("timed_out", func(c *counts) int64 { return c.timedOut }),
		count("retries", func(c *counts) int64 { return c.retries }),
		{"in_flight_mean", func(v *view) float64 { return v.in[0] }},
		{"in_flight_max", func(v *view) float64 { return v.in[1] }},
		{"latency_p50_s", func(v *view) float64 { return quantile(v.k.stats.lat, 0.5) }},
		{"latency_p99_s", func(v *view) float64 { return quantile(v.k.stats.lat, 0.99) }},
		{"latency_p999_s", func(v *view) float64 { return quantile(v.k.stats.lat, 0.999) }},
		{"amplification", func(v *view) float64 { return v.amp }},
	}
	clientColumns = []column{
		count("logical_requests", func(c *counts) int64 { return c.logical }),
		count("succeeded", func(c *counts) int64 { return c.succeeded }),
		count("failed", func(c *counts) int64 { return c.failed }),
		{"offered_rps", func(v *view) float64 { return float64(v.c.logical) / v.width }},
		{"goodput_rps", func(v *view) float64 { return float64(v.c.succeeded) / v.width }},
	}
	serverColumns = []column{
		{"queue_mean", func(v *view) float64 { return v.queue[0] }},
		{"queue_max", func(v *view) float64 { return v.queue[1] }},
		{"busy_mean", func(v *view) float64 { return v.busy }},
		{"workers", func(v *view) float64 { return v.worker }},
		{"utilization", func(v *view) float64 {
			if v.worker == 0 {
				return math.NaN()
			}
			return v.busy / v.worker
		}},
		{"wasted_work_s", func(v *view) float64 { return v.c.wasted }},
	}
	calleeColumns = []column{ // what a component does with calls it takes
		count("cancelled", func(c *counts) int64 { return c.cancelled }),
		count("deadline_exceeded", func(c *counts) int64 { return c.deadlineExceeded }),
		count("shed", func(c *counts) int64 { return c.shed }),
	}
	callerColumns = []column{ // what a component's guards did to its own calls
		count("retries_denied", func(c *counts) int64 { return c.retriesDenied }),
		count("throttled", func(c *counts) int64 { return c.throttled }),
		count("breaker_rejected", func(c *counts) int64 { return c.breakerRejected }),
	}
)

// columnsFor lists component k's metrics: those of its kind, then the state
// of each mechanism it has, named after the edge (".TARGET") for clients'
// and services' calls; a load balancer has one route and no suffix.
func (s *Sim) columnsFor(k *component) []column {
	cols := append([]column(nil), commonColumns...)
	switch k.kind {
	case topology.KindClient:
		cols = append(cols, clientColumns...)
		cols = append(cols, callerColumns...)
		cols = append(cols, s.edgeColumns(&k.client.policy, "."+s.comps[k.client.policy.to].name)...)
		if s.shedsAt(k.name) {
			cols = append(cols, calleeColumns[2]) // shed: requests an operator refused
		}
	case topology.KindLoadBalancer:
		cols = append(cols, calleeColumns...)
		cols = append(cols, callerColumns[0]) // retries_denied: the route's budget or max_retries
		cols = append(cols, s.edgeColumns(&k.lb.policy, "")...)
		if k.lb.outlier != nil {
			det := k.lb.outlier
			cols = append(cols, column{"ejected_hosts", func(*view) float64 { return float64(det.EjectedCount()) }})
		}
	case topology.KindQueue:
		cols = append(cols, queueColumns(k)...)
	default:
		cols = append(cols, serverColumns...)
		cols = append(cols, calleeColumns...)
		if k.kind == topology.KindService {
			cols = append(cols, callerColumns...)
		}
		for i := range k.srv.calls {
			p := &k.srv.calls[i]
			cols = append(cols, s.edgeColumns(p, "."+s.comps[p.to].name)...)
		}
		if l := k.srv.limiter; l != nil {
			cols = append(cols, column{"concurrency_limit", func(*view) float64 { return float64(l.Limit()) }})
		}
		cols = append(cols, infraColumns(k)...)
	}
	cols = append(cols, s.alertColumns(k)...)
	return append(cols, s.stateColumns(k)...)
}

// edgeColumns are the state, at the end of each bucket, of an edge's
// mechanisms.
func (s *Sim) edgeColumns(p *policy, suffix string) []column {
	var cols []column
	if b := p.budget; b != nil {
		cols = append(cols, column{"budget_tokens" + suffix, func(v *view) float64 { return b.Level(v.now) }})
	}
	if b := p.breaker; b != nil {
		cols = append(cols, column{"breaker_state" + suffix, func(*view) float64 { return float64(b.State()) }})
	}
	if t := p.throttle; t != nil {
		cols = append(cols, column{"throttle_probability" + suffix, func(v *view) float64 { return t.Probability(v.now) }})
	}
	if p.bulkhead > 0 {
		cols = append(cols, column{"bulkhead_in_use" + suffix, func(*view) float64 { return float64(p.inStep) }})
	}
	return cols
}

func keysOf(name string, cols []column) []results.Key {
	keys := make([]results.Key, len(cols))
	for i, c := range cols {
		keys[i] = results.Key{Component: name, Metric: c.name}
	}
	return keys
}

// closeBucket ends the current bucket: every component's counts, levels and
// quantiles become one value per metric in the series.
func (s *Sim) closeBucket() {
	start := s.bucketEnd - s.bucket
	end := min(s.bucketEnd, s.end)
	w := end - start
	s.closeSLOs()
	var logical int64
	for i := range s.comps {
		logical += s.comps[i].stats.cur.logical
	}
	s.series.Times = append(s.series.Times, start.Seconds())
	for i := range s.comps {
		k := &s.comps[i]
		st := &k.stats
		v := &s.view // reused: a fresh one would escape to the heap through the columns
		*v = view{k: k, c: &st.cur, width: w.Seconds(), now: end, amp: math.NaN()}
		if logical > 0 {
			v.amp = float64(st.cur.arrivals) / float64(logical)
			st.peakAmp = max(st.peakAmp, v.amp)
		}
		v.in[0], v.in[1] = st.inSys.Close(end, w)
		if k.mq != nil {
			v.queue[0], v.queue[1] = st.queue.Close(end, w)
		}
		if k.srv != nil {
			v.queue[0], v.queue[1] = st.queue.Close(end, w)
			v.busy, _ = st.busy.Close(end, w)
			v.worker, _ = st.capacity.Close(end, w)
		}
		for j, col := range k.cols {
			vals := &s.series.Values[k.col+j]
			*vals = append(*vals, col.value(v))
		}
		st.tot.add(&st.cur)
		st.cur = counts{}
		st.lat.Reset()
	}
	s.closePools(end, w)
	if s.bucketEnd == s.warmupEnd {
		for i := range s.comps {
			s.comps[i].stats.endWarmup(s.bucketEnd)
		}
		s.faultLogicWarmup = s.faultLogic
	}
	s.bucketEnd += s.bucket
	if s.onBucket != nil {
		s.onBucket(s.series)
	}
}

func quantile(h *metrics.Histogram, q float64) float64 {
	if h.Count() == 0 {
		return math.NaN()
	}
	return h.Quantile(q)
}
