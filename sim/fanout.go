package sim

import (
	"math/rand/v2"

	"github.com/failsim/failsim/sim/results"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/topology"
)

// group is a server's step that makes several calls at once and joins them
// (topology.Group). Its members are the server's calls [first, end), each
// an edge with its own policy; a scatter member makes one call to each of
// pick of its targets. A job in the step makes one member record per call
// (a record like a repair's: its comp is the server, its parent the job,
// its step the member's call), and each member runs invoke, attempt,
// retries, hedges and fallbacks exactly as a step of its own does. The
// job's side of the join is a joinState, indexed by the job's record as
// hedge sets are: nothing is allocated per member or per job.
type group struct {
	name        string
	join        topology.Join
	quorum      int32
	first, end  int32      // its members: the server's calls
	n           int32      // calls one run makes
	acceptStale bool       // a quorum missed with one success at least answers, stale
	timeout     *des.Delay // join_timeout, or nil
	cur, tot    joinCounts
	warm        joinCounts // tot when the warm-up ended, left out of the summary
}

// joinCounts are how a group's runs ended, and what became of the calls
// still running when they did.
type joinCounts struct {
	joined, degraded, stale, failed int64
	left, cancelled                 int64 // members stopped when the join was decided: left running, or cancelled
}

func (c *joinCounts) add(o *joinCounts) { c.combine(o, 1) }

func (c *joinCounts) sub(o *joinCounts) { c.combine(o, -1) }

func (c *joinCounts) combine(o *joinCounts, sign int64) {
	c.joined += sign * o.joined
	c.degraded += sign * o.degraded
	c.stale += sign * o.stale
	c.failed += sign * o.failed
	c.left += sign * o.left
	c.cancelled += sign * o.cancelled
}

// joinState is one job's run of a group step: its members in flight, in a
// list through their records' prev and next, and their outcomes so far.
type joinState struct {
	head              int32 // first member in flight, -1 for none
	gen               uint32
	active            bool
	n, sent           int32 // calls to make, calls made so far
	ok, failed, optny int32 // members that succeeded, failed, and optional ones that failed
	lastFail          outcome
}

// scatter is what a scatter member adds to its policy: the instances it
// calls and, when it calls fewer than all, the draws that choose them.
type scatter struct {
	targets []int32
	pick    int32
	perm    []int32    // the targets, shuffled in place for each run that picks
	rng     *rand.Rand // nil when it calls every instance
}

// newGroups builds server k's groups from its calls and marks each
// member's policy with its group.
func (s *Sim) newGroups(name string, t *topology.Server, calls []policy) {
	var g *group
	for i := range t.Calls {
		c := &t.Calls[i]
		p := &calls[i]
		if c.Targets != nil {
			sc := &scatter{pick: int32(c.Pick)}
			for _, x := range c.Targets {
				sc.targets = append(sc.targets, int32(x))
			}
			if c.Pick < len(c.Targets) {
				sc.perm = append([]int32(nil), sc.targets...)
				sc.rng = random.Stream(s.seed, name, "scatter/"+c.Step)
			}
			p.scatter, p.to = sc, -1
		}
		if c.Group == nil {
			continue
		}
		if g == nil || int(g.end) <= i {
			tg := c.Group
			g = &group{name: tg.Name, join: tg.Join, quorum: int32(tg.Quorum), first: int32(tg.First), end: int32(tg.End),
				n: int32(tg.Members(t.Calls)), acceptStale: tg.AcceptStale}
			if tg.Timeout > 0 {
				g.timeout = s.sched.NewDelay(des.FromDuration(tg.Timeout), evJoinTimeout, 0)
			}
			if s.joins == nil {
				s.joins = []joinState{}
			}
		}
		p.group, p.optional = g, c.Optional
	}
}

// groups lists server sv's groups in step order.
func (sv *server) groups() []*group {
	var out []*group
	for i := 0; i < len(sv.calls); i++ {
		if g := sv.calls[i].group; g != nil {
			out = append(out, g)
			i = int(g.end) - 1
		}
	}
	return out
}

// inGroup reports whether job j is waiting on a group's members.
func (s *Sim) inGroup(j int32) bool { return int(j) < len(s.joins) && s.joins[j].active }

// startGroup starts job j's group step: a member record per call, each
// invoked with its own policy. A member can end at once (refused, its
// breaker open) and decide the join before the others are made: those are
// then never sent.
func (s *Sim) startGroup(k *component, j int32, p *policy) {
	g := p.group
	if s.bulkheadFull(j) {
		s.groupEnded(k, j, g, rejected)
		return
	}
	for int(j) >= len(s.joins) {
		s.joins = append(s.joins, joinState{})
	}
	js := &s.joins[j]
	gen := js.gen + 1
	*js = joinState{head: -1, gen: gen, active: true, n: g.n}
	jr := s.recs.at(j)
	if g.timeout != nil {
		jr.wait = s.sched.After(g.timeout, j)
	}
	sv := k.srv
	for ci := g.first; ci < g.end; ci++ {
		mp := &sv.calls[ci]
		n := int32(1)
		if sc := mp.scatter; sc != nil {
			n = sc.pick
			if sc.rng != nil { // a partial Fisher-Yates shuffle draws pick of the targets
				for x := range n {
					y := x + int32(sc.rng.IntN(len(sc.perm)-int(x)))
					sc.perm[x], sc.perm[y] = sc.perm[y], sc.perm[x]
				}
			}
		}
		for x := range n {
			to := int32(-1)
			if sc := mp.scatter; sc != nil {
				to = sc.targets[x]
				if sc.rng != nil {
					to = sc.perm[x]
				}
			}
			m := s.newMember(j, ci, to)
			s.invoke(m)
			if js := &s.joins[j]; !js.active || js.gen != gen {
				return // decided already
			}
		}
	}
}

// newMember makes job j's member record for call ci of its server, to
// instance to for a scatter.
func (s *Sim) newMember(j, ci, to int32) int32 {
	jr := s.recs.at(j)
	m := s.recs.alloc(j, jr.comp)
	mr := s.recs.at(m)
	mr.flags |= member
	mr.step, mr.pick, mr.due, mr.class, mr.sent = ci, to, jr.due, jr.class, s.now()
	mr.write = s.comps[jr.comp].srv.calls[ci].write
	mr.refs++ // the group's hold, until the member ends or is stopped
	js := &s.joins[j]
	mr.prev, mr.next = -1, js.head
	if js.head >= 0 {
		s.recs.at(js.head).prev = m
	}
	js.head = m
	js.sent++
	return m
}

// dropMember takes member m out of job j's list and lets go of it.
func (s *Sim) dropMember(j, m int32) {
	mr := s.recs.at(m)
	if mr.prev >= 0 {
		s.recs.at(mr.prev).next = mr.next
	} else {
		s.joins[j].head = mr.next
	}
	if mr.next >= 0 {
		s.recs.at(mr.next).prev = mr.prev
	}
	s.recs.release(m) // the group's hold
}

// memberDone is the end of member m's call, after its retries, hedges and
// fallback: its outcome goes to the join.
func (s *Sim) memberDone(k *component, m int32, o outcome) {
	mr := s.recs.at(m)
	j := mr.parent
	p := &k.srv.calls[mr.step]
	deg := mr.flags & degraded
	s.dropMember(j, m)
	js := &s.joins[j]
	switch {
	case o == ok:
		js.ok++
		s.recs.at(j).flags |= deg // a degraded answer makes the job's degraded too
	case p.optional:
		js.optny++
	default:
		js.failed++
		js.lastFail = o
	}
	s.judge(k, j, p.group)
}

// judge ends job j's group step once its members' outcomes decide it.
func (s *Sim) judge(k *component, j int32, g *group) {
	js := &s.joins[j]
	open := js.n - js.ok - js.failed - js.optny // not ended yet, unsent ones included
	switch g.join {
	case topology.JoinAll:
		switch {
		case js.failed > 0:
			s.groupEnded(k, j, g, js.lastFail)
		case open == 0:
			s.groupEnded(k, j, g, ok)
		}
	case topology.JoinAny:
		switch {
		case js.ok > 0:
			s.groupEnded(k, j, g, ok)
		case open == 0:
			s.groupEnded(k, j, g, js.lastFail)
		}
	case topology.JoinQuorum:
		switch {
		case js.ok >= g.quorum:
			s.groupEnded(k, j, g, ok)
		case js.ok+open >= g.quorum: // it can still be reached
		case g.acceptStale && js.ok > 0:
			s.groupEnded(k, j, g, ok)
		case !g.acceptStale || open == 0:
			s.groupEnded(k, j, g, js.lastFail)
		}
	}
}

// joinTimedOut is job j's join_timeout: required members still running
// fail the step; optional ones are left, the answer degraded; a quorum
// missed answers stale when that is accepted and one member succeeded.
func (s *Sim) joinTimedOut(j int32) {
	jr := s.recs.at(j)
	k := &s.comps[jr.comp]
	g := k.srv.calls[jr.step].group
	js := &s.joins[j]
	switch {
	case g.join == topology.JoinQuorum && g.acceptStale && js.ok > 0:
		s.groupEnded(k, j, g, ok)
	case g.join == topology.JoinAll && s.onlyOptionalOpen(k, j):
		js.optny += js.n - js.ok - js.failed - js.optny
		s.groupEnded(k, j, g, ok)
	default:
		s.groupEnded(k, j, g, timedOut)
	}
}

// onlyOptionalOpen reports whether every member of job j still in flight
// is optional (all are sent by the time a timer fires).
func (s *Sim) onlyOptionalOpen(k *component, j int32) bool {
	for m := s.joins[j].head; m >= 0; m = s.recs.at(m).next {
		if !k.srv.calls[s.recs.at(m).step].optional {
			return false
		}
	}
	return true
}

// groupEnded decides job j's group step with outcome o: the members still
// running are stopped, the outcome is counted, and the job goes on.
func (s *Sim) groupEnded(k *component, j int32, g *group, o outcome) {
	jr := s.recs.at(j)
	if int(j) < len(s.joins) && s.joins[j].active {
		js := &s.joins[j]
		js.active = false
		s.sched.Cancel(jr.wait)
		switch {
		case o != ok:
			g.cur.failed++
		case js.ok < g.quorum && g.join == topology.JoinQuorum:
			g.cur.stale++
		case js.optny > 0:
			g.cur.degraded++
			jr.flags |= degraded
		default:
			g.cur.joined++
		}
		s.stopMembers(k, j, g)
	} else {
		g.cur.failed++ // refused by its bulkhead before it began
	}
	s.leaveBulkhead(j)
	s.trace(TraceGiveUp, j, o, 0)
	if o == ok {
		jr.step = g.end - 1 // stepDone moves on to the step after the group
	} else {
		jr.step = g.first // a partial failure looks at the steps before the group
	}
	s.stepDone(j, o)
}

// stopMembers stops job j's members still running, as a caller that gives
// up stops a call: whatever each waits for is given up, its call in flight
// abandoned, and cancelled when its policy cancels; otherwise its callee
// goes on, and that work is counted as wasted.
func (s *Sim) stopMembers(k *component, j int32, g *group) {
	for {
		m := s.joins[j].head
		if m < 0 {
			return
		}
		mr := s.recs.at(m)
		mr.flags |= abandoned
		if k.srv.calls[mr.step].cancel {
			g.cur.cancelled++
		} else {
			g.cur.left++
		}
		s.stopOutbound(k, m)
		s.dropMember(j, m)
	}
}

// stopGroup stops job j's group step without deciding it: its caller
// cancelled it, or its server crashed.
func (s *Sim) stopGroup(k *component, j int32) {
	js := &s.joins[j]
	js.active = false
	s.stopMembers(k, j, k.srv.calls[s.recs.at(j).step].group)
}

// calleeName names the callee of edge p in its metrics: the component it
// calls, or the service a scatter calls the instances of.
func (s *Sim) calleeName(p *policy) string {
	if p.scatter != nil {
		return s.sc.Components[p.scatter.targets[0]].Group
	}
	return s.comps[p.to].name
}

// groupColumns are the outcomes of server sv's groups, named after each.
func groupColumns(sv *server) []column {
	var cols []column
	for _, g := range sv.groups() {
		sfx := "." + g.name
		cols = append(cols,
			fromState("group_joined"+sfx, func(*view) float64 { return float64(g.cur.joined) }),
			fromState("group_degraded"+sfx, func(*view) float64 { return float64(g.cur.degraded) }),
			fromState("group_failed"+sfx, func(*view) float64 { return float64(g.cur.failed) }),
			fromState("group_left"+sfx, func(*view) float64 { return float64(g.cur.left) }),
			fromState("group_cancelled"+sfx, func(*view) float64 { return float64(g.cur.cancelled) }))
		if g.join == topology.JoinQuorum {
			cols = append(cols, fromState("group_stale"+sfx, func(*view) float64 { return float64(g.cur.stale) }))
		}
	}
	return cols
}

// groupSummaries are how the runs of server k's groups ended, by group.
func (s *Sim) groupSummaries(r *report) map[string]results.Join {
	gs := s.comps[r.members[0]].srv.groups()
	if len(gs) == 0 {
		return nil
	}
	out := map[string]results.Join{}
	for i, g := range gs {
		var t joinCounts // since the warm-up, a fleet's instances together
		for _, m := range r.members {
			mg := s.comps[m].srv.groups()[i]
			t.add(&mg.tot)
			t.add(&mg.cur)
			t.sub(&mg.warm)
		}
		j := results.Join{Joined: t.joined, Degraded: t.degraded, Stale: t.stale, Failed: t.failed, Left: t.left,
			Cancelled: t.cancelled, Calls: int64(g.n), Join: g.join.String()}
		if g.join == topology.JoinQuorum {
			j.Quorum = int64(g.quorum)
		}
		out[g.name] = j
	}
	return out
}
