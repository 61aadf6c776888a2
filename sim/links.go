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
// one per target of a load balancer, by the target's index, else one.
func (s *Sim) attachLinks(from int32, p *policy, byEdge map[topology.Edge]*link) {
	targets := []int32{p.to}
	if k := &s.comps[from]; k.lb != nil {
		targets = k.lb.targets
	}
	links := make([]*link, len(targets))
	any := false
	for i, t := range targets {
		links[i] = byEdge[topology.Edge{From: int(from), To: int(t)}]
		any = any || links[i] != nil
	}
	if any {
		p.links = links
	}
}

// linkOf is the link call c crosses, by its caller's policy p: the
// target's for a load balancer's call, else the policy's only one.
func (p *policy) linkOf(pick int32) *link {
	if pick >= 0 {
		return p.links[pick]
	}
	return p.links[0]
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

// answerLink is the link call cr's answer crosses, by its caller's policy
// p. A call from a load balancer remembers its target's index in pick,
// unless the callee is itself a load balancer, which keeps its own picks
// there: then the callee is looked up among the targets.
func (s *Sim) answerLink(p *policy, cr *rec) *link {
	if len(p.links) == 1 {
		return p.links[0]
	}
	if s.comps[cr.comp].lb == nil {
		return p.links[cr.pick]
	}
	for i, t := range s.comps[s.recs.at(cr.parent).comp].lb.targets {
		if t == cr.comp {
			return p.links[i]
		}
	}
	return nil
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
	l := s.answerLink(p, cr)
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
// after the callee.
func (s *Sim) linkColumns(k *component) []column {
	var cols []column
	for _, l := range s.links {
		if &s.comps[l.edge.From] != k {
			continue
		}
		suffix := "." + s.comps[l.edge.To].name
		cur := &l.cur
		cols = append(cols,
			column{"link_sent" + suffix, func(*view) float64 { return float64(cur.sent) }},
			column{"link_lost_requests" + suffix, func(*view) float64 { return float64(cur.lostRequests) }},
			column{"link_lost_responses" + suffix, func(*view) float64 { return float64(cur.lostResponses) }},
			column{"link_delay_mean_s" + suffix, func(*view) float64 {
				if cur.crossed == 0 {
					return math.NaN()
				}
				return cur.delay.Seconds() / float64(cur.crossed)
			}})
	}
	return cols
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
// the scenario's edges.
func (s *Sim) linkSummary() []results.Link {
	var out []results.Link
	for _, l := range s.links {
		m := l.tot
		m.add(&l.warmup, -1)
		r := results.Link{
			From: s.comps[l.edge.From].name, To: s.comps[l.edge.To].name,
			Sent: m.sent, LostRequests: m.lostRequests, LostResponses: m.lostResponses,
		}
		if m.crossed > 0 {
			r.DelayMeanS = m.delay.Seconds() / float64(m.crossed)
			r.DelayP99S = l.delays.Quantile(0.99)
		}
		out = append(out, r)
	}
	return out
}
