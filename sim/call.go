package sim

import (
	"github.com/failsim/failsim/sim/retry"
	"github.com/failsim/failsim/topology"
)

// outcome is how a call ended, as its caller sees it. A callee answers with
// ok, failed or rejected; timedOut is the caller's own verdict.
type outcome uint8

const (
	ok outcome = iota
	timedOut
	failed
	rejected
)

var retryOn = [...]topology.Outcomes{ok: 0, timedOut: topology.OnTimeout, failed: topology.OnError, rejected: topology.OnRejected}

// policyOf is the call policy of the outbound call job j is making.
func (s *Sim) policyOf(j int32) *policy {
	r := s.recs.at(j)
	k := &s.comps[r.comp]
	switch k.kind {
	case topology.KindClient:
		return &k.client.policy
	case topology.KindLoadBalancer:
		return &k.lb.policy
	default:
		return &k.srv.calls[r.step]
	}
}

// invoke starts job j's outbound call (the client's request, the balancer's
// forwarding, or the server's current step) with its policy's retries.
func (s *Sim) invoke(j int32) {
	r := s.recs.at(j)
	r.tries, r.backoff, r.deadline = 0, 0, 0
	if d := s.policyOf(j).deadline; d > 0 {
		r.deadline = s.now() + d
	}
	s.attempt(j)
}

// attempt sends the next try of job j's outbound call.
func (s *Sim) attempt(j int32) {
	now := s.now()
	r := s.recs.at(j)
	if r.deadline > 0 && now >= r.deadline {
		s.callDone(j, timedOut)
		return
	}
	p := s.policyOf(j)
	k := &s.comps[r.comp]
	r.tries++
	to, pick := p.to, int32(-1)
	if k.lb != nil {
		pick = k.lb.pick(r.pick)
		to = k.lb.targets[pick]
		k.lb.active[pick]++
	}
	c := s.recs.alloc(j, to)
	cr := s.recs.at(c)
	cr.pick = pick
	cr.refs++ // the caller's hold
	wait := p.timeout
	if r.deadline > 0 && (wait == 0 || r.deadline-now < wait) {
		wait = r.deadline - now
	}
	if wait > 0 {
		cr.timer = s.sched.SetTimer(now+wait, evTimeout, 0, c)
	}
	r.child = c
	if k.lb != nil {
		r.pick = pick // remembered so a retry goes to another target
	}
	if k.kind == topology.KindClient {
		k.stats.arrive(s)
	}
	if r.tries > 1 {
		k.stats.cur.retries++
	}
	s.deliver(c)
}

// timeout fires when a caller stops waiting for call c. The callee is not
// told: c is only marked abandoned, and its work goes on.
func (s *Sim) timeout(c int32) {
	cr := s.recs.at(c)
	cr.flags |= abandoned
	s.comps[cr.comp].stats.cur.timedOut++
	s.attemptEnded(c, timedOut)
}

// attemptEnded is the caller's side of the end of call c: the answer came or
// the caller's timer fired. The caller retries or finishes its call.
func (s *Sim) attemptEnded(c int32, o outcome) {
	cr := s.recs.at(c)
	s.sched.Cancel(cr.timer)
	j, pick := cr.parent, cr.pick
	s.recs.release(c) // the caller's hold
	r := s.recs.at(j)
	r.child = -1
	k := &s.comps[r.comp]
	if k.lb != nil {
		k.lb.active[pick]--
	}
	if k.kind == topology.KindClient {
		k.stats.attemptOutcome(o)
	}
	if o == ok {
		s.callDone(j, ok)
		return
	}
	p := s.policyOf(j)
	now := s.now()
	if p.retryOn&retryOn[o] != 0 && r.tries < p.maxAttempts && (r.deadline == 0 || now < r.deadline) {
		w := retry.Wait(p.backoff, int(r.tries), r.backoff, k.backoff)
		r.backoff = w
		at := now + w
		if r.deadline > 0 && at > r.deadline {
			at = r.deadline
		}
		r.wait = s.sched.SetTimer(at, evRetry, 0, j)
		return
	}
	s.callDone(j, o)
}

// callDone hands the final outcome of job j's outbound call to its component.
func (s *Sim) callDone(j int32, o outcome) {
	k := &s.comps[s.recs.at(j).comp]
	switch k.kind {
	case topology.KindClient:
		s.logicalDone(j, o)
	case topology.KindLoadBalancer:
		s.answer(j, o) // a gateway timeout is an error to the caller
	default:
		s.stepDone(j, o)
	}
}

// deliver hands call c to its callee.
func (s *Sim) deliver(c int32) {
	cr := s.recs.at(c)
	cr.sent = s.now()
	cr.refs++ // the callee's hold
	k := &s.comps[cr.comp]
	k.stats.arrive(s)
	s.link(k, c)
	if k.lb != nil {
		s.balancerArrive(k, c)
	} else {
		s.serverArrive(k, c)
	}
}

// answer is the callee finishing call c with outcome o (ok, failed or
// rejected; a timed-out downstream call becomes failed). The answer reaches
// the caller unless the caller gave up.
func (s *Sim) answer(c int32, o outcome) {
	if o == timedOut {
		o = failed
	}
	cr := s.recs.at(c)
	k := &s.comps[cr.comp]
	k.stats.answered(s.now()-cr.sent, o)
	s.unlink(k, c)
	if cr.flags&abandoned == 0 {
		s.attemptEnded(c, o)
	}
	s.recs.release(c) // the callee's hold
}

// link and unlink keep the list of jobs a component holds, so that a crash
// can drop them all.
func (s *Sim) link(k *component, c int32) {
	cr := s.recs.at(c)
	cr.prev, cr.next = -1, k.jobs
	if k.jobs >= 0 {
		s.recs.at(k.jobs).prev = c
	}
	k.jobs = c
	k.stats.inSys.Add(s.now(), 1)
}

func (s *Sim) unlink(k *component, c int32) {
	cr := s.recs.at(c)
	if cr.prev >= 0 {
		s.recs.at(cr.prev).next = cr.next
	} else {
		k.jobs = cr.next
	}
	if cr.next >= 0 {
		s.recs.at(cr.next).prev = cr.prev
	}
	k.stats.inSys.Add(s.now(), -1)
}

// dropJob ends job c at a crashed component: whatever it waited for is
// cancelled, its downstream call is abandoned (that work goes on, wasted),
// its worker is freed with the work lost, and its caller gets an error.
func (s *Sim) dropJob(k *component, c int32) {
	cr := s.recs.at(c)
	s.sched.Cancel(cr.wait)
	if ch := cr.child; ch >= 0 {
		chr := s.recs.at(ch)
		chr.flags |= abandoned
		s.sched.Cancel(chr.timer)
		if k.lb != nil {
			k.lb.active[chr.pick]--
		}
		cr.child = -1
		s.recs.release(ch) // the caller's hold
	}
	if cr.flags&working != 0 {
		s.releaseWorker(k, c, true)
	}
	s.answer(c, failed)
}
