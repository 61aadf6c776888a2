package sim

import (
	"math"

	"github.com/failsim/failsim/sim/autoscale"
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/metrics"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// pool is a service whose capacity changes during the run: the instances
// that serve (a replicated service with standby replicas, or one an
// intervention scales), or each instance's workers (an autoscaler with
// scale = "workers").
type pool struct {
	index     int32 // in Sim.pools, for its events
	name      string
	members   []int32 // its replicas, in order; the first serving ones serve
	workers   bool    // it scales each member's workers, not the members
	serving   int     // instances serving, or workers of each member
	requested int     // what was last asked for; more than serving while capacity is provisioning
	level     metrics.Level
	col       int // its first metric in the series

	cfg       *topology.Autoscale // nil without an autoscaler
	scaler    autoscale.Scaler
	windows   []window // metric windows opened, oldest first
	nextOpen  int      // the decision whose window opens next
	decisions []results.ScalingDecision
	omitted   int // decisions beyond maxDecisions
	initial   int
	peak      int // the most ever requested
}

// window is the start of one decision's metric window: the time and the
// areas under the pool's busy workers and queue so far.
type window struct {
	at          des.Time
	busy, queue float64
}

// maxDecisions bounds the scaling decisions summary.json lists per pool.
const maxDecisions = 1000

// newPools makes a pool for every service whose capacity may change, adds
// their metrics to keys, schedules the autoscalers and tells load
// balancers which of their targets may be in standby.
func (s *Sim) newPools(keys []results.Key) []results.Key {
	scaled := map[string]bool{}
	for _, iv := range s.sc.Interventions {
		if iv.Service != "" {
			scaled[iv.Service] = true
		}
	}
	seen := map[string]bool{}
	for i, c := range s.sc.Components {
		if c.Kind != topology.KindService || seen[c.Group] {
			continue
		}
		seen[c.Group] = true
		p := pool{index: int32(len(s.pools)), name: c.Group, cfg: c.Server.Autoscale}
		for j := i; j < len(s.sc.Components) && s.sc.Components[j].Group == c.Group; j++ {
			p.members = append(p.members, int32(j))
			if !s.sc.Components[j].Standby {
				p.serving++
			}
		}
		standby := p.serving < len(p.members)
		if p.cfg == nil && !standby && !scaled[c.Group] {
			continue
		}
		if p.cfg != nil && p.cfg.Workers {
			p.workers, p.serving = true, c.Server.Workers
		}
		p.requested, p.peak, p.initial = p.serving, p.serving, p.serving
		p.col = len(keys)
		for _, m := range p.metricNames() {
			keys = append(keys, results.Key{Component: p.name, Metric: m})
		}
		if !p.workers {
			p.level.Add(0, int64(p.serving))
		}
		if a := p.cfg; a != nil {
			p.scaler = autoscale.Scaler{Target: a.Target, Tolerance: a.Tolerance, Min: a.Min, Max: a.Max, Cooldown: des.FromDuration(a.Cooldown)}
			p.nextOpen = 1
			s.sched.Schedule(p.windowStart(1), evScaleOpen, 0, p.index)
			s.sched.Schedule(des.FromDuration(a.Interval), evScaleCheck, 0, p.index)
		}
		s.pools = append(s.pools, p)
	}
	for i := range s.pools {
		if p := &s.pools[i]; !p.workers {
			s.refreshBalancers(p)
		}
	}
	return keys
}

// metricNames are the pool's metrics in timeseries.csv, under its name.
func (p *pool) metricNames() []string {
	switch {
	case p.workers:
		return []string{"desired_workers"}
	case p.cfg != nil:
		return []string{"replicas", "desired_replicas"}
	}
	return []string{"replicas"}
}

func (s *Sim) closePools(end, w des.Time, row results.Row) {
	for i := range s.pools {
		p := &s.pools[i]
		if p.workers {
			row.Set(p.col, float64(p.requested))
			continue
		}
		level, _ := p.level.Close(end, w)
		row.Set(p.col, level)
		if p.cfg != nil {
			row.Set(p.col+1, float64(p.requested))
		}
	}
}

// poolOf is the pool of a service.
func (s *Sim) poolOf(service string) *pool {
	for i := range s.pools {
		if s.pools[i].name == service {
			return &s.pools[i]
		}
	}
	return nil
}

// workersPool is the pool that scales server t's workers, or nil.
func (s *Sim) workersPool(t int32) *pool {
	for i := range s.pools {
		if p := &s.pools[i]; p.workers && p.members[0] <= t && t <= p.members[len(p.members)-1] {
			return p
		}
	}
	return nil
}

// setServing makes the first n instances of p serve (or, for a workers
// pool, gives each instance n workers). An instance taken out of service
// is drained: its load balancers stop picking it and it finishes what it
// holds. One put into service starts cold when the autoscaler says so.
func (s *Sim) setServing(p *pool, n int) {
	now := s.now()
	if p.workers {
		p.serving = n
		for _, m := range p.members {
			s.comps[m].srv.workers = int32(n)
			s.applyState(m, -1, false)
		}
		return
	}
	p.level.Add(now, int64(n-p.serving))
	p.serving = n
	for i, m := range p.members {
		sv := s.comps[m].srv
		standby := i >= n
		if standby == sv.standby {
			continue
		}
		sv.standby = standby
		if !standby && p.cfg != nil && p.cfg.Warmup > 0 {
			sv.warmUntil, sv.warmFactor = now+des.FromDuration(p.cfg.Warmup), p.cfg.WarmupFactor
		}
	}
	s.refreshBalancers(p)
}

// refreshBalancers tells every load balancer with a target in p which of
// its targets serve.
func (s *Sim) refreshBalancers(p *pool) {
	for i := range s.comps {
		b := s.comps[i].lb
		if b == nil {
			continue
		}
		for j, t := range b.targets {
			if t < p.members[0] || t > p.members[len(p.members)-1] {
				continue
			}
			if b.off == nil {
				b.off = make([]bool, len(b.targets))
			}
			b.off[j] = s.comps[t].srv.standby
		}
		if b.off != nil {
			b.all = b.all[:0]
			for j := range b.targets {
				if !b.off[j] {
					b.all = append(b.all, int32(j))
				}
			}
		}
	}
}

// windowStart is when decision d's metric window opens: a window before
// the start of the run starts with it.
func (p *pool) windowStart(d int) des.Time {
	return max(0, des.Time(d)*des.FromDuration(p.cfg.Interval)-des.FromDuration(p.cfg.Window))
}

// poolAreas are the integrals over [0, now) of the pool's busy workers and
// queued calls, its instances together.
func (s *Sim) poolAreas(p *pool, now des.Time) (busy, queue float64) {
	var last *stats
	for _, m := range p.members {
		st := s.comps[m].stats
		if st == last {
			continue // a fleet's instances count into one
		}
		last = st
		busy += st.busy.Area(now)
		queue += st.queue.Area(now)
	}
	return busy, queue
}

// scaleSample opens the metric window of the next decision, and schedules
// the opening of the one after.
func (s *Sim) scaleSample(p *pool) {
	now := s.now()
	busy, queue := s.poolAreas(p, now)
	p.windows = append(p.windows, window{at: now, busy: busy, queue: queue})
	p.nextOpen++
	if at := p.windowStart(p.nextOpen); at < s.end {
		s.sched.Schedule(at, evScaleOpen, 0, p.index)
	}
}

// scaleDecide measures the metric over the window that closes now, per
// instance requested (instances still provisioning count as idle, as the
// HPA counts pods that are not ready), and asks the scaler what to request.
// Fewer instances take effect at once; more arrive after the provisioning
// delay.
func (s *Sim) scaleDecide(p *pool) {
	now := s.now()
	w := p.windows[0]
	p.windows = p.windows[1:]
	if next := now + des.FromDuration(p.cfg.Interval); next < s.end {
		s.sched.Schedule(next, evScaleCheck, 0, p.index)
	}
	span := float64(now - w.at)
	if span <= 0 {
		return
	}
	busy, queue := s.poolAreas(p, now)
	value, per := (queue-w.queue)/span, float64(p.requested)
	if p.cfg.Metric == topology.ScaleOnUtilization {
		value = (busy - w.busy) / span
		if !p.workers {
			per *= float64(s.comps[p.members[0]].srv.workers)
		}
	}
	if p.workers {
		per *= float64(len(p.members))
	}
	metric := value / per
	want := p.scaler.Decide(now, p.requested, metric)
	if want == p.requested {
		return
	}
	if len(p.decisions) < maxDecisions {
		p.decisions = append(p.decisions, results.ScalingDecision{AtS: now.Seconds(), Metric: round(metric), From: p.requested, To: want})
	} else {
		p.omitted++
	}
	p.requested = want
	p.peak = max(p.peak, want)
	switch delay := des.FromDuration(p.cfg.ProvisioningDelay); {
	case want < p.serving || delay == 0:
		s.setServing(p, want)
	case now+delay < s.end:
		s.sched.Schedule(now+delay, evScaleReady, int32(want), p.index)
	}
}

// scaleReady brings capacity requested earlier into service, as much of it
// as is still requested.
func (s *Sim) scaleReady(p *pool, n int) {
	if n = min(n, p.requested); n > p.serving {
		s.setServing(p, n)
	}
}

func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// autoscalers is what each autoscaler did, for the summary.
func (s *Sim) autoscalers() []results.Autoscaler {
	var out []results.Autoscaler
	for i := range s.pools {
		p := &s.pools[i]
		if p.cfg == nil {
			continue
		}
		scale := "instances"
		if p.workers {
			scale = "workers"
		}
		out = append(out, results.Autoscaler{
			Service: p.name, Scale: scale, Metric: p.cfg.Metric.String(), Target: p.cfg.Target,
			Min: p.cfg.Min, Max: p.cfg.Max, Initial: p.initial, Peak: p.peak, Final: p.requested,
			Decisions: append([]results.ScalingDecision{}, p.decisions...), Omitted: p.omitted,
		})
	}
	return out
}
