package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/metrics"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// link is the network on one edge: the way of its calls (caller to callee)
// and the way of their answers, each with its delay and loss, and what
// crossed it. Only edges with a delay, a loss or a fault on them have one;
// every other call reaches its callee at once, as it always did, and pays a
// nil check.
//
// A call on its way to the callee, lost on the way, or whose answer is on
// its way back or was lost, is marked away (rec.infra): its callee does not
// hold it, so a cancel from its caller changes nothing there.
type link struct {
	edge      topology.Edge
	req, resp way
	loss      *rand.Rand // the loss draws of both ways

	cur, tot linkCounts
	warmup   linkCounts         // the totals when the warm-up ended
	delays   *metrics.Histogram // the one-way delays after the warm-up, both ways
}

// linkCounts are what crossed a link in a bucket, or over the run.
type linkCounts struct {
	sent, lostRequests, lostResponses int64
	crossed                           int64    // messages that got through, both ways
	delay                             des.Time // their one-way delays, summed
}

func (c *linkCounts) add(o *linkCounts, sign int64) {
	c.sent += sign * o.sent
	c.lostRequests += sign * o.lostRequests
	c.lostResponses += sign * o.lostResponses
	c.crossed += sign * o.crossed
	c.delay += des.Time(sign) * o.delay
}

// way is one direction of a link: its configured delay and loss and, with
// the faults in progress, what holds now.
type way struct {
	delay  random.Dist
	noWait bool    // the configured delay is a constant zero: nothing to draw
	loss   float64 // as configured

	lossNow float64       // with the faults in progress
	cut     bool          // a partition: nothing passes
	faults  []random.Dist // the delays the latency faults in progress add
	drift   des.Time      // the delay a drifting latency adds now
}

// lost draws whether a message on w is lost.
func (w *way) lost(r *rand.Rand) bool {
	return w.cut || (w.lossNow > 0 && r.Float64() < w.lossNow)
}

// wait draws a message's one-way delay on w.
func (w *way) wait() des.Time {
	var d des.Time
	if !w.noWait {
		d = des.FromSeconds(w.delay.Sample())
	}
	for i := range w.faults {
		d += des.FromSeconds(w.faults[i].Sample())
	}
	return d + w.drift
}

// newLinks gives a link to every edge whose link is not zero or that a
// link fault hits, and hands each to the policies that cross it. New
// streams, one set per link, so that no other draw moves.
func (s *Sim) newLinks() {
	sc := s.sc
	hit := map[topology.Edge]bool{}
	for _, f := range sc.Faults {
		if f.Link != nil {
			for _, e := range f.Link.Edges {
				hit[e] = true
			}
		}
	}
	if len(hit) == 0 && len(sc.Network.Links) == 0 && sc.Network.Default.IsZero() {
		return // no network in the scenario: every call arrives at once, as before links
	}
	byEdge := map[topology.Edge]*link{}
	for _, e := range sc.Edges() {
		cfg, _ := sc.Network.LinkOf(e)
		if cfg.IsZero() && !hit[e] {
			continue
		}
		name := "link " + sc.EdgeName(e)
		l := &link{edge: e, loss: random.Stream(s.seed, name, "loss"), delays: metrics.NewHistogram(3)}
		l.req = newWay(cfg.RequestDelay, cfg.RequestLoss, random.Stream(s.seed, name, "request delay"))
		l.resp = newWay(cfg.ResponseDelay, cfg.ResponseLoss, random.Stream(s.seed, name, "response delay"))
		s.links = append(s.links, l)
		byEdge[e] = l
	}
	if len(s.links) == 0 {
		return
	}
	s.faultDelays = random.Stream(s.seed, "links", "fault delay")
	for i := range s.comps {
		k := &s.comps[i]
		for _, p := range k.policies() {
			s.attachLinks(int32(i), p, byEdge)
		}
	}
}

func newWay(delay topology.Dist, loss float64, r *rand.Rand) way {
	return way{delay: random.NewDist(delay, r), noWait: delay.Kind == topology.DistConstant && delay.Value == 0, loss: loss, lossNow: loss}
}

// attachLinks gives policy p of component from the links its calls cross:
// one per target of a load balancer or a scatter, else one.
func (s *Sim) attachLinks(from int32, p *policy, byEdge map[topology.Edge]*link) {
	targets := []int32{p.to}
	switch k := &s.comps[from]; {
	case k.lb != nil:
		targets = k.lb.targets
	case p.scatter != nil:
		targets = p.scatter.targets
	}
	links := make([]*link, len(targets))
	any := false
	for i, t := range targets {
		links[i] = byEdge[topology.Edge{From: int(from), To: int(t)}]
		any = any || links[i] != nil
	}
	if any {
		p.links, p.linkTargets = links, targets
	}
}

// linkTo is the link of p's call to component to, whose index among p's
// targets is pick when the caller is a load balancer (else pick says
// nothing): the only one, the one at pick, or the one found among the
// targets (a scatter's instance; a load balancer's call to another load
// balancer, which keeps its own picks in the call's record).
func (p *policy) linkTo(pick, to int32) *link {
	if len(p.links) == 1 {
		return p.links[0]
	}
	if pick >= 0 && int(pick) < len(p.linkTargets) && p.linkTargets[pick] == to {
		return p.links[pick]
	}
	for i, t := range p.linkTargets {
		if t == to {
			return p.links[i]
		}
	}
	return nil
}

// send puts call c on link l: lost on the way, or delivered after the
// link's delay (at once when it draws none).
func (s *Sim) send(l *link, c int32) {
	cr := s.recs.at(c)
	l.cur.sent++
	if l.req.lost(l.loss) {
		l.cur.lostRequests++
		cr.infra |= away
		cr.sent = s.now() // its caller's breaker times it from here
		s.trace(TraceLost, c, ok, 0)
		return
	}
	d := l.req.wait()
	l.crossed(d)
	if d == 0 {
		s.deliver(c)
		return
	}
	cr.infra |= away
	cr.refs++ // the link's hold, until it arrives
	cr.user = int32(min(d/des.Microsecond, math.MaxInt32))
	s.sched.Schedule(s.now()+d, evLinkArrive, 0, c)
}

// crossed counts a message that got through l after d.
func (l *link) crossed(d des.Time) {
	l.cur.crossed++
	l.cur.delay += d
	l.delays.Record(d)
}

// linkArrive is call c reaching its callee. A call its caller cancelled on
// the way is dropped: the cancellation follows it on the same connection.
func (s *Sim) linkArrive(c int32) {
	cr := s.recs.at(c)
	cr.infra &^= away
	if cr.flags&cancelled == 0 {
		s.deliver(c)
	}
	s.recs.release(c) // the link's hold
}

// respond sends the answer o to call c back over its link, and reports
// whether it did: false when the edge has no link or the answer draws no
// delay, and the caller hears at once. A lost answer leaves the caller
// waiting for its timer.
func (s *Sim) respond(c int32, o outcome) bool {
	cr := s.recs.at(c)
	p := s.policyOf(cr.parent)
	if p.links == nil {
		return false
	}
	l := p.linkTo(cr.pick, cr.comp)
	if l == nil {
		return false
	}
	if l.resp.lost(l.loss) {
		l.cur.lostResponses++
		cr.infra |= away
		s.trace(TraceAnswerLost, c, o, 0)
		return true
	}
	d := l.resp.wait()
	l.crossed(d)
	if d == 0 {
		return false
	}
	cr.infra |= away
	cr.refs++ // the link's hold, until the answer arrives
	s.sched.Schedule(s.now()+d, evLinkAnswer, int32(o), c)
	return true
}

// linkAnswer is answer o reaching the caller of call c, unless the caller
// gave up while it was on the way.
func (s *Sim) linkAnswer(c int32, o outcome) {
	cr := s.recs.at(c)
	if cr.flags&abandoned == 0 {
		s.attemptEnded(c, o)
	}
	s.recs.release(c) // the link's hold
}

// requestDelay is how long call c took to reach its callee, for its
// caller's timing of the attempt (kept in microseconds).
func requestDelay(cr *rec) des.Time { return des.Time(cr.user) * des.Microsecond }

// applyLinkFaults recomputes the links fault i hits, starting or ending now.
func (s *Sim) applyLinkFaults(i int32, starting bool) {
	for _, l := range s.links {
		if s.faults[i].HitsEdge(l.edge) {
			s.applyLink(l, i, starting)
		}
	}
}

// applyLink recomputes link l's state from the link faults in progress
// (fault i starting or ending now): partitions cut, losses combine as
// independent causes with the link's own, added delays add.
func (s *Sim) applyLink(l *link, i int32, starting bool) {
	now := s.now()
	keep := [2]float64{1 - l.req.loss, 1 - l.resp.loss}
	ways := [2]*way{&l.req, &l.resp}
	for _, w := range ways {
		w.cut, w.faults, w.drift = false, w.faults[:0], 0
	}
	for j := range s.faults {
		g := &s.faults[j]
		if g.Link == nil || !s.inProgress(int32(j), i, starting, now) || !g.HitsEdge(l.edge) {
			continue
		}
		for n, w := range ways {
			if (n == 0 && !g.Link.Direction.Requests()) || (n == 1 && !g.Link.Direction.Responses()) {
				continue
			}
			switch g.Kind {
			case topology.FaultPartition:
				w.cut = true
			case topology.FaultLoss:
				keep[n] *= 1 - g.Loss
			case topology.FaultLatency:
				w.faults = append(w.faults, random.NewDist(g.Delay, s.faultDelays))
			case topology.FaultDrift:
				v := g.DriftAt(time.Duration(now))
				if g.Drift.What == topology.DriftLoss {
					keep[n] *= 1 - v
				} else {
					w.drift += des.FromSeconds(v)
				}
			}
		}
	}
	for n, w := range ways {
		w.lossNow = 1 - keep[n]
	}
}

// linkColumns are the metrics of the links component k's calls cross, named
// after the callee; the links to the instances of a fleet count as one.
// They read the links' own counts, which a bucket quiet for k can still
// have (answers crossing back), so they are asked at every bucket.
func (s *Sim) linkColumns(k *component) []column {
	var cols []column
	for _, g := range s.linkGroups(func(l *link) bool { return &s.comps[l.edge.From] == k }) {
		suffix := "." + g.to
		sum := func(f func(c *linkCounts) int64) func(*view) float64 {
			return func(*view) float64 {
				var n int64
				for _, l := range g.links {
					n += f(&l.cur)
				}
				return float64(n)
			}
		}
		cols = append(cols,
			fromState("link_sent"+suffix, sum(func(c *linkCounts) int64 { return c.sent })),
			fromState("link_lost_requests"+suffix, sum(func(c *linkCounts) int64 { return c.lostRequests })),
			fromState("link_lost_responses"+suffix, sum(func(c *linkCounts) int64 { return c.lostResponses })),
			fromState("link_delay_mean_s"+suffix, func(*view) float64 {
				var n int64
				var d des.Time
				for _, l := range g.links {
					n, d = n+l.cur.crossed, d+l.cur.delay
				}
				if n == 0 {
					return math.NaN()
				}
				return d.Seconds() / float64(n)
			}))
	}
	return cols
}

// linkGroup is the links from one report to another: one edge's, or those
// of the instances of a fleet on either end, which the results show as one.
type linkGroup struct {
	from, to string
	links    []*link
}

// linkGroups groups the links that keep passes by their ends' reports, in
// the order of the scenario's edges.
func (s *Sim) linkGroups(keep func(*link) bool) []linkGroup {
	var out []linkGroup
	at := map[[2]string]int{}
	for _, l := range s.links {
		if !keep(l) {
			continue
		}
		key := [2]string{s.reportOf(int32(l.edge.From)).name, s.reportOf(int32(l.edge.To)).name}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, linkGroup{from: key[0], to: key[1]})
		}
		out[i].links = append(out[i].links, l)
	}
	return out
}

// closeLinks ends the bucket of every link, after the columns read it.
func (s *Sim) closeLinks() {
	for _, l := range s.links {
		l.tot.add(&l.cur, 1)
		l.cur = linkCounts{}
	}
}

// endLinkWarmup starts the links' statistics afresh at the warm-up's end.
func (s *Sim) endLinkWarmup() {
	for _, l := range s.links {
		l.warmup = l.tot
		l.delays.Reset()
	}
}

// linkSummary is what crossed each link after the warm-up, in the order of
// the scenario's edges; the links of a fleet's instances count as one.
func (s *Sim) linkSummary() []results.Link {
	var out []results.Link
	for _, g := range s.linkGroups(func(*link) bool { return true }) {
		var m linkCounts
		delays := g.links[0].delays
		for i, l := range g.links {
			m.add(&l.tot, 1)
			m.add(&l.warmup, -1)
			if i > 0 {
				delays.Merge(l.delays) // the first link's histogram is done with
			}
		}
		r := results.Link{From: g.from, To: g.to, Sent: m.sent, LostRequests: m.lostRequests, LostResponses: m.lostResponses}
		if m.crossed > 0 {
			r.DelayMeanS = m.delay.Seconds() / float64(m.crossed)
			r.DelayP99S = delays.Quantile(0.99)
		}
		out = append(out, r)
	}
	return out
}
