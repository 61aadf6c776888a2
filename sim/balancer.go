package sim

import (
	"math/rand/v2"

	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/topology"
)

// balancer forwards each call to one of its targets, Envoy-style: a route
// timeout over all tries (policy.deadline), a per-try timeout, and retries
// that go to another target.
type balancer struct {
	policy  policy
	targets []int32
	active  []int32 // calls outstanding to each target, as this balancer sees them
	how     topology.Policy
	next    int32 // round robin position
	rng     *rand.Rand
	down    bool
}

func newBalancer(s *Sim, c topology.Component) *balancer {
	b := &balancer{
		policy: newPolicy(-1, c.Balancer.Call),
		how:    c.Balancer.Policy,
		rng:    random.Stream(s.seed, c.Name, "pick"),
		active: make([]int32, len(c.Balancer.Targets)),
	}
	for _, t := range c.Balancer.Targets {
		b.targets = append(b.targets, int32(t))
	}
	return b
}

func (s *Sim) balancerArrive(k *component, c int32) {
	if k.lb.down {
		s.answer(c, rejected)
		return
	}
	s.invoke(c)
}

// pick chooses the target index for the next try; last is the index the
// previous try went to (-1 for the first try), which a retry avoids when
// there is another target.
func (b *balancer) pick(last int32) int32 {
	n := int32(len(b.targets))
	if n == 1 {
		return 0
	}
	switch b.how {
	case topology.RoundRobin:
		i := b.next
		if i == last {
			i = (i + 1) % n
		}
		b.next = (i + 1) % n
		return i
	case topology.Random:
		return b.randomOther(last)
	case topology.LeastRequest:
		// The fewest outstanding calls; ties broken uniformly at random.
		best, ties := int32(-1), 0
		for i := range n {
			if i == last {
				continue
			}
			switch {
			case best < 0 || b.active[i] < b.active[best]:
				best, ties = i, 1
			case b.active[i] == b.active[best]:
				ties++
				if b.rng.IntN(ties) == 0 {
					best = i
				}
			}
		}
		return best
	default: // power of two choices
		i := b.randomOther(last)
		if avail := n - b2i(last >= 0); avail < 2 {
			return i
		}
		j := b.randomOther(last)
		for j == i {
			j = b.randomOther(last)
		}
		if b.active[j] < b.active[i] {
			return j
		}
		return i
	}
}

// randomOther draws a target index uniformly, other than last.
func (b *balancer) randomOther(last int32) int32 {
	n := int32(len(b.targets))
	if last < 0 {
		return b.rng.Int32N(n)
	}
	i := b.rng.Int32N(n - 1)
	if i >= last {
		i++
	}
	return i
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
