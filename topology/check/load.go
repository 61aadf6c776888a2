package check

import (
	"math"
	"slices"
	"time"

	"github.com/failsim/failsim/topology"
)

// load is what one component receives and can serve.
type load struct {
	// normal is calls per second at the fault-free peak of the clients'
	// schedules, first attempts only; worst is at the peak with the load
	// spikes, every attempt failing and retried as far as retry budgets
	// allow. A client's worst counts the attempts it sends. open is the part
	// of normal that open-loop clients send: closed-loop users cannot send
	// more than the system serves.
	normal, worst, open float64

	work     float64 // seconds: the mean of its work distribution (servers)
	demand   float64 // seconds a call takes when nothing queues: its work and its downstream calls
	capacity float64 // calls per second a server completes when every worker is busy

	// wdemand and wcapacity are demand and capacity with the mix of request
	// classes of the worst case, which a load spike of one class changes.
	wdemand, wcapacity float64

	// classes is normal by request class (index + 1; 0 for calls without
	// one), and wclasses worst: which steps a server makes, and its work,
	// depend on the mix, and a load spike changes the mix.
	classes, wclasses []float64
}

// loads works out demand and capacity callees first, then the arrival
// rates callers first. With request classes, a server's demand depends on
// its mix of classes, known once the rates are: demand is worked out again
// with the mix, and the rates with that demand.
func (g *graph) loads() {
	g.demands()
	g.forwardAll()
	if len(g.classes) > 0 {
		g.demands()
		for i := range g.load {
			g.load[i].normal, g.load[i].worst, g.load[i].open, g.load[i].classes, g.load[i].wclasses = 0, 0, 0, nil, nil
		}
		g.forwardAll()
	}
}

func (g *graph) forwardAll() {
	for _, n := range g.nodes {
		for _, i := range n.comps {
			g.forward(i)
		}
	}
}

func (g *graph) demands() {
	for _, n := range slices.Backward(g.nodes) {
		for _, i := range n.comps {
			switch c := g.sc.Components[i]; {
			case c.Balancer != nil:
				var d float64
				targets := g.serving(c.Balancer.Targets)
				for _, t := range targets {
					d += g.load[t].demand
				}
				g.load[i].demand = d / float64(len(targets))
			case c.Server != nil:
				g.serverDemand(i)
			}
		}
	}
}

// serverDemand is how long a call holds a worker of server i when nothing
// queues: its work, then its steps (a group's calls at once, by its join),
// weighted by the mix of classes it receives.
func (g *graph) serverDemand(i int) {
	l := &g.load[i]
	l.work, l.demand, l.capacity = g.demandOf(i, g.mix(i))
	_, l.wdemand, l.wcapacity = g.demandOf(i, shares(l.wclasses))
}

// demandOf is server i's mean work, demand and capacity with a mix of
// request classes.
func (g *graph) demandOf(i int, mix []float64) (work, demand, capacityOf float64) {
	s := g.sc.Components[i].Server
	var calls float64
	for c, share := range mix {
		w := s.Work.MeanSeconds()
		var k float64
		if c > 0 {
			if p := g.classPath(c, i); p != nil && p.Work != nil {
				w = p.Work.MeanSeconds()
			}
		}
		for _, st := range s.Steps() {
			if g.makes(c, i, st.First) {
				k += s.Calls[st.First].Fraction * g.stepDemand(s, st) * missRatio(s)
			}
		}
		work, calls = work+share*w, calls+share*k
	}
	return work, work + calls, capacity(s, work, calls)
}

// capacity is the most calls per second server s completes with every
// worker busy: a worker is held for the work and the downstream calls, and
// load-dependent slowdown stretches the work as more run at once. With n in
// service a call holds its worker A + B*n + K*n^2 (see below), so the
// throughput n/(A + B*n + K*n^2) peaks at n = sqrt(A/K), or at the most
// workers when K is 0.
func capacity(s *topology.Server, work, calls float64) float64 {
	sd := s.Slowdown
	a := work*(1-sd.Sigma) + calls
	b := work*(sd.Sigma-sd.Kappa) + sd.PerCall.Seconds()
	k := work * sd.Kappa
	workers := float64(s.Workers)
	best := 0.0
	for _, n := range []float64{1, workers, math.Floor(math.Sqrt(a / k)), math.Ceil(math.Sqrt(a / k))} {
		if n = min(max(n, 1), workers); !math.IsNaN(n) {
			best = max(best, n/(a+b*n+k*n*n))
		}
	}
	return best
}

// forward passes component i's arrivals on to its callees.
func (g *graph) forward(i int) {
	c := g.sc.Components[i]
	l := &g.load[i]
	switch {
	case c.Client != nil:
		g.clientLoad(i)
		g.clientForward(i)
	case c.Balancer != nil:
		b := c.Balancer
		targets := g.serving(b.Targets)
		m := sustained(&b.Call, l.normal) / float64(len(targets))
		for _, t := range targets {
			g.load[t].normal += l.normal / float64(len(targets))
			g.load[t].open += l.open / float64(len(targets))
			g.load[t].worst += l.worst * m
			g.addClasses(t, i, -1, 1/float64(len(targets)), m)
		}
	case c.Server != nil:
		g.serverForward(i)
	}
}

// clientLoad sets what client i sends. Open loop: the peak of its rate, and
// with its load spikes. Closed loop: users/(think + demand), the most the
// users can send (the response time is at least the demand); and, when
// every attempt fails after its full timeout, users who each make all their
// attempts and backoffs before thinking again. Users whose requests limit
// ends their work before the run does send a burst, not a steady load, and
// the steady-state rules leave them out (simulate run shows the burst;
// retry-amplification and retry-no-backoff judge its retries).
func (g *graph) clientLoad(i int) {
	cl := g.sc.Components[i].Client
	l := &g.load[i]
	if cl.Users == 0 {
		l.normal = peakRate(cl.Rate, nil, g.sc.Duration)
		l.worst = peakRate(cl.Rate, g.spikes(i), g.sc.Duration) * sustained(&cl.Call, l.normal)
		return
	}
	think, demand := cl.Think.MeanSeconds(), g.load[cl.Target].demand
	if think+demand == 0 {
		return // no time between requests: no rate to speak of
	}
	if cl.Requests > 0 && float64(cl.Requests)*(think+demand) < g.sc.Duration.Seconds() {
		return
	}
	l.normal = float64(cl.Users) / (think + demand)
	m := sustained(&cl.Call, l.normal)
	attempt := demand
	if t := attemptLimit(&cl.Call); t != forever {
		attempt = t.Seconds()
	}
	_, waits := backoffs(cl.Call.Retry.Backoff, attemptsOf(&cl.Call)-1)
	wait := waits.Seconds()
	if n := attemptsOf(&cl.Call); n > 1 {
		wait *= (m - 1) / float64(n-1)
	}
	l.worst = max(l.normal, float64(cl.Users)*m/(think+m*attempt+wait))
}

// spikes are the load-spike faults on client i that happen within the run.
func (g *graph) spikes(i int) []topology.Fault {
	var out []topology.Fault
	for _, f := range g.sc.Faults {
		if f.Kind == topology.FaultLoadSpike && f.At < g.sc.Duration && f.Targets[0] == i {
			out = append(out, f)
		}
	}
	return out
}

// peakRate is the highest rate of a piecewise-linear schedule within the
// run, multiplied by the load spikes in progress. The peak is at a corner of
// one or the other, or at the end of the run.
func peakRate(points []topology.RatePoint, spikes []topology.Fault, until time.Duration) float64 {
	at := []time.Duration{until - 1}
	for _, p := range points {
		at = append(at, p.At)
	}
	for _, f := range spikes {
		at = append(at, f.At)
	}
	var peak float64
	for _, t := range at {
		if t >= until {
			continue
		}
		r := rateAt(points, t)
		for _, f := range spikes {
			if f.At <= t && t < f.End() {
				r *= f.Factor
			}
		}
		peak = max(peak, r)
	}
	return peak
}

// rateAt is the rate at t; at a step, the higher side.
func rateAt(points []topology.RatePoint, t time.Duration) float64 {
	r := points[0].RPS
	if t >= points[len(points)-1].At {
		r = points[len(points)-1].RPS
	}
	for k := 1; k < len(points); k++ {
		a, b := points[k-1], points[k]
		switch {
		case t < a.At || t > b.At:
		case a.At == b.At:
			r = max(r, a.RPS, b.RPS)
		default:
			r = max(r, a.RPS+(b.RPS-a.RPS)*float64(t-a.At)/float64(b.At-a.At))
		}
	}
	return r
}

// sustained is how many attempts per call a caller sends in a sustained
// failure, every attempt failing: its max_attempts, unless a retry budget
// stops the retries. gRPC's tokens and AWS's bucket are refilled only by
// successes, so retries stop; Finagle allows its percentage plus its
// reserve; Envoy about its percentage of the attempts; a token bucket its
// deposit per request over a retry's cost (none when only successes
// deposit); a retry breaker none. A hedged call sends
// every copy once its callee is slower than the hedging delay. rate is the
// caller's calls per second, for Finagle's reserve.
func sustained(p *topology.CallPolicy, rate float64) float64 {
	if p.Hedge != nil {
		return float64(p.Hedge.MaxAttempts)
	}
	r := p.Retry
	n := float64(attemptsOf(p))
	b := r.Budget
	if b == nil || n == 1 {
		return n
	}
	switch b.Kind {
	case topology.BudgetGRPC:
		return 1
	case topology.BudgetAWS:
		if b.RetryCost == 0 || b.TimeoutRetryCost == 0 {
			return n // some failures are retried for free
		}
		return 1
	case topology.BudgetEnvoy:
		return min(n, 1+b.BudgetPercent/100)
	case topology.BudgetTokenBucket:
		if b.DepositOnSuccess {
			return 1 // only successes refill it
		}
		return min(n, 1+b.Deposit/b.Cost) // each request pays for deposit/cost retries
	case topology.BudgetRetryBreaker:
		return 1 // every attempt fails: the breaker stops the retries
	default:
		extra := b.PercentCanRetry
		if rate > 0 {
			extra += b.MinRetriesPerSec / rate
		}
		return min(n, 1+extra)
	}
}

// edgeRate is the most calls per second one instance of e's caller sends on
// e, at the fault-free peak or at the worst case.
func (g *graph) edgeRate(e *edge) float64 {
	var r float64
	for _, i := range e.from.comps {
		l := g.load[i]
		w := l.worst
		if e.from.c.Client == nil {
			w *= sustained(e.p, l.normal)
		}
		r = max(r, l.normal, w)
	}
	return r
}

// missRatio is the fraction of server s's calls that make its downstream
// calls: those its cache, once warm, does not answer.
func missRatio(s *topology.Server) float64 {
	if s.Cache == nil {
		return 1
	}
	return 1 - s.Cache.WarmHitRatio()
}

// serving leaves out the standby replicas of a balancer's targets: they
// take no calls until something scales them up.
func (g *graph) serving(targets []int) []int {
	return slices.DeleteFunc(slices.Clone(targets), func(t int) bool { return g.sc.Components[t].Standby })
}
