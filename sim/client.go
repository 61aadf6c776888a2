package sim

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/topology"
)

// client issues logical requests: open loop, as a Poisson process whose rate
// follows a schedule, or closed loop, as users who each wait for their
// request to finish and think before the next.
type client struct {
	policy policy

	rate     []segment // open loop: the arrival rate over time
	seg      int       // segment of the last arrival
	arrivals *rand.Rand

	users int32 // closed loop
	think random.Dist

	shed     float64    // fraction of new requests refused at once (an operator sheds load)
	shedDraw *rand.Rand // nil until load is shed
	left     []int32    // requests each user has still to make, when limited

	classes   []*clientClass // its request classes, or nil (classes.go)
	classBase int32          // the scenario's index of its first class
	classDraw *rand.Rand
}

// segment is a stretch [start, end) of the arrival rate over which it is
// linear: rate(t) = rate0 + slope*(t-start), in requests per second.
type segment struct {
	start, end   des.Time
	rate0, slope float64
}

func newClient(s *Sim, i int, c *topology.Client) *client {
	name := s.sc.Components[i].Name
	cl := &client{
		policy:   newPolicy(s, c.Target, c.Call),
		users:    int32(c.Users),
		arrivals: random.Stream(s.seed, name, "arrivals"),
	}
	base := 0
	for _, o := range s.sc.Components[:i] {
		if o.Client != nil {
			base += len(o.Client.Classes)
		}
	}
	s.newClasses(cl, name, c, base)
	if c.Users > 0 {
		cl.think = random.NewDist(c.Think, random.Stream(s.seed, name, "think"))
		cl.left = requestsLeft(c)
	} else {
		cl.rate = rateSegments(c.Rate, spikes(s.sc.Faults, i))
	}
	return cl
}

// spikes returns the load-spike faults on client i.
func spikes(faults []topology.Fault, i int) []topology.Fault {
	var out []topology.Fault
	for _, f := range faults {
		if f.Kind == topology.FaultLoadSpike {
			for _, t := range f.Targets {
				if t == i {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// rateSegments turns the rate schedule and the load spikes into linear
// segments: one between every two consecutive corners of either.
func rateSegments(points []topology.RatePoint, spikes []topology.Fault) []segment {
	cuts := []des.Time{0}
	for _, p := range points {
		cuts = append(cuts, des.FromDuration(p.At))
	}
	for _, f := range spikes {
		cuts = append(cuts, des.FromDuration(f.At), des.FromDuration(f.End()))
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var segs []segment
	for i, start := range cuts {
		end := des.Never
		if i+1 < len(cuts) {
			end = cuts[i+1]
		}
		r0, slope := rateAt(points, start)
		mult := 1.0
		for _, f := range spikes {
			if des.FromDuration(f.At) <= start && start < des.FromDuration(f.End()) {
				mult *= f.Factor
			}
		}
		segs = append(segs, segment{start: start, end: end, rate0: r0 * mult, slope: slope * mult})
	}
	return segs
}

// rateAt returns the scheduled rate at t and its slope just after t. At a
// step (two points at one time) the later point holds from t on.
func rateAt(points []topology.RatePoint, t des.Time) (rate, slope float64) {
	k := -1
	for i, p := range points {
		if des.FromDuration(p.At) <= t {
			k = i
		}
	}
	switch {
	case k < 0:
		return points[0].RPS, 0
	case k == len(points)-1:
		return points[k].RPS, 0
	}
	a, b := points[k], points[k+1]
	slope = (b.RPS - a.RPS) / (b.At - a.At).Seconds()
	return a.RPS + slope*(t-des.FromDuration(a.At)).Seconds(), slope
}

// nextArrival returns the time of the first arrival after now of a Poisson
// process with the client's rate: it draws E ~ Exp(1) and finds the time at
// which the integral of the rate from now reaches E (inversion of the
// cumulative intensity, exact for a piecewise-linear rate). Never when the
// rate stays zero.
func (cl *client) nextArrival(now des.Time) des.Time {
	e := cl.arrivals.ExpFloat64()
	for ; cl.seg < len(cl.rate); cl.seg++ {
		g := &cl.rate[cl.seg]
		if now >= g.end {
			continue
		}
		if now < g.start {
			now = g.start
		}
		a := g.rate0 + g.slope*(now-g.start).Seconds() // rate at now
		span := math.Inf(1)
		if g.end != des.Never {
			span = (g.end - now).Seconds()
		}
		// Solve a*d + slope/2*d^2 = e for the smallest d >= 0, in a form
		// that is stable for a slope of either sign; a constant rate, the
		// common case, needs no square root.
		if g.slope == 0 {
			if a > 0 && e/a <= span {
				return now + des.FromSeconds(e/a)
			}
		} else if disc := a*a + 2*g.slope*e; disc >= 0 && a+math.Sqrt(disc) > 0 {
			if d := 2 * e / (a + math.Sqrt(disc)); d <= span {
				return now + des.FromSeconds(d)
			}
		}
		e -= a*span + g.slope/2*span*span
		now = g.end
	}
	return des.Never
}

func (s *Sim) startClient(i int32, cl *client) {
	if cl.users > 0 {
		for u := range cl.users {
			s.sched.Schedule(des.FromSeconds(cl.think.Sample()), evUserWake, i, u)
		}
		return
	}
	s.scheduleArrival(i, cl)
}

func (s *Sim) scheduleArrival(i int32, cl *client) {
	if t := cl.nextArrival(s.now()); t < s.end {
		s.sched.Schedule(t, evArrival, i, 0)
	}
}

func (s *Sim) openLoopArrival(i int32) {
	s.scheduleArrival(i, s.comps[i].client)
	s.newLogical(i, -1)
}

// newLogical starts a logical request at client i, for closed-loop user u
// (-1 for open loop).
func (s *Sim) newLogical(i, u int32) {
	k := &s.comps[i]
	r := s.recs.alloc(-1, i)
	rr := s.recs.at(r)
	rr.user, rr.sent = u, s.now()
	rr.refs++ // the client's hold
	k.stats.logical(s)
	if s.book != nil {
		s.book.begin(r)
	}
	s.link(k, r)
	cl := k.client
	if cl.classes != nil {
		s.drawClass(cl, rr)
		cs := s.classStats(k, rr)
		cs.cur.logical++
		cs.inSys.Add(s.now(), 1)
	}
	s.trace(TraceStart, r, ok, 0)
	if cl.shed > 0 && cl.shedDraw.Float64() < cl.shed {
		k.stats.cur.shed++
		if cs := s.classStats(k, rr); cs != nil {
			cs.cur.shed++
		}
		s.logicalDone(r, rejected)
		return
	}
	s.invoke(r)
}

// logicalDone records the outcome of logical request r.
func (s *Sim) logicalDone(r int32, o outcome) {
	s.trace(TraceDone, r, o, 0)
	rr := s.recs.at(r)
	k := &s.comps[rr.comp]
	lat := s.now() - rr.sent
	k.stats.logicalDone(lat, o, rr.flags&degraded != 0)
	if cs := s.classStats(k, rr); cs != nil {
		cs.logicalDone(lat, o, rr.flags&degraded != 0)
		cs.inSys.Add(s.now(), -1)
	}
	s.unlink(k, r)
	i, u := rr.comp, rr.user
	s.recs.release(r)
	if u >= 0 && s.goesOn(k.client, u) {
		if t := s.now() + des.FromSeconds(k.client.think.Sample()); t < s.end {
			s.sched.Schedule(t, evUserWake, i, u)
		}
	}
}
