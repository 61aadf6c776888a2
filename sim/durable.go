package sim

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// durable is a durable queue: the times its waiting messages were stored,
// oldest first, and the deliveries to its consumers in progress.
type durable struct {
	msgs       ring
	capacity   int32 // -1 for no limit
	retention  des.Time
	deliveries []policy // one edge per consumer, its timeout the visibility timeout
	delivering int32
	expiry     des.Timer // the retention timer, set for the message at the front
	comp       int32     // the queue's own index, for its timer
	maxAge     des.Time  // the oldest a message was when it was acked or dropped
}

func newDurable(s *Sim, i int, q *topology.DurableQueue) *durable {
	d := &durable{capacity: int32(q.Capacity), retention: des.FromDuration(q.Retention), comp: int32(i)}
	for _, c := range q.Consumers {
		p := topology.CallPolicy{Timeout: q.VisibilityTimeout, Retry: topology.Retry{MaxAttempts: 1}}
		d.deliveries = append(d.deliveries, newPolicy(s, c, p))
		s.comps[c].srv.sources = append(s.comps[c].srv.sources, int32(i))
	}
	return d
}

// stored is how many messages the queue holds: waiting or out for delivery.
func (d *durable) stored() int32 { return int32(d.msgs.len()) + d.delivering }

// queueArrive is a producer's call c reaching queue k: stored and answered
// at once, or refused when the queue is full. A consumer with a free worker
// takes it at once.
func (s *Sim) queueArrive(k *component, c int32) {
	d := k.mq
	if d.capacity >= 0 && d.stored() >= d.capacity {
		s.answer(c, rejected)
		return
	}
	d.msgs.pushBack(s.now())
	k.stats.queue.Add(s.now(), 1)
	s.armExpiry(k)
	s.answer(c, ok)
	for _, p := range d.deliveries {
		if d.msgs.len() == 0 {
			break
		}
		s.pull(&s.comps[p.to])
	}
}

// pull is consumer k taking messages while one of its workers is free and
// nothing waits in its own queue, from its queues in turn.
func (s *Sim) pull(k *component) {
	sv := k.srv
	for free := sv.capacity - sv.busy; free > 0 && !sv.down && sv.queued == 0; free-- {
		var q int32 = -1
		for range sv.sources {
			i := sv.sources[sv.nextSource]
			sv.nextSource = (sv.nextSource + 1) % int32(len(sv.sources))
			if s.comps[i].mq.msgs.len() > 0 {
				q = i
				break
			}
		}
		if q < 0 {
			return
		}
		s.sendMessage(q, k)
	}
}

// sendMessage delivers the message at the front of queue q to consumer k: a
// delivery job at the queue, carrying the message's store time, makes one
// call to k.
func (s *Sim) sendMessage(q int32, k *component) {
	qk := &s.comps[q]
	d := qk.mq
	j := s.recs.alloc(-1, q)
	r := s.recs.at(j)
	r.sent = d.msgs.popFront()
	r.refs++ // the delivery's own hold, until its outcome is known
	for i := range d.deliveries {
		if &s.comps[d.deliveries[i].to] == k {
			r.step = int32(i)
		}
	}
	d.delivering++
	s.armExpiry(qk)
	s.invoke(j)
}

// delivered is the outcome of delivery job j: on success the message is
// deleted; otherwise (an error, a crash, no answer within the visibility
// timeout) it goes back to the front of the queue, to be delivered again.
func (s *Sim) delivered(j int32, o outcome) {
	r := s.recs.at(j)
	k := &s.comps[r.comp]
	d := k.mq
	d.delivering--
	switch {
	case o == ok:
		d.maxAge = max(d.maxAge, s.now()-r.sent)
		k.stats.cur.acked++
		k.stats.queue.Add(s.now(), -1)
	case d.retention > 0 && s.now()-r.sent >= d.retention:
		d.maxAge = max(d.maxAge, s.now()-r.sent)
		k.stats.cur.expired++
		k.stats.queue.Add(s.now(), -1)
	default:
		k.stats.cur.redelivered++
		d.msgs.pushFront(r.sent)
		s.armExpiry(k)
	}
	s.recs.release(j)
}

// armExpiry sets the retention timer for the message now at the front.
func (s *Sim) armExpiry(k *component) {
	d := k.mq
	if d.retention == 0 {
		return
	}
	s.sched.Cancel(d.expiry)
	if d.msgs.len() > 0 {
		d.expiry = s.sched.SetTimer(max(d.msgs.front()+d.retention, s.now()), evRetention, d.comp, 0)
	}
}

// expireMessages drops the messages at the front of queue i that were
// stored a retention ago or more. Messages sent back after a failed
// delivery can be older than the one behind them; each is dropped when it
// reaches the front.
func (s *Sim) expireMessages(i int32) {
	k := &s.comps[i]
	d := k.mq
	for d.msgs.len() > 0 && s.now()-d.msgs.front() >= d.retention {
		d.maxAge = max(d.maxAge, s.now()-d.msgs.popFront())
		k.stats.cur.expired++
		k.stats.queue.Add(s.now(), -1)
	}
	s.armExpiry(k)
}

// ring is a growable ring buffer of times.
type ring struct {
	buf        []des.Time
	head, size int
}

func (q *ring) len() int { return q.size }

func (q *ring) front() des.Time { return q.buf[q.head] }

func (q *ring) grow() {
	if q.size < len(q.buf) {
		return
	}
	n := make([]des.Time, max(16, 2*len(q.buf)))
	for i := range q.size {
		n[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = n, 0
}

func (q *ring) pushBack(t des.Time) {
	q.grow()
	q.buf[(q.head+q.size)%len(q.buf)] = t
	q.size++
}

func (q *ring) pushFront(t des.Time) {
	q.grow()
	q.head = (q.head - 1 + len(q.buf)) % len(q.buf)
	q.buf[q.head] = t
	q.size++
}

func (q *ring) popFront() des.Time {
	t := q.buf[q.head]
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return t
}
