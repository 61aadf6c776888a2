package sim

import (
	"math/rand/v2"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/limit"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/topology"
)

// server is a service or a database: a pool of workers (connections), a
// queue in front of it, and a handler that works, then makes its downstream
// calls in order while still holding the worker.
type server struct {
	workers       int32 // as configured
	capacity      int32 // workers now: fewer during a capacity fault, 0 when crashed
	busy          int32
	queue         deque // waiting jobs, and tombstones of jobs that left while waiting
	queued        int32 // waiting jobs
	queueCap      int32 // -1 for unbounded
	discipline    topology.Discipline
	lifoAbove     int32
	queueTimeout  des.Time
	expiryDelay   *des.Delay // the queue timeout or the database timeout, whichever is shorter
	limiter       *limit.Limiter
	work          random.Dist
	workDraw      *rand.Rand // the stream work draws from, request classes' service times included
	errRate       float64    // as configured
	errProb       float64    // now, with the error faults in progress
	errs          *rand.Rand
	timeout       des.Time // longest a call may spend here, waiting included; 0 for none
	slowdown      topology.Slowdown
	calls         []policy
	abortOnCancel bool
	overhead      des.Time // kept back from propagated deadlines
	cache         *cache
	steps         *rand.Rand // draws for calls made by a fraction of jobs
	sources       []int32    // the durable queues it consumes
	nextSource    int32      // the queue it pulls from next

	state *serverState   // idempotency keys and partial failures, or nil
	cls   *serverClasses // what request classes change here, or nil (classes.go)
	prio  *prioQueue     // waiting calls by criticality, with queue.by_criticality; nil otherwise
	keyed *keyed         // a database's keyed records, or nil

	// Effects of the faults in progress.
	down   bool
	factor float64
	extra  des.Time

	standby    bool     // a replica its load balancers do not pick: not scaled up, or scaled down
	warmUntil  des.Time // a new replica works warmFactor times slower until then (a cold start)
	warmFactor float64
}

func newServer(s *Sim, c topology.Component) *server {
	t := c.Server
	workDraw := random.Stream(s.seed, c.Name, "work")
	sv := &server{
		workers:       int32(t.Workers),
		capacity:      int32(t.Workers),
		queueCap:      int32(t.Queue.Capacity),
		discipline:    t.Queue.Discipline,
		lifoAbove:     int32(t.Queue.LIFOAbove),
		queueTimeout:  des.FromDuration(t.Queue.Timeout),
		abortOnCancel: t.AbortOnCancel,
		overhead:      des.FromDuration(t.DeadlineOverhead),
		work:          random.NewDist(t.Work, workDraw),
		workDraw:      workDraw,
		errRate:       t.ErrorRate,
		errProb:       t.ErrorRate,
		errs:          random.Stream(s.seed, c.Name, "errors"),
		timeout:       des.FromDuration(t.Timeout),
		slowdown:      t.Slowdown,
		factor:        1,
		standby:       c.Standby,
	}
	for _, call := range t.Calls {
		p := newPolicy(s, call.To, call.CallPolicy)
		p.fraction, p.bulkhead = call.Fraction, int32(call.Bulkhead)
		sv.calls = append(sv.calls, p)
	}
	s.newGroups(c.Name, t, sv.calls)
	if t.Queue.ByCriticality {
		sv.prio = &prioQueue{out: -1}
	}
	sv.steps = random.Stream(s.seed, c.Name, "steps")
	if t.Cache != nil {
		sv.cache = newCache(s.seed, c.Name, t.Cache)
	}
	if t.Limit != nil {
		sv.limiter = limit.New(*t.Limit)
	}
	if t.Records != nil {
		sv.keyed = newKeyed(s.seed, c.Name, t.Records)
	}
	if at := sv.expiry(0); at < des.Never {
		sv.expiryDelay = s.sched.NewDelay(at, evExpire, 0)
	}
	return sv
}

func (s *Sim) serverArrive(k *component, c int32) {
	sv := k.srv
	switch {
	case sv.down:
		s.answer(c, rejected)
	case s.replayed(k, c): // its key is stored: the stored result, no work
		s.answer(c, ok)
	case sv.cls != nil && s.classFull(k, c):
		k.stats.cur.shed++
		s.answer(c, rejected)
	case sv.limiter != nil && !sv.limiter.Admit(int(k.held)) && !s.pushOut(k, c):
		k.stats.cur.shed++
		s.answer(c, rejected)
	case sv.busy < sv.capacity:
		s.admit(k, c)
		s.startWork(k, c)
	case sv.queueCap < 0 || sv.queued < sv.queueCap || s.pushOut(k, c):
		s.admit(k, c)
		s.enqueue(k, c)
	default:
		s.answer(c, rejected)
	}
	if sv.prio != nil {
		s.shedPushedOut(k)
	}
}

// admit lets call c in.
func (s *Sim) admit(k *component, c int32) {
	s.link(k, c)
	cr := s.recs.at(c)
	cr.peers = int32(k.held)
	if cr.class != 0 && k.srv.cls != nil {
		k.srv.cls.enter(cr.class)
	}
}

// enqueue puts job c in the queue. The queue holds its own reference to c,
// because c can leave while its entry is still in the queue (it expires or
// is cancelled): the entry stays as a tombstone, skipped when it reaches an
// end.
func (s *Sim) enqueue(k *component, c int32) {
	sv := k.srv
	cr := s.recs.at(c)
	if sv.prio != nil {
		s.prioPush(sv, c)
	} else {
		sv.queue.push(c)
	}
	sv.queued++
	cr.flags |= queued
	cr.refs++
	k.stats.queue.Add(s.now(), 1)
	s.trace(TraceQueued, c, ok, 0)
	if sv.expiryDelay != nil { // calls queue as they arrive: expiry is sent plus a fixed wait
		cr.wait = s.sched.After(sv.expiryDelay, c)
	}
}

// expiry is when a call that arrived at sent must leave the queue: the queue
// timeout, or the database timeout, whichever comes first; Never without.
func (sv *server) expiry(sent des.Time) des.Time {
	at := des.Never
	if sv.queueTimeout > 0 {
		at = sent + sv.queueTimeout
	}
	if sv.timeout > 0 {
		at = min(at, sent+sv.timeout)
	}
	return at
}

// expire drops a job that waited in the queue as long as it may: shed
// (refused, as an overloaded server does) when the queue timeout ran out,
// failed when the database timeout did.
func (s *Sim) expire(c int32) {
	cr := s.recs.at(c)
	k := &s.comps[cr.comp]
	s.leaveQueue(k, c)
	if sv := k.srv; sv.queueTimeout > 0 && (sv.timeout == 0 || sv.queueTimeout <= sv.timeout) {
		k.stats.cur.shed++
		s.answer(c, rejected)
		return
	}
	s.answer(c, failed)
}

// leaveQueue takes waiting job c out of the queue; its entry stays as a
// tombstone.
func (s *Sim) leaveQueue(k *component, c int32) {
	cr := s.recs.at(c)
	cr.flags &^= queued
	k.srv.queued--
	if p := k.srv.prio; p != nil {
		p.live[s.crit[cr.class]]--
	}
	k.stats.queue.Add(s.now(), -1)
	s.sched.Cancel(cr.wait)
}

// startWork gives job c a worker and draws how long its work takes: the
// distribution, slowed by the load (Universal Scalability Law and linear
// contention, with n calls in service) and by the faults in progress. A
// server timeout cuts the work short.
func (s *Sim) startWork(k *component, c int32) {
	sv := k.srv
	now := s.now()
	sv.busy++
	k.stats.busy.Add(now, 1)
	cr := s.recs.at(c)
	cr.flags |= working | computing
	cr.start = now
	n := float64(sv.busy)
	sd := sv.slowdown
	work := &sv.work
	if cr.class != 0 && sv.cls != nil && sv.cls.work[cr.class] != nil {
		work = sv.cls.work[cr.class]
	}
	d := work.Sample()*sv.factor*(1+sd.Sigma*(n-1)+sd.Kappa*n*(n-1)) + sd.PerCall.Seconds()*n
	if now < sv.warmUntil {
		d *= sv.warmFactor
	}
	w := des.FromSeconds(d) + sv.extra
	if sv.timeout > 0 && now+w > cr.sent+sv.timeout {
		w = cr.sent + sv.timeout - now
		cr.flags |= cutShort
	}
	if sv.abortOnCancel && cr.due > 0 && now+w > cr.due { // a context that expires stops the work
		w = cr.due - now
		cr.flags |= pastDue
	}
	cr.work = w
	if sv.keyed != nil && cr.write != 0 {
		s.read(sv.keyed, c)
	}
	s.trace(TraceWork, c, ok, 0)
	cr.wait = s.sched.SetTimer(now+w, evWorkDone, 0, c)
}

func (s *Sim) workDone(c int32) {
	cr := s.recs.at(c)
	cr.flags &^= computing
	k := &s.comps[cr.comp]
	sv := k.srv
	switch {
	case cr.flags&cancelled != 0: // its caller gave up and said so: no downstream calls
		s.finishJob(k, c, cancelledCall)
	case cr.flags&pastDue != 0:
		k.stats.cur.deadlineExceeded++
		s.finishJob(k, c, failed)
	case cr.flags&cutShort != 0:
		s.finishJob(k, c, failed)
	case sv.errProb > 0 && sv.errs.Float64() < sv.errProb:
		s.finishJob(k, c, failed)
	case sv.keyed != nil && cr.write != 0 && s.conflicted(k, c):
		s.finishJob(k, c, failed)
	case sv.cache != nil:
		s.cacheLookup(k, c)
	case len(sv.calls) > 0:
		cr.step = 0
		s.nextStep(k, c)
	default:
		s.finishJob(k, c, ok)
	}
}

// stepDone continues job c after one of its downstream calls ended: the next
// step, or the answer. Any failed step fails the job.
func (s *Sim) stepDone(c int32, o outcome) {
	cr := s.recs.at(c)
	k := &s.comps[cr.comp]
	switch {
	case cr.flags&member != 0:
		s.memberDone(k, c, o)
		return
	case cr.flags&repairing != 0:
		s.repairDone(k, c, o)
		return
	case cr.flags&compensating != 0:
		s.compensated(k, c, o)
		return
	case o != ok && s.partialFailure(k, c):
		return
	case o != ok:
		s.finishJob(k, c, failed)
		return
	}
	cr.step++
	s.nextStep(k, c)
}

func (s *Sim) finishJob(k *component, c int32, o outcome) {
	if o == ok && s.recs.at(c).write != 0 {
		s.tookEffect(k, c)
	}
	s.releaseWorker(k, c, false)
	s.answer(c, o)
	s.startQueued(k)
}

// releaseWorker frees job c's worker. Its service time was wasted when the
// work was lost (a crash) or nobody wanted its result any more; time spent
// waiting on downstream calls held the worker (busy) but was not work.
func (s *Sim) releaseWorker(k *component, c int32, lost bool) {
	now := s.now()
	cr := s.recs.at(c)
	if cr.flags&computing != 0 {
		cr.work = now - cr.start // cut off by a crash
	}
	cr.flags &^= working | computing
	k.srv.busy--
	k.stats.busy.Add(now, -1)
	if lost || s.recs.orphaned(c) {
		k.stats.cur.wasted += cr.work.Seconds()
	}
}

// startQueued gives free workers to queued jobs, in the queue's order. A
// job whose propagated deadline has passed is dropped instead: nobody waits
// for its result.
func (s *Sim) startQueued(k *component) {
	sv := k.srv
	for sv.busy < sv.capacity && sv.queued > 0 {
		c := s.dequeue(k)
		switch {
		case c < 0:
		case s.recs.at(c).due > 0 && s.now() >= s.recs.at(c).due:
			k.stats.cur.deadlineExceeded++
			s.answer(c, failed)
		default:
			s.startWork(k, c)
		}
	}
	if len(sv.sources) > 0 {
		s.pull(k)
	}
}

// dequeue takes the next entry from the queue: a waiting job, or -1 for a
// tombstone. FIFO serves the oldest first, LIFO the newest, and adaptive
// LIFO the newest while more than lifoAbove wait (under overload the newest
// are the ones whose callers are still waiting) and the oldest otherwise.
func (s *Sim) dequeue(k *component) int32 {
	sv := k.srv
	var c int32
	lifo := sv.discipline == topology.LIFO || (sv.discipline == topology.AdaptiveLIFO && sv.queued > sv.lifoAbove)
	switch {
	case sv.prio != nil:
		c = sv.prio.pop(lifo)
	case lifo:
		c = sv.queue.popBack()
	default:
		c = sv.queue.popFront()
	}
	if sv.prio == nil { // the next to leave the queue waited as long: start loading it
		s.recs.prefetch(sv.queue.peek(lifo))
	}
	live := s.recs.at(c).flags&queued != 0
	if live {
		s.leaveQueue(k, c)
	}
	s.recs.release(c) // the queue's hold
	if !live {
		return -1
	}
	return c
}
