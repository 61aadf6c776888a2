package topology

import (
	"math"
	"time"
)

// Group is a step of a server's handler that makes several calls at once
// and joins them: the calls [First, End) of the server's Calls are its
// members, each with its own policy (timeouts, retries, hedging, budgets and
// breakers apply per call exactly as to a step of its own). A member with
// Targets (a scatter) makes one call to each of Pick of them.
//
// The join decides the step: JoinAll succeeds when every member succeeded
// (an optional member's failure, or its lateness past Timeout, degrades the
// answer instead of failing it) and fails at the first failure of a
// required one; JoinAny succeeds at the first success; JoinQuorum succeeds
// at the Quorum-th success and fails once it cannot be reached. When the
// join is decided, the members still running are stopped as a caller that
// gives up stops a call: cancelled when their call cancels, else left
// running, their work then counted as wasted.
type Group struct {
	Name        string        // shown in results: its name key, else its callees' names joined by "+"
	Join        Join          // how the members' outcomes decide the step
	Quorum      int           // JoinQuorum: successes needed
	Timeout     time.Duration // join_timeout: the longest the step waits for its members; 0 for no limit
	AcceptStale bool          // JoinQuorum: fewer successes than the quorum, but one at least, still answer (stale-tolerant)
	First, End  int           // its members: the server's Calls[First:End]
	Pos         Pos           // the [[call]] entry that defines it
}

// Join is how a group's members decide its step.
type Join uint8

// Joins: wait for every member, take the first success, or take Quorum
// successes.
const (
	JoinAll Join = iota
	JoinAny
	JoinQuorum
)

// JoinNames are the names scenario files give joins, indexed by value.
var JoinNames = []string{"all", "any", "quorum"}

func (j Join) String() string { return JoinNames[j] }

// Members is how many calls one run of the group makes at once: one per
// member, and Pick per scatter.
func (g *Group) Members(calls []Call) int {
	n := 0
	for _, c := range calls[g.First:g.End] {
		n += c.Fanout()
	}
	return n
}

// Fanout is how many calls the member makes in one run of its step: Pick
// for a scatter, else 1.
func (c *Call) Fanout() int {
	if c.Targets != nil {
		return c.Pick
	}
	return 1
}

// Callees are the components the call can reach directly: its scatter's
// targets, or To.
func (c *Call) Callees() []int {
	if c.Targets != nil {
		return c.Targets
	}
	return []int{c.To}
}

// Step is one step of a server's handler: a call of its own, or a group.
type Step struct {
	Name       string
	First, End int    // its calls: the server's Calls[First:End]
	Group      *Group // nil for a call of its own
}

// Steps lists the server's steps in order.
func (s *Server) Steps() []Step {
	var out []Step
	for i := 0; i < len(s.Calls); {
		c := &s.Calls[i]
		if g := c.Group; g != nil {
			out = append(out, Step{Name: c.Step, First: g.First, End: g.End, Group: g})
			i = g.End
			continue
		}
		out = append(out, Step{Name: c.Step, First: i, End: i + 1})
		i++
	}
	return out
}

// ExceedProbability is P(X > t) for X drawn from the distribution, t in
// seconds: the fraction of draws longer than t.
func (d Dist) ExceedProbability(t float64) float64 {
	switch d.Kind {
	case DistConstant:
		if d.Value.Seconds() > t {
			return 1
		}
		return 0
	case DistExponential:
		if t <= 0 {
			return 1
		}
		return math.Exp(-t / d.Mean.Seconds())
	case DistUniform:
		lo, hi := d.Min.Seconds(), d.Max.Seconds()
		switch {
		case t < lo:
			return 1
		case t >= hi:
			return 0
		}
		return (hi - t) / (hi - lo)
	case DistLognormal:
		if t <= 0 {
			return 1
		}
		mu, sigma := d.Lognormal()
		if sigma == 0 {
			if math.Exp(mu) > t {
				return 1
			}
			return 0
		}
		return math.Erfc((math.Log(t)-mu)/(sigma*math.Sqrt2)) / 2
	default:
		// The quantile function is piecewise linear: find the segment in
		// which it crosses t and invert it there.
		pts := d.Points
		if t < pts[0].Value.Seconds() {
			return 1
		}
		for i := len(pts) - 1; i > 0; i-- {
			a, b := pts[i-1], pts[i]
			if a.Value.Seconds() <= t && t < b.Value.Seconds() {
				f := (t - a.Value.Seconds()) / (b.Value - a.Value).Seconds()
				return 1 - (a.P + f*(b.P-a.P))
			}
		}
		return 0
	}
}
