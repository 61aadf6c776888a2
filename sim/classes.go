package sim

import (
	"math"

	"github.com/failsim/failsim/sim/metrics"
	"github.com/failsim/failsim/sim/results"

	"math/rand/v2"

	"github.com/failsim/failsim/sim/des"

	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/topology"
)

// Request classes. A client with operations draws each logical request's
// class from their weights (its own stream, `NAME/classes`, so that a client
// without classes draws as before), and the class rides on every record
// made for the request (rec.class, the class's index in the scenario + 1):
// the client uses the class's policy, servers the class's steps and
// service time, and queues and limits its criticality.

// clientClass is one class of a client: its policy, and its own books,
// kept as a component's so that every client metric has a per-class twin.
type clientClass struct {
	name   string
	crit   topology.Criticality
	cum    float64 // the weights of this class and those before it, over the total
	policy policy
	k      component // only its name and stats are used: the class's view of the client
	view   view
}

// newClasses sets up client cl's classes, the first of which is the
// scenario's class base (its index).
func (s *Sim) newClasses(cl *client, name string, c *topology.Client, base int) {
	if len(c.Classes) == 0 {
		return
	}
	cl.classBase = int32(base)
	cl.classDraw = random.Stream(s.seed, name, "classes")
	var total, sum float64
	for _, x := range c.Classes {
		total += x.Weight
	}
	for _, x := range c.Classes {
		sum += x.Weight
		cc := &clientClass{name: x.Name, crit: x.Criticality, cum: sum / total, policy: newPolicy(s, x.Target, x.Call)}
		cc.k.name = name + "." + x.Name
		cc.k.kind = topology.KindClient
		cc.k.stats = &stats{}
		cc.k.stats.init()
		cl.classes = append(cl.classes, cc)
	}
	cl.classes[len(cl.classes)-1].cum = 1
}

// drawClass picks logical request r's class at client cl.
func (s *Sim) drawClass(cl *client, r *rec) {
	u := cl.classDraw.Float64()
	i := 0
	for i < len(cl.classes)-1 && u >= cl.classes[i].cum {
		i++
	}
	r.class = uint8(int(cl.classBase) + i + 1)
}

// classOf is the class of client job r, nil when it has none.
func (s *Sim) classOf(k *component, r *rec) *clientClass {
	if r.class == 0 || k.client == nil {
		return nil
	}
	return k.client.classes[int32(r.class)-1-k.client.classBase]
}

// classStats is the per-class books of client job r, nil when it has no
// class.
func (s *Sim) classStats(k *component, r *rec) *stats {
	if cc := s.classOf(k, r); cc != nil {
		return cc.k.stats
	}
	return nil
}

// serverClasses is what request classes change at one server: the calls
// each makes and its service time, by class (index + 1), nil where the class
// changes nothing; and how many calls of each class name may be inside at
// once (the classes of several clients share their name's bulkhead).
type serverClasses struct {
	calls  [][]bool
	work   []*random.Dist
	name   []int32 // by class: its name's index in limit and inside
	limit  []int32 // by name: 0 for no limit
	inside []int32 // by name
}

// enter and leave count call c's class inside the server.
func (sc *serverClasses) enter(class uint8) { sc.inside[sc.name[class]]++ }
func (sc *serverClasses) leave(class uint8) { sc.inside[sc.name[class]]-- }

// newServerClasses reads the classes' paths through server i and its class
// bulkheads; nil when no class changes anything there.
func (s *Sim) newServerClasses(i int, sv *server, classes []*topology.Class, work *rand.Rand) {
	t := s.sc.Components[i].Server
	sc := &serverClasses{calls: make([][]bool, len(classes)+1), work: make([]*random.Dist, len(classes)+1),
		name: make([]int32, len(classes)+1), limit: []int32{0}, inside: []int32{0}}
	names := map[string]int32{}
	used := false
	for ci, c := range classes {
		n, ok := names[c.Name]
		if !ok {
			n = int32(len(sc.limit))
			names[c.Name] = n
			sc.limit, sc.inside = append(sc.limit, 0), append(sc.inside, 0)
		}
		sc.name[ci+1] = n
		for _, p := range c.Paths {
			if p.Server != i {
				continue
			}
			used = true
			sc.calls[ci+1] = p.Calls
			if p.Work != nil {
				d := random.NewDist(*p.Work, work)
				sc.work[ci+1] = &d
			}
		}
		if b, ok := t.ClassBulkheads[c.Name]; ok {
			used = true
			sc.limit[n] = int32(b)
		}
	}
	if used {
		sv.cls = sc
	}
}

// skips reports whether job r's class leaves out the step at r.step.
func (sv *server) skips(r *rec) bool {
	if sv.cls == nil {
		return false
	}
	calls := sv.cls.calls[r.class]
	return calls != nil && !calls[r.step]
}

// classFull reports whether call c's class has all its places at k taken.
func (s *Sim) classFull(k *component, c int32) bool {
	cr := s.recs.at(c)
	cls := k.srv.cls
	n := cls.name[cr.class]
	return cr.class != 0 && cls.limit[n] > 0 && cls.inside[n] >= cls.limit[n]
}

// retriedAfter reports whether a call of class class may be retried after
// outcome o: a sheddable call refused is not (the SRE book's "Handling
// Overload": retrying what an overloaded server shed only adds to it).
func (s *Sim) retriedAfter(class uint8, o outcome) bool {
	return o != rejected || class == 0 || s.crit[class].Retried()
}

// prioQueue is a server's queue by criticality (queue.by_criticality): one
// deque per level, served highest first, each in the queue's discipline;
// each holds tombstones of calls that left it early, as the plain queue does.
type prioQueue struct {
	levels [topology.CriticalPlus + 1]deque
	live   [topology.CriticalPlus + 1]int32
	out    int32 // a call pushed out to make room, to be refused; -1 for none
}

// prioPush queues job c at its criticality. A level with nobody waiting
// holds only tombstones: they go first, so that a level that is always
// pushed out does not grow.
func (s *Sim) prioPush(sv *server, c int32) {
	l := s.crit[s.recs.at(c).class]
	q := &sv.prio.levels[l]
	if sv.prio.live[l] == 0 {
		for q.len() > 0 {
			s.recs.release(q.popFront()) // the queue's hold on a tombstone
		}
	}
	q.push(c)
	sv.prio.live[l]++
}

// pop takes the next entry of the highest level with a call waiting: a
// job, or a tombstone (dequeue skips it).
func (p *prioQueue) pop(lifo bool) int32 {
	for l := len(p.levels) - 1; l >= 0; l-- {
		if p.live[l] == 0 {
			continue
		}
		if lifo {
			return p.levels[l].popBack()
		}
		return p.levels[l].popFront()
	}
	panic("sim: a criticality queue with calls waiting has none in any level")
}

// pushOut makes room at k for call c when its queue is full or its
// concurrency limit reached: with queue.by_criticality, the oldest waiting
// call of the lowest criticality below c's leaves the queue, to be refused
// (shed) once c is in (shedPushedOut), so that nothing its refusal sets off
// upstream can take c's place. It reports whether it made room.
func (s *Sim) pushOut(k *component, c int32) bool {
	p := k.srv.prio
	if p == nil {
		return false
	}
	mine := s.crit[s.recs.at(c).class]
	for l := range mine {
		for p.live[l] > 0 {
			v := p.levels[l].popFront()
			live := s.recs.at(v).flags&queued != 0
			if live {
				s.leaveQueue(k, v)
				p.out = v
			}
			s.recs.release(v) // the queue's hold; the victim is still inside k until it is refused
			if live {
				return true
			}
		}
	}
	return false
}

// shedPushedOut refuses the call pushOut took out of k's queue, if any.
func (s *Sim) shedPushedOut(k *component) {
	if p := k.srv.prio; p != nil && p.out >= 0 {
		v := p.out
		p.out = -1
		k.stats.cur.shed++
		s.answer(v, rejected)
	}
}

// classCriticalities lists the criticality of every class of the
// scenario, by class (index + 1); index 0 is a call without a class.
func classCriticalities(sc *topology.Scenario) []topology.Criticality {
	out := []topology.Criticality{topology.Critical}
	for _, x := range sc.Classes() {
		out = append(out, x.Criticality)
	}
	return out
}

// classColumns are a client's metrics once more for each of its classes,
// named METRIC.CLASS, computed from the class's own books.
func (s *Sim) classColumns(k *component) []column {
	var cols []column
	for _, cc := range k.client.classes {
		for _, list := range [][]column{commonColumns, clientColumns, callerColumns} {
			for _, col := range list {
				cols = append(cols, fromState(col.name+"."+cc.name, func(*view) float64 { return col.value(&cc.view) }))
			}
		}
	}
	return cols
}

// openClassViews closes each class's levels for the bucket [end-w, end)
// into its view, for its columns. A class's amplification is its attempts
// per logical request of its own.
func (s *Sim) openClassViews(cl *client, end des.Time, w des.Time) {
	for _, cc := range cl.classes {
		st := cc.k.stats
		v := &cc.view
		*v = view{st: st, c: &st.cur, width: w.Seconds(), now: end, amp: math.NaN()}
		if st.cur.logical > 0 {
			v.amp = float64(st.cur.arrivals) / float64(st.cur.logical)
		}
		v.in[0], v.in[1] = st.inSys.Close(end, w)
	}
}

// closeClassViews adds each class's bucket to its totals and starts the
// next.
func closeClassViews(cl *client) {
	for _, cc := range cl.classes {
		st := cc.k.stats
		st.tot.add(&st.cur)
		st.cur = counts{}
		st.lat.Reset()
	}
}

// classSummaries are the clients' statistics of each request class, by
// name: the classes of several clients with one name add up. Nil without
// classes.
func (s *Sim) classSummaries() map[string]results.Clients {
	var out map[string]results.Clients
	lats := map[string]*metrics.Histogram{}
	var order []string
	for i := range s.comps {
		cl := s.comps[i].client
		if cl == nil {
			continue
		}
		for _, cc := range cl.classes {
			if out == nil {
				out = map[string]results.Clients{}
			}
			c, seen := out[cc.name]
			if !seen {
				order = append(order, cc.name)
				lats[cc.name] = metrics.NewHistogram(3)
				c.Criticality = cc.crit.String()
			} else if c.Criticality != cc.crit.String() {
				c.Criticality = "mixed"
			}
			addClient(&c, cc.k.stats)
			lats[cc.name].Merge(cc.k.stats.latTot)
			out[cc.name] = c
		}
	}
	for _, name := range order {
		c := out[name]
		s.rates(&c, lats[name])
		out[name] = c
	}
	return out
}
