package sim

import (
	"fmt"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/retry"
	"github.com/failsim/failsim/topology"
)

// outcome is how a call ended, as its caller sees it. A callee answers with
// ok, failed or rejected; timedOut is the caller's own verdict; cancelled
// ends a call whose caller told the callee it gave up (no one hears it).
type outcome uint8

const (
	ok outcome = iota
	timedOut
	failed
	rejected
	cancelledCall
)

var retryOn = [...]topology.Outcomes{ok: 0, timedOut: topology.OnTimeout, failed: topology.OnError, rejected: topology.OnRejected}

// policyOf is the policy of the outbound call job j is making.
func (s *Sim) policyOf(j int32) *policy { return s.policyFor(s.recs.at(j)) }

func (s *Sim) policyFor(r *rec) *policy {
	k := &s.comps[r.comp]
	switch k.kind {
	case topology.KindClient:
		if r.class != 0 {
			return &k.client.classes[int32(r.class)-1-k.client.classBase].policy
		}
		return &k.client.policy
	case topology.KindLoadBalancer:
		return &k.lb.policy
	case topology.KindQueue:
		return &k.mq.deliveries[r.step]
	default:
		return &k.srv.calls[r.step]
	}
}

// overhead is what a component keeps back from a deadline it passes on.
func (k *component) overhead() des.Time {
	switch {
	case k.lb != nil:
		return k.lb.overhead
	case k.srv != nil:
		return k.srv.overhead
	}
	return 0
}

// invoke starts job j's outbound call (the client's request, the balancer's
// forwarding, or the server's current step) with its policy's retries.
func (s *Sim) invoke(j int32) {
	if s.bulkheadFull(j) {
		s.callDone(j, rejected)
		return
	}
	r := s.recs.at(j)
	r.tries, r.backoff, r.deadline = 0, 0, 0
	if d := s.policyFor(r).deadline; d > 0 {
		r.deadline = s.now() + d
	}
	s.attempt(j)
}

// attempt sends the next try of job j's outbound call, unless its deadline
// has passed or a local guard (circuit breaker, adaptive throttle, a
// balancer's circuit breaker thresholds) stops it.
func (s *Sim) attempt(j int32) {
	now := s.now()
	r := s.recs.at(j)
	k := &s.comps[r.comp]
	p := s.policyFor(r)
	if r.flags&pending != 0 { // its route timeout fired while it waited
		s.leavePending(k, j)
	}
	if r.deadline > 0 && now >= r.deadline {
		s.giveUp(j, timedOut)
		return
	}

	// How long the caller will wait: the per-try timeout, within the overall
	// deadline and, when deadlines propagate, the deadline it was given.
	wait := p.timeout
	if r.deadline > 0 && (wait == 0 || r.deadline-now < wait) {
		wait = r.deadline - now
	}
	if p.propagate && r.due > 0 {
		left := r.due - k.overhead() - now
		if left <= 0 {
			k.stats.cur.deadlineExceeded++
			s.giveUp(j, timedOut)
			return
		}
		if wait == 0 || left < wait {
			wait = left
		}
	}
	if k.lb != nil && !k.lb.hasRoom() {
		s.overflow(k, j)
		return
	}
	// The caller's own guards refuse locally, and what they refuse is not
	// retried: trying again what one's own breaker or throttle just refused
	// only adds load (gRPC does not retry throttled calls either).
	if p.breaker != nil && !p.breaker.Allow(now) {
		k.stats.cur.breakerRejected++
		if cs := s.classStats(k, r); cs != nil {
			cs.cur.breakerRejected++
		}
		s.giveUp(j, rejected)
		return
	}
	if p.throttle != nil && !p.throttle.Admit(now, k.local.Float64()) {
		k.stats.cur.throttled++
		if cs := s.classStats(k, r); cs != nil {
			cs.cur.throttled++
		}
		s.giveUp(j, rejected)
		return
	}

	r.tries++
	retry := r.tries > 1 && p.hedge == nil
	if r.tries > p.maxAttempts && s.violation == "" {
		s.violation = fmt.Sprintf("%s sent attempt %d of a call its policy allows %d attempts", k.name, r.tries, p.maxAttempts)
	}
	r.flags &^= backingOff // the retry the budget allowed is sent now
	if p.budget != nil {
		p.budget.Start(now, retry)
	}
	to, pick := p.to, int32(-1)
	if k.lb != nil {
		pick = k.lb.pick(r.pick)
		to = k.lb.targets[pick]
		k.lb.active[pick]++
		k.lb.upstream++
		r.pick = pick // remembered so that a retry goes to another target
	} else if to < 0 { // a scatter: the member's own instance
		to = r.pick
	}
	c := s.recs.alloc(j, to)
	cr := s.recs.at(c)
	cr.pick, cr.cost, cr.class = pick, r.nextCost, r.class
	cr.write = writeOf(r, p)
	r.nextCost = 0
	if retry {
		cr.flags |= isRetry
		k.stats.cur.retries++
	}
	cr.refs++ // the caller's hold
	if wait > 0 {
		cr.timer = s.setTimeout(p, wait, c)
		if p.propagate {
			cr.due = now + wait
		}
	}
	if p.hedge != nil {
		s.hedgeSent(j, c)
	} else {
		r.child = c
	}
	s.trace(TraceSend, c, ok, wait)
	if k.kind == topology.KindClient {
		k.stats.arrive(s)
		if cs := s.classStats(k, r); cs != nil {
			cs.arrive(s)
			if retry {
				cs.cur.retries++
			}
		}
	}
	if p.links != nil {
		if l := p.linkTo(pick, to); l != nil {
			s.send(l, c)
			return
		}
	}
	s.deliver(c)
}

// setTimeout sets the caller's timer on call c. A wait of one of the policy's
// fixed durations, the common case, joins that duration's Delay and stays out
// of the heap.
func (s *Sim) setTimeout(p *policy, wait des.Time, c int32) des.Timer {
	for _, q := range p.delays {
		if q.Duration() == wait {
			return s.sched.After(q, c)
		}
	}
	return s.sched.SetTimer(s.now()+wait, evTimeout, 0, c)
}

// giveUp ends job j's outbound call with outcome o before another attempt
// is sent; a retry its budget had allowed is handed back.
func (s *Sim) giveUp(j int32, o outcome) {
	r := s.recs.at(j)
	if r.flags&backingOff != 0 {
		r.flags &^= backingOff
		s.dropRetry(s.policyOf(j))
	}
	s.callDone(j, o)
}

// timeout fires when a caller stops waiting for call c. Unless the edge
// cancels, the callee is not told: c is only marked abandoned, and its work
// goes on.
func (s *Sim) timeout(c int32) {
	// In a spiral the caller's timers fire by the thousand a second, each on
	// a call made seconds ago whose record, and its caller's, left the
	// caches long since. Start loading those of the timeouts to come, so
	// that they arrive while this one is handled: the one after next, and
	// the caller of the next (loaded since the timeout before this one).
	next, after := s.sched.Upcoming()
	s.recs.prefetch(after)
	if next >= 0 {
		s.recs.prefetch(s.recs.at(next).parent)
	}
	cr := s.recs.at(c)
	cr.flags |= abandoned
	s.comps[cr.comp].stats.cur.timedOut++
	s.trace(TraceTimeout, c, timedOut, 0)
	if s.policyOf(cr.parent).cancel {
		s.cancel(c)
	}
	s.attemptEnded(c, timedOut)
}

// attemptEnded is the caller's side of the end of call c: the answer came or
// the caller's timer fired. The edge's mechanisms learn the outcome, then
// the caller retries or finishes.
func (s *Sim) attemptEnded(c int32, o outcome) {
	now := s.now()
	cr := s.recs.at(c)
	if s.hedges != nil && s.policyOf(cr.parent).hedge != nil {
		s.hedgeEnded(c, o)
		return
	}
	s.sched.Cancel(cr.timer)
	j, pick, retry, cost, took := cr.parent, cr.pick, cr.flags&isRetry != 0, cr.cost, now-cr.sent+requestDelay(cr)
	deg := cr.flags & degraded
	s.recs.callerDone(c)
	r := s.recs.at(j)
	r.child = -1
	if o == ok {
		r.flags |= deg // a degraded answer makes the caller's degraded too
	}
	k := &s.comps[r.comp]
	p := s.policyFor(r)
	if k.kind == topology.KindClient {
		k.stats.attemptOutcome(o)
		if cs := s.classStats(k, r); cs != nil {
			cs.attemptOutcome(o)
		}
	}
	if p.budget != nil {
		p.budget.End(now, retry, o == ok, o != ok && p.retryOn&retryOn[o] != 0, float64(cost))
	}
	if p.breaker != nil {
		p.breaker.Record(now, o != ok, took)
	}
	if p.throttle != nil && (o == ok || o == failed) {
		p.throttle.Accepted(now) // answered: the backend did not refuse it
	}
	if k.lb != nil {
		k.lb.attemptEnded(now, pick, o)
	}
	s.decide(j, o)
	if k.lb != nil {
		s.startPending(k)
	}
}

// decide retries job j's outbound call after a failed attempt when its
// policy, its deadline and its retry budget allow, else finishes it.
func (s *Sim) decide(j int32, o outcome) {
	if o == ok {
		s.callDone(j, ok)
		return
	}
	now := s.now()
	r := s.recs.at(j)
	k := &s.comps[r.comp]
	p := s.policyFor(r)
	if p.retryOn&retryOn[o] == 0 || r.tries >= p.maxAttempts || p.retriesOff || (r.deadline > 0 && now >= r.deadline) ||
		r.class != 0 && !s.retriedAfter(r.class, o) {
		s.callDone(j, o)
		return
	}
	if p.budget != nil {
		allowed, cost := p.budget.Allow(now, o == timedOut)
		if !allowed {
			k.stats.cur.retriesDenied++
			if cs := s.classStats(k, r); cs != nil {
				cs.cur.retriesDenied++
			}
			s.callDone(j, o)
			return
		}
		r.nextCost = float32(cost)
	}
	w := retry.Wait(p.backoff, int(r.tries), r.backoff, k.backoff)
	r.backoff = w
	at := now + w
	if r.deadline > 0 && at > r.deadline {
		at = r.deadline
	}
	r.flags |= backingOff // until the retry is sent, or given up
	r.wait = s.sched.SetTimer(at, evRetry, 0, j)
	s.trace(TraceRetry, j, o, at-now)
}

// dropRetry tells an Envoy-style budget that a retry it allowed will not be
// sent after all.
func (s *Sim) dropRetry(p *policy) {
	if p.budget != nil {
		p.budget.Dropped()
	}
}

// callDone hands the final outcome of job j's outbound call to its component.
func (s *Sim) callDone(j int32, o outcome) {
	s.leaveBulkhead(j)
	s.trace(TraceGiveUp, j, o, 0)
	if o != ok && s.fallBack(j) {
		return
	}
	k := &s.comps[s.recs.at(j).comp]
	switch k.kind {
	case topology.KindClient:
		s.logicalDone(j, o)
	case topology.KindLoadBalancer:
		s.answer(j, o) // a gateway timeout is an error to the caller
	case topology.KindQueue:
		s.delivered(j, o)
	default:
		s.stepDone(j, o)
	}
}

// deliver hands call c to its callee, which admits it (link) or refuses it
// at once.
func (s *Sim) deliver(c int32) {
	cr := s.recs.at(c)
	cr.sent = s.now()
	cr.refs++ // the callee's hold
	k := &s.comps[cr.comp]
	k.stats.arrive(s)
	if k.lb != nil {
		s.balancerArrive(k, c)
	} else if k.mq != nil {
		s.queueArrive(k, c)
	} else {
		s.serverArrive(k, c)
	}
}

// answer is the callee finishing call c with outcome o. A timed-out
// downstream call becomes an error to the caller. The answer reaches the
// caller unless the caller gave up.
func (s *Sim) answer(c int32, o outcome) {
	if o == timedOut {
		o = failed
	}
	cr := s.recs.at(c)
	k := &s.comps[cr.comp]
	if cr.infra&(fetching|parked) != 0 {
		s.cacheAnswered(k, c, o)
	}
	k.stats.answered(s.now()-cr.sent, o)
	if o == ok && cr.flags&degraded != 0 {
		k.stats.cur.degraded++
	}
	s.trace(TraceAnswer, c, o, 0)
	if k.srv != nil && k.srv.limiter != nil && cr.flags&inside != 0 {
		k.srv.limiter.Sample(s.now()-cr.sent, int(cr.peers), o != ok)
	}
	if cr.flags&inside != 0 {
		s.unlink(k, c)
		if cr.class != 0 && k.srv != nil && k.srv.cls != nil {
			k.srv.cls.leave(cr.class)
		}
	}
	if cr.flags&abandoned == 0 && (s.links == nil || !s.respond(c, o)) {
		s.attemptEnded(c, o)
	}
	s.recs.release(c) // the callee's hold
}

// link and unlink keep the list of jobs a component holds, so that a crash
// can drop them all; a call refused on arrival is never inside.
func (s *Sim) link(k *component, c int32) {
	cr := s.recs.at(c)
	cr.flags |= inside
	cr.prev, cr.next = -1, k.jobs
	if k.jobs >= 0 {
		s.recs.at(k.jobs).prev = c
	}
	k.jobs = c
	k.held++
	k.stats.inSys.Add(s.now(), 1)
}

func (s *Sim) unlink(k *component, c int32) {
	cr := s.recs.at(c)
	cr.flags &^= inside
	if cr.prev >= 0 {
		s.recs.at(cr.prev).next = cr.next
	} else {
		k.jobs = cr.next
	}
	if cr.next >= 0 {
		s.recs.at(cr.next).prev = cr.prev
	}
	k.held--
	k.stats.inSys.Add(s.now(), -1)
}

// cancel tells the callee of call c that its caller gave up. The callee
// stops c at the first point it can: at once when c is queued, pending or
// waiting on a call of its own (which it cancels in turn, when that edge
// cancels); at once during its work if the server aborts on cancel, else
// when the work ends.
func (s *Sim) cancel(c int32) {
	cr := s.recs.at(c)
	if cr.flags&cancelled != 0 {
		return
	}
	cr.flags |= cancelled
	if cr.infra&away != 0 { // on its link or lost: nothing to stop at the callee
		return
	}
	k := &s.comps[cr.comp]
	switch {
	case cr.flags&queued != 0:
		s.leaveQueue(k, c)
	case cr.flags&computing != 0:
		if !k.srv.abortOnCancel {
			return // workDone stops it
		}
		s.sched.Cancel(cr.wait)
		s.releaseWorker(k, c, false)
	default:
		s.stopOutbound(k, c)
		if cr.flags&working != 0 {
			s.releaseWorker(k, c, false)
		}
	}
	s.answer(c, cancelledCall)
	if k.srv != nil {
		s.startQueued(k)
	}
}

// stopOutbound ends job c's outbound call where it stands: a scheduled retry
// or a pending slot is given up, and the attempt in flight is abandoned
// (and cancelled, if the edge cancels).
func (s *Sim) stopOutbound(k *component, c int32) {
	s.leaveBulkhead(c)
	cr := s.recs.at(c)
	s.sched.Cancel(cr.wait)
	if cr.flags&compensating != 0 {
		s.rollbackStopped(k, c)
	} else if k.srv != nil {
		s.stoppedMidway(k, c)
	}
	if s.hedgeCount(c) > 0 {
		s.stopHedges(c)
		return
	}
	if s.inGroup(c) {
		s.stopGroup(k, c)
		return
	}
	if cr.flags&(backingOff|pending) == 0 && cr.child < 0 {
		return
	}
	p := s.policyOf(c)
	if cr.flags&pending != 0 {
		s.leavePending(k, c)
	}
	if cr.flags&backingOff != 0 {
		cr.flags &^= backingOff
		s.dropRetry(p)
	}
	ch := cr.child
	if ch < 0 {
		return
	}
	chr := s.recs.at(ch)
	chr.flags |= abandoned
	s.sched.Cancel(chr.timer)
	if p.cancel {
		s.cancel(ch)
	}
	if p.budget != nil {
		p.budget.End(s.now(), chr.flags&isRetry != 0, false, false, 0)
	}
	if k.lb != nil {
		k.lb.active[chr.pick]--
		k.lb.upstream--
	}
	cr.child = -1
	s.recs.callerDone(ch)
}

// dropJob ends job c at a crashed component: whatever it waited for is
// given up, its downstream call abandoned (and cancelled, if the edge
// cancels: the connection is gone), its worker freed with the work lost,
// and its caller gets an error.
func (s *Sim) dropJob(k *component, c int32) {
	cr := s.recs.at(c)
	if cr.flags&queued != 0 {
		s.leaveQueue(k, c)
	}
	s.stopOutbound(k, c)
	if cr.flags&working != 0 {
		s.releaseWorker(k, c, true)
	}
	s.answer(c, failed)
}
