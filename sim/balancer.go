package sim

import (
	"math/rand/v2"
	"slices"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/outlier"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/sim/retry"
	"github.com/failsim/failsim/topology"
)

// balancer forwards each call to one of its targets, Envoy-style: a route
// timeout over all tries (policy.deadline), a per-try timeout, retries that
// go to another target, and optionally the cluster's circuit breaker
// thresholds and outlier ejection.
type balancer struct {
	policy   policy
	overhead des.Time
	targets  []int32
	active   []int32 // calls outstanding to each target, as this balancer sees them
	upstream int32   // calls outstanding to all targets
	how      topology.Policy
	next     int32 // round robin position
	rng      *rand.Rand
	down     bool

	maxRequests int32 // 0 for no limit
	maxPending  int32
	pending     deque // requests waiting for an upstream slot, and tombstones
	waiting     int32 // requests waiting

	outlier *outlier.Detector
	off     []bool  // targets in standby, not to be picked; nil when none can be
	shed    float64 // fraction of calls refused at once (an operator sheds load)
	shedRng *rand.Rand
	all     []int32 // every target index not in standby, the candidates of most picks
	choices []int32 // scratch for pick: candidates
	ties    []int32 // scratch for pick: least loaded candidates
}

func newBalancer(s *Sim, c topology.Component) *balancer {
	t := c.Balancer
	b := &balancer{
		policy:   newPolicy(s, -1, t.Call),
		overhead: des.FromDuration(t.DeadlineOverhead),
		how:      t.Policy,
		rng:      random.Stream(s.seed, c.Name, "pick"),
		active:   make([]int32, len(t.Targets)),
	}
	for i, target := range t.Targets {
		b.targets = append(b.targets, int32(target))
		b.all = append(b.all, int32(i))
	}
	if th := t.Thresholds; th != nil {
		b.maxRequests, b.maxPending = int32(th.MaxRequests), int32(th.MaxPendingRequests)
		if b.policy.budget == nil {
			// Envoy's max_retries is its retry budget with no percentage.
			b.policy.budget = retry.NewBudget(topology.Budget{Kind: topology.BudgetEnvoy, MinRetryConcurrency: th.MaxRetries})
		}
	}
	if t.Outlier != nil {
		b.outlier = outlier.New(*t.Outlier, len(t.Targets))
	}
	return b
}

func (s *Sim) balancerArrive(k *component, c int32) {
	b := k.lb
	switch {
	case b.down:
		s.answer(c, rejected)
	case b.shed > 0 && b.shedRng.Float64() < b.shed:
		k.stats.cur.shed++
		s.answer(c, rejected)
	case !b.hasRoom() && b.waiting >= b.maxPending:
		k.stats.cur.shed++
		s.answer(c, rejected)
	default:
		s.link(k, c)
		s.invoke(c)
	}
}

// hasRoom reports whether another call may go upstream now.
func (b *balancer) hasRoom() bool { return b.maxRequests == 0 || b.upstream < b.maxRequests }

// overflow is a try that found every upstream slot taken: it waits in the
// pending queue, until its route timeout at the latest, or, when that is
// full too, the request is refused (Envoy's 503 overflow).
func (s *Sim) overflow(k *component, j int32) {
	b := k.lb
	if b.waiting >= b.maxPending {
		k.stats.cur.shed++
		s.giveUp(j, rejected)
		return
	}
	r := s.recs.at(j)
	r.flags |= pending
	r.refs++ // the pending queue's hold
	b.pending.push(j)
	b.waiting++
	if b.policy.budget != nil {
		b.policy.budget.Pending(1)
	}
	if r.deadline > 0 {
		r.wait = s.sched.SetTimer(r.deadline, evRetry, 0, j)
	}
}

// leavePending takes job j out of the pending count; its queue entry stays
// as a tombstone.
func (s *Sim) leavePending(k *component, j int32) {
	s.recs.at(j).flags &^= pending
	k.lb.waiting--
	if k.lb.policy.budget != nil {
		k.lb.policy.budget.Pending(-1)
	}
}

// startPending gives free upstream slots to pending requests, oldest first.
func (s *Sim) startPending(k *component) {
	b := k.lb
	for b.hasRoom() && b.pending.len() > 0 {
		j := b.pending.popFront()
		live := s.recs.at(j).flags&pending != 0
		if live {
			s.leavePending(k, j)
			s.sched.Cancel(s.recs.at(j).wait)
			s.attempt(j)
		}
		s.recs.release(j) // the pending queue's hold
	}
}

// attemptEnded updates what the balancer knows of target pick.
func (b *balancer) attemptEnded(now des.Time, pick int32, o outcome) {
	b.active[pick]--
	b.upstream--
	if b.outlier != nil {
		b.outlier.Result(now, int(pick), o != ok)
	}
}

// sweep runs load balancer i's outlier detection interval.
func (s *Sim) sweep(i int32) {
	b := s.comps[i].lb
	b.outlier.Sweep(s.now())
	s.sched.Schedule(s.now()+des.FromDuration(s.sc.Components[i].Balancer.Outlier.Interval), evSweep, i, 0)
}

// pick chooses the target index for the next try. Ejected targets are left
// out, and so is last, the target of the previous try (-1 for the first),
// when there is another; if every target is ejected, all are used (Envoy's
// panic mode).
func (b *balancer) pick(last int32) int32 {
	c := b.candidates(last, true)
	if len(c) == 0 {
		c = b.candidates(last, false)
	}
	if len(c) == 1 {
		return c[0]
	}
	switch b.how {
	case topology.RoundRobin:
		// The first candidate at or after next, wrapping: c is in target
		// order, so a search finds it however many targets there are, and
		// when every target is a candidate it is next itself.
		i := int(b.next)
		if len(c) < len(b.targets) {
			i, _ = slices.BinarySearch(c, b.next)
		}
		if i == len(c) {
			i = 0
		}
		b.next = (c[i] + 1) % int32(len(b.targets))
		return c[i]
	case topology.Random:
		return c[b.rng.IntN(len(c))]
	case topology.LeastRequest:
		// The fewest outstanding calls; ties broken uniformly at random,
		// with one draw.
		least := b.active[c[0]]
		for _, t := range c[1:] {
			least = min(least, b.active[t])
		}
		ties := b.ties[:0]
		for _, t := range c {
			if b.active[t] == least {
				ties = append(ties, t)
			}
		}
		b.ties = ties
		return ties[b.rng.IntN(len(ties))]
	default: // power of two choices: two distinct candidates, the less loaded
		i := b.rng.IntN(len(c))
		j := b.rng.IntN(len(c) - 1)
		if j >= i {
			j++
		}
		if b.active[c[j]] < b.active[c[i]] {
			return c[j]
		}
		return c[i]
	}
}

// candidates lists the targets a try may go to: not ejected (when
// skipEjected) and not last, unless last is the only one left.
func (b *balancer) candidates(last int32, skipEjected bool) []int32 {
	if last < 0 && (!skipEjected || b.outlier == nil || b.outlier.EjectedCount() == 0) {
		return b.all // a first try, nobody ejected: the common case
	}
	c := b.choices[:0]
	for i := range int32(len(b.targets)) {
		if b.off != nil && b.off[i] {
			continue
		}
		if !skipEjected || b.outlier == nil || !b.outlier.Ejected(int(i)) {
			c = append(c, i)
		}
	}
	if len(c) > 1 {
		for i, t := range c {
			if t == last {
				c = append(c[:i], c[i+1:]...)
				break
			}
		}
	}
	b.choices = c
	return c
}
