package sim

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// hedgeSet is the copies of one hedged call in flight, in the order they
// were sent.
type hedgeSet struct {
	n    int32
	kids [topology.MaxHedgeAttempts]int32
}

// hedgeCount is how many copies of job j's call are in flight.
func (s *Sim) hedgeCount(j int32) int32 {
	if int(j) >= len(s.hedges) {
		return 0
	}
	return s.hedges[j].n
}

// hedgeSent records copy c of job j's hedged call (attempt sends it) and,
// while copies remain, sets the timer of the next: gRPC's hedgingDelay
// after this one, unless the deadline comes first.
func (s *Sim) hedgeSent(j, c int32) {
	for int(j) >= len(s.hedges) {
		s.hedges = append(s.hedges, hedgeSet{})
	}
	h := &s.hedges[j]
	h.kids[h.n] = c
	h.n++
	r := s.recs.at(j)
	k := &s.comps[r.comp]
	p := s.policyFor(r)
	if r.tries > 1 {
		s.recs.at(c).flags |= hedgeCopy
		k.stats.cur.hedges++
		if cs := s.classStats(k, r); cs != nil {
			cs.cur.hedges++
		}
	}
	if r.tries < p.maxAttempts {
		at := s.now() + des.FromDuration(p.hedge.HedgingDelay)
		if r.deadline == 0 || at < r.deadline {
			r.wait = s.sched.SetTimer(at, evHedge, 0, j)
		}
	}
}

// canHedge reports whether job j may send another copy now: copies remain,
// and neither its deadline nor the deadline it was given has passed.
func (s *Sim) canHedge(j int32) bool {
	now := s.now()
	r := s.recs.at(j)
	p := s.policyFor(r)
	switch {
	case r.tries >= p.maxAttempts, r.deadline > 0 && now >= r.deadline:
		return false
	case p.propagate && r.due > 0 && r.due-s.comps[r.comp].overhead() <= now:
		return false
	}
	return true
}

// hedgeDue sends job j's next copy when its hedging delay is over.
func (s *Sim) hedgeDue(j int32) {
	if s.canHedge(j) {
		s.attempt(j)
	}
}

// hedgeEnded is the caller's side of the end of copy c (answered, or its
// timer fired), by gRPC's rules: the first success wins and the other
// copies are stopped; a fatal outcome ends the call the same way; a
// non-fatal one sends the next copy at once, or, with none left to send,
// waits for the copies in flight, and the last to fail fails the call.
func (s *Sim) hedgeEnded(c int32, o outcome) {
	cr := s.recs.at(c)
	s.sched.Cancel(cr.timer)
	j, copied, deg := cr.parent, cr.flags&hedgeCopy != 0, cr.flags&degraded
	s.dropHedge(j, c)
	s.recs.callerDone(c)
	r := s.recs.at(j)
	k := &s.comps[r.comp]
	p := s.policyFor(r)
	cs := s.classStats(k, r)
	if k.kind == topology.KindClient {
		k.stats.attemptOutcome(o)
		if cs != nil {
			cs.attemptOutcome(o)
		}
	}
	switch {
	case o == ok:
		if copied {
			k.stats.cur.hedgeWins++
			if cs != nil {
				cs.cur.hedgeWins++
			}
		}
		r.flags |= deg
		s.stopHedges(j)
		s.callDone(j, ok)
	case p.hedge.NonFatal&retryOn[o] == 0:
		s.stopHedges(j)
		s.callDone(j, o)
	case s.canHedge(j):
		s.sched.Cancel(r.wait)
		s.attempt(j)
	case s.hedgeCount(j) == 0:
		s.sched.Cancel(r.wait)
		s.callDone(j, o)
	}
}

// dropHedge takes copy c out of job j's set.
func (s *Sim) dropHedge(j, c int32) {
	h := &s.hedges[j]
	for i := int32(0); i < h.n; i++ {
		if h.kids[i] == c {
			copy(h.kids[i:h.n], h.kids[i+1:h.n])
			h.n--
			return
		}
	}
}

// stopHedges stops job j's hedging: no more copies are sent, and those in
// flight are abandoned (and cancelled, when the edge cancels, as gRPC does).
func (s *Sim) stopHedges(j int32) {
	r := s.recs.at(j)
	s.sched.Cancel(r.wait)
	p := s.policyOf(j)
	k := &s.comps[r.comp]
	for s.hedges[j].n > 0 { // cancelling a copy can reach other jobs' sets: index afresh
		h := &s.hedges[j]
		h.n--
		ch := h.kids[h.n]
		chr := s.recs.at(ch)
		chr.flags |= abandoned
		s.sched.Cancel(chr.timer)
		if p.cancel {
			s.cancel(ch)
		}
		s.recs.callerDone(ch)
		if k.kind == topology.KindClient {
			k.stats.cur.cancelled++ // an attempt that ends with no outcome of its own
			if cs := s.classStats(k, r); cs != nil {
				cs.cur.cancelled++
			}
		}
	}
}
