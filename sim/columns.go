package sim

import (
	"math"
	"slices"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/metrics"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// view is one component's bucket as it closes: its counts and the levels
// and ratios computed once for all its columns.
type view struct {
	st     *stats
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
	// viewed: the value follows from the view alone (the bucket's counts,
	// levels and latencies), so a bucket in which nothing happened repeats
	// the value of the one before without asking.
	viewed bool
	// count, for a count of the bucket, is value without its wrapper: a
	// thousand services close twelve counts each a bucket.
	count func(c *counts) int64
}

// fromView is a column computed from the closing bucket's view alone.
func fromView(name string, f func(v *view) float64) column {
	return column{name: name, value: f, viewed: true}
}

// fromState is a column that reads a mechanism's state as the bucket closes
// (a breaker, a budget, a queue's backlog), asked at every bucket.
func fromState(name string, f func(v *view) float64) column { return column{name: name, value: f} }

func count(name string, f func(c *counts) int64) column {
	return column{name: name, value: func(v *view) float64 { return float64(f(v.c)) }, viewed: true, count: f}
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
		fromView("in_flight_mean", func(v *view) float64 { return v.in[0] }),
		fromView("in_flight_max", func(v *view) float64 { return v.in[1] }),
		fromView("latency_p50_s", func(v *view) float64 { return quantile(v.st.lat, 0.5) }),
		fromView("latency_p99_s", func(v *view) float64 { return quantile(v.st.lat, 0.99) }),
		fromView("latency_p999_s", func(v *view) float64 { return quantile(v.st.lat, 0.999) }),
		fromView("amplification", func(v *view) float64 { return v.amp }),
	}
	clientColumns = []column{
		count("logical_requests", func(c *counts) int64 { return c.logical }),
		count("succeeded", func(c *counts) int64 { return c.succeeded }),
		count("failed", func(c *counts) int64 { return c.failed }),
		fromView("offered_rps", func(v *view) float64 { return float64(v.c.logical) / v.width }),
		fromView("goodput_rps", func(v *view) float64 { return float64(v.c.succeeded) / v.width }),
	}
	serverColumns = []column{
		fromView("queue_mean", func(v *view) float64 { return v.queue[0] }),
		fromView("queue_max", func(v *view) float64 { return v.queue[1] }),
		fromView("busy_mean", func(v *view) float64 { return v.busy }),
		fromView("workers", func(v *view) float64 { return v.worker }),
		fromView("utilization", func(v *view) float64 {
			if v.worker == 0 {
				return math.NaN()
			}
			return v.busy / v.worker
		}),
		fromView("wasted_work_s", func(v *view) float64 { return v.c.wasted }),
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

// The columns every component of a kind has, first among its own, in one
// array that all of them share: a thousand services read one array at every
// close, not a thousand. Capped, so that appending copies.
var (
	clientKindColumns   = concat(commonColumns, clientColumns, callerColumns)
	balancerKindColumns = concat(commonColumns, calleeColumns, callerColumns[:1]) // retries_denied: the route's budget or max_retries
	serviceKindColumns  = concat(commonColumns, serverColumns, calleeColumns, callerColumns)
	serverKindColumns   = concat(commonColumns, serverColumns, calleeColumns) // a database's or a cache's
)

func concat(lists ...[]column) []column {
	cols := slices.Concat(lists...)
	return cols[:len(cols):len(cols)]
}

// columnsFor lists component k's metrics: those of its kind, then the state
// of each mechanism it has, named after the edge (".TARGET") for clients'
// and services' calls; a load balancer has one route and no suffix.
func (s *Sim) columnsFor(k *component) []column {
	var kind, own []column
	switch k.kind {
	case topology.KindClient:
		kind = clientKindColumns
		own = s.edgeColumns(&k.client.policy, "."+s.comps[k.client.policy.to].name)
		if s.shedsAt(k.name) {
			own = append(own, calleeColumns[2]) // shed: requests an operator refused
		}
		own = append(own, s.classColumns(k)...)
	case topology.KindLoadBalancer:
		kind = balancerKindColumns
		own = s.edgeColumns(&k.lb.policy, "")
		if k.lb.outlier != nil {
			det := k.lb.outlier
			own = append(own, fromState("ejected_hosts", func(*view) float64 { return float64(det.EjectedCount()) }))
		}
	case topology.KindQueue:
		kind = commonColumns[:len(commonColumns):len(commonColumns)]
		own = queueColumns(k)
	default:
		kind = serverKindColumns
		if k.kind == topology.KindService {
			kind = serviceKindColumns
		}
		for i := range k.srv.calls {
			p := &k.srv.calls[i]
			own = append(own, s.edgeColumns(p, "."+s.calleeName(p))...)
		}
		own = append(own, groupColumns(k.srv)...)
		if l := k.srv.limiter; l != nil {
			own = append(own, fromState("concurrency_limit", func(*view) float64 { return float64(l.Limit()) }))
		}
		own = append(own, infraColumns(k)...)
		own = append(own, keyedColumns(k)...)
	}
	own = append(own, s.alertColumns(&s.reports[k.report])...)
	own = append(own, s.stateColumns(k)...)
	own = append(own, s.linkColumns(k)...)
	if len(own) == 0 {
		return kind
	}
	return append(kind, own...)
}

// edgeColumns are the state, at the end of each bucket, of an edge's
// mechanisms.
func (s *Sim) edgeColumns(p *policy, suffix string) []column {
	var cols []column
	if b := p.budget; b != nil {
		cols = append(cols, fromState("budget_tokens"+suffix, func(v *view) float64 { return b.Level(v.now) }))
	}
	if b := p.breaker; b != nil {
		cols = append(cols, fromState("breaker_state"+suffix, func(*view) float64 { return float64(b.State()) }))
	}
	if t := p.throttle; t != nil {
		cols = append(cols, fromState("throttle_probability"+suffix, func(v *view) float64 { return t.Probability(v.now) }))
	}
	if p.bulkhead > 0 {
		if p.group != nil { // a group's bulkhead, kept on its first call's edge, is the group's
			suffix = "." + p.group.name
		}
		cols = append(cols, fromState("bulkhead_in_use"+suffix, func(*view) float64 { return float64(p.inStep) }))
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
// quantiles become one value per metric in the series. A component that saw
// nothing in the bucket, with the same levels as in its last quiet bucket,
// repeats that bucket's values: a fleet of idle instances costs a few
// comparisons each, not a column computed per metric.
func (s *Sim) closeBucket() {
	start := s.bucketEnd - s.bucket
	end := min(s.bucketEnd, s.end)
	w := end - start
	s.closeSLOs()
	var logical int64
	for i := range s.reports {
		logical += s.reports[i].stats.cur.logical
	}
	s.series.Times = append(s.series.Times, start.Seconds())
	row := s.newRow()
	for i := range s.reports {
		r := &s.reports[i]
		st := &r.stats
		v := &s.view // reused: a fresh one would escape to the heap through the columns
		*v = view{st: st, c: &st.cur, width: w.Seconds(), now: end, amp: math.NaN()}
		if logical > 0 {
			v.amp = float64(st.cur.arrivals) / float64(logical)
			st.peakAmp = max(st.peakAmp, v.amp)
		}
		k := &s.comps[r.members[0]]
		v.in[0], v.in[1] = st.inSys.Close(end, w)
		if k.mq != nil {
			v.queue[0], v.queue[1] = st.queue.Close(end, w)
		}
		if k.srv != nil {
			v.queue[0], v.queue[1] = st.queue.Close(end, w)
			v.busy, _ = st.busy.Close(end, w)
			v.worker, _ = st.capacity.Close(end, w)
		}
		if cl := k.client; cl != nil && cl.classes != nil {
			s.openClassViews(cl, end, w)
		}
		quiet := st.cur == counts{} && st.lat.Count() == 0
		again := quiet && r.quiet.levels == v.levels()
		for j, col := range r.cols {
			if again && col.viewed {
				row.Set(r.col+j, r.quiet.row[j])
				continue
			}
			var x float64
			if col.count != nil {
				x = float64(col.count(v.c))
			} else {
				x = col.value(v)
			}
			row.Set(r.col+j, x)
			if quiet {
				r.quiet.row[j] = x
			}
		}
		if quiet { // nothing to add to the totals or to reset
			r.quiet.levels = v.levels()
		} else {
			r.quiet.levels = noLevels
			st.tot.add(&st.cur)
			st.cur = counts{}
			st.lat.Reset()
		}
		if cl := k.client; cl != nil && cl.classes != nil {
			closeClassViews(cl)
		}
		if k.srv != nil && s.joins != nil {
			for _, m := range r.members {
				for _, g := range s.comps[m].srv.groups() {
					g.tot.add(&g.cur)
					g.cur = joinCounts{}
				}
			}
		}
	}
	s.closePools(end, w, row)
	s.closeLinks()
	if s.bucketEnd == s.warmupEnd {
		for i := range s.reports {
			s.reports[i].stats.endWarmup(s.bucketEnd)
		}
		for i := range s.comps {
			if cl := s.comps[i].client; cl != nil {
				for _, cc := range cl.classes {
					cc.k.stats.endWarmup(s.bucketEnd)
				}
			}
			if sv := s.comps[i].srv; sv != nil && s.joins != nil {
				for _, g := range sv.groups() {
					g.warm = g.tot
				}
			}
		}
		s.endLinkWarmup()
		s.endKeyedWarmup()
		s.faultLogicWarmup = s.faultLogic
	}
	s.bucketEnd += s.bucket
	if s.onBucket != nil {
		s.series.Show(s.block) // readable as it goes
		s.onBucket(s.series)
	}
}

// levels are what a view holds besides its counts and latencies: with both
// empty, equal levels give equal values in every viewed column.
type levels struct{ width, amp, in0, in1, q0, q1, busy, worker float64 }

// noLevels matches no view: its NaNs compare unequal to everything.
var noLevels = levels{width: math.NaN()}

func (v *view) levels() levels {
	return levels{v.width, v.amp, v.in[0], v.in[1], v.queue[0], v.queue[1], v.busy, v.worker}
}

// quietBucket is a component's last bucket in which nothing happened: its
// levels and the values of its columns.
type quietBucket struct {
	levels levels
	row    []float64
}

// newRow opens the row of the bucket closing: one value per key, in key
// order, stored in place in the run's series.
func (s *Sim) newRow() results.Row {
	if s.block == nil { // the whole run's, at once, when a bucket first closes
		s.block = results.NewBlock(len(s.series.Keys), s.buckets())
	}
	return s.block.Next()
}

// buckets is how many buckets the run closes when it runs to its end.
func (s *Sim) buckets() int { return int((s.end + s.bucket - 1) / s.bucket) }

// lastRow is the row of the bucket closed last.
func (s *Sim) lastRow() results.Row { return s.block.Last() }

func quantile(h *metrics.Histogram, q float64) float64 {
	if h.Count() == 0 {
		return math.NaN()
	}
	return h.Quantile(q)
}
