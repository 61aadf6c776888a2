package sim

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/metrics"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// clientLatency merges the clients' latency histograms: every logical
// request's latency (an exact merge, same precision).
func (s *Sim) clientLatency() *metrics.Histogram {
	h := metrics.NewHistogram(3)
	for i := range s.comps {
		if k := &s.comps[i]; k.kind == topology.KindClient {
			h.Merge(k.stats.latTot)
		}
	}
	return h
}

func (s *Sim) summary(clientLat *metrics.Histogram) results.Summary {
	sum := results.Summary{
		Scenario:      s.sc.Name,
		Variant:       s.sc.Variant,
		Seed:          s.seed,
		SimSeconds:    s.end.Seconds(),
		BucketSeconds: s.bucket.Seconds(),
		Events:        s.events,
		WarmupS:       s.warmupEnd.Seconds(),
		Components:    map[string]results.Component{},
		Faults:        []results.Fault{},
	}
	cl := &sum.Clients
	for i := range s.comps {
		if k := &s.comps[i]; k.kind == topology.KindClient {
			addClient(cl, k.stats)
		}
	}
	s.rates(cl, clientLat)
	cl.FinishedS = s.finishedAt()
	cl.Classes = s.classSummaries()

	measured := s.end - s.warmupEnd
	for i := range s.reports {
		r := &s.reports[i]
		k := &s.comps[r.members[0]] // the kind, group and mechanisms of all of them
		st := &r.stats
		m := st.measured()
		t := &m
		c := results.Component{
			Kind:              k.kind.String(),
			Group:             s.sc.Components[r.members[0]].Group,
			Arrivals:          t.arrivals,
			Completed:         t.completed,
			Errors:            t.errors,
			Rejected:          t.rejected,
			TimedOut:          t.timedOut,
			Retries:           t.retries,
			InFlight:          st.inSys.Value(),
			Cancelled:         t.cancelled,
			DeadlineExceeded:  t.deadlineExceeded,
			Shed:              t.shed,
			RetriesDenied:     t.retriesDenied,
			Throttled:         t.throttled,
			BreakerRejected:   t.breakerRejected,
			PeakAmplification: st.peakAmp,
			WastedWorkS:       t.wasted,
			Latency:           latency(st.latTot),
		}
		if cl.LogicalRequests > 0 {
			c.Amplification = float64(t.arrivals) / float64(cl.LogicalRequests)
		}
		if logic := s.faultLogic - s.faultLogicWarmup; logic > 0 {
			c.FaultAmplification = float64(st.faultArrivals-st.warmup.faultArrivals) / float64(logic)
		}
		var maxIn float64
		c.MeanInSystem, maxIn = st.inSys.Total(s.end)
		c.MaxInSystem = int64(maxIn)
		if n := st.respN - st.warmup.respN; n > 0 {
			c.MeanResponseS = (st.respSum - st.warmup.respSum) / float64(n)
		}
		for _, m := range r.members {
			for _, p := range s.comps[m].policies() {
				if p.breaker != nil {
					c.BreakerOpened += int64(p.breaker.Opened())
				}
			}
		}
		if r.fleet() {
			c.Instances = len(r.members)
		}
		if k.lb != nil && k.lb.outlier != nil {
			c.Ejections = int64(k.lb.outlier.Ejections())
		}
		if k.srv != nil {
			busy, _ := st.busy.Total(s.end)
			workers, _ := st.capacity.Total(s.end)
			c.BusyS = busy * measured.Seconds()
			if workers > 0 {
				c.Utilization = busy / workers
			}
			var maxQ float64
			c.MeanQueue, maxQ = st.queue.Total(s.end)
			c.MaxQueue = int64(maxQ)
		}
		s.stateSummary(r, &c, &sum)
		s.infraSummary(r, &c)
		if k.srv != nil && s.joins != nil {
			c.Groups = s.groupSummaries(r)
		}
		s.keyedSummary(r, &c, &sum)
		sum.Components[r.name] = c
		sum.Order = append(sum.Order, r.name)
	}

	for _, f := range s.faults {
		rf := results.Fault{Name: f.Name, Kind: f.Kind.String(), AtS: f.At.Seconds(), EndS: f.End().Seconds()}
		for _, t := range f.Targets {
			rf.Targets = append(rf.Targets, s.comps[t].name)
		}
		if f.Link != nil {
			for _, e := range f.Link.Edges {
				rf.Targets = append(rf.Targets, s.sc.EdgeName(e))
			}
			rf.Direction = f.Link.Direction.String()
		}
		sum.Faults = append(sum.Faults, rf)
	}
	sum.Links = s.linkSummary()
	sum.Recovery = s.recovery()
	sum.Interventions = s.interventionResults(&sum.Recovery)
	sum.Autoscaling = s.autoscalers()
	s.alertSummary(&sum)
	return sum
}

// addClient adds one client's books (or one class's) to cl's counts.
func addClient(cl *results.Clients, st *stats) {
	m := st.measured()
	t := &m
	cl.LogicalRequests += t.logical
	cl.Attempts += t.arrivals
	cl.Succeeded += t.succeeded
	cl.Failed += t.failed
	cl.InFlight += st.inSys.Value()
	failures, before := &st.failures, &st.warmup.failures
	cl.Failures.Timeout += failures[timedOut] - before[timedOut]
	cl.Failures.Error += failures[failed] - before[failed]
	cl.Failures.Rejected += failures[rejected] - before[rejected]
	cl.Degraded += t.degraded
	cl.Hedges += t.hedges
}

// rates finishes cl from its counts and the latency of its requests.
func (s *Sim) rates(cl *results.Clients, lat *metrics.Histogram) {
	if done := cl.Succeeded + cl.Degraded + cl.Failed; done > 0 {
		cl.SuccessRate = float64(cl.Succeeded) / float64(done)
	}
	measured := s.end - s.warmupEnd
	cl.GoodputRPS = float64(cl.Succeeded) / measured.Seconds()
	cl.Latency = latency(lat)
}

func latency(h *metrics.Histogram) results.Latency {
	if h.Count() == 0 {
		return results.Latency{}
	}
	return results.Latency{
		Mean: h.Mean(),
		P50:  h.Quantile(0.5),
		P90:  h.Quantile(0.9),
		P99:  h.Quantile(0.99),
		P999: h.Quantile(0.999),
		Max:  h.Max(),
	}
}

// recovery judges client goodput after the faults that happened in the run.
func (s *Sim) recovery() results.Recovery {
	m := s.sc.Metrics
	r := results.Recovery{Tolerance: m.RecoveryTolerance, WindowS: m.RecoveryWindow.Seconds()}
	first, last := des.Never, des.Time(-1)
	for _, f := range s.faults {
		if at := des.FromDuration(f.At); at < s.end {
			first = min(first, at)
			last = max(last, des.FromDuration(f.End()))
		}
	}
	if last < 0 {
		r.Verdict = "not judged: no fault in the run"
		return r
	}
	lastS := last.Seconds()
	r.LastFaultEndS = &lastS

	g := metrics.Goodput{Times: s.series.Times}
	for b := range s.series.Times {
		var succ float64
		for i := range s.comps {
			if k := &s.comps[i]; k.kind == topology.KindClient {
				succ += s.series.Get(k.name, "succeeded")[b]
			}
		}
		w := s.series.Width(b)
		g.Widths = append(g.Widths, w)
		g.Rate = append(g.Rate, succ/w)
	}
	v := metrics.Judge(g, s.warmupEnd.Seconds(), first.Seconds(), lastS, r.WindowS, r.Tolerance)
	r.BaselineGoodputRPS = v.Baseline
	r.Verdict = v.Verdict
	if v.Judged {
		r.Recovered = &v.Recovered
		if v.Recovered {
			r.RecoveredAtS = &v.RecoveredAt
		}
	}
	return r
}
