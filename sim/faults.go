package sim

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

func (s *Sim) faultStart(i int32) {
	s.active++
	if s.faults[i].Kind == topology.FaultDrift {
		s.driftStep(i)
		return
	}
	s.applyFaults(i, true)
}

func (s *Sim) faultEnd(i int32) {
	s.active--
	s.applyFaults(i, false)
}

// applyFaults recomputes the state of fault i's targets. A load spike needs
// nothing here: it is part of its client's arrival rate.
func (s *Sim) applyFaults(i int32, starting bool) {
	f := &s.faults[i]
	if f.Link != nil {
		s.applyLinkFaults(i, starting)
		return
	}
	if f.Kind == topology.FaultLoadSpike {
		return
	}
	for _, target := range f.Targets {
		s.applyState(int32(target), i, starting)
	}
}

// applyState recomputes the state of component t from all faults in
// progress there (fault i starting or ending now; -1 for none), its
// configured workers and a restart's downtime, so overlapping causes
// combine: slowdowns multiply, added latencies add, error probabilities
// combine as independent causes, the smallest capacity wins, and any crash
// or restart keeps the component down.
func (s *Sim) applyState(t, i int32, starting bool) {
	now := s.now()
	k := &s.comps[t]
	wasDown := k.isDown()
	down, factor, extra, ok, workers := k.downUntil > now, 1.0, des.Time(0), 1.0, int32(-1)
	for j := range s.faults {
		g := &s.faults[j]
		if !s.inProgress(int32(j), i, starting, now) || !hits(g, t) {
			continue
		}
		switch g.Kind {
		case topology.FaultSlowdown:
			factor *= g.Factor
		case topology.FaultLatency:
			extra += des.FromDuration(g.Latency)
		case topology.FaultErrors:
			ok *= 1 - g.ErrorRate
		case topology.FaultCapacity:
			if workers < 0 || int32(g.Workers) < workers {
				workers = int32(g.Workers)
			}
		case topology.FaultCrash:
			down = true
		case topology.FaultDrift:
			driftEffect(g, now, &extra, &ok, &workers)
		}
	}
	if k.lb != nil {
		k.lb.down = down
	} else {
		sv := k.srv
		sv.down, sv.factor, sv.extra = down, factor, extra
		sv.errProb = 1 - (1-sv.errRate)*ok
		capacity := sv.workers
		if workers >= 0 {
			capacity = min(capacity, workers)
		}
		if down {
			capacity = 0
		}
		k.stats.capacity.Add(now, int64(capacity-sv.capacity))
		sv.capacity = capacity
	}
	if down && !wasDown {
		s.crash(k)
	}
	if k.srv != nil && !down {
		s.startQueued(k)
	}
}

// inProgress reports whether fault j is in progress at now, given that fault
// i is starting or ending right now (faults that start and end at the same
// instant are ordered by their events, so ask the event, not the clock).
func (s *Sim) inProgress(j, i int32, starting bool, now des.Time) bool {
	if j == i {
		return starting
	}
	g := &s.faults[j]
	at, end := des.FromDuration(g.At), des.FromDuration(g.End())
	return at <= now && now < end
}

func hits(f *topology.Fault, comp int32) bool {
	for _, t := range f.Targets {
		if int32(t) == comp {
			return true
		}
	}
	return false
}

func (k *component) isDown() bool {
	if k.lb != nil {
		return k.lb.down
	}
	return k.srv.down
}

// crash drops everything component k holds: queued calls, calls in service
// and calls waiting on downstream work. Callers get an error at once, as
// from a reset connection; work already sent downstream goes on, orphaned.
func (s *Sim) crash(k *component) {
	if sv := k.srv; sv != nil && sv.state != nil {
		sv.state.crashed(k)
	}
	if sv := k.srv; sv != nil {
		for sv.queue.len() > 0 {
			s.dequeue(k) // the jobs stay linked and are dropped below
		}
	}
	for k.jobs >= 0 {
		s.dropJob(k, k.jobs)
	}
	if k.srv != nil && k.srv.cache != nil {
		k.srv.cache.reset() // a cache in memory restarts empty
	}
}
