package sim

import (
	"math/rand/v2"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/sim/retry"
	"github.com/failsim/failsim/topology"
)

// book is what the engine keeps about state: which calls are writes, and,
// for each record in use, what the state rules need. It is indexed by
// record, so it grows with the records in flight, never with the requests
// simulated.
type book struct {
	nonIdempotent []bool      // by write slot: running it twice has two effects
	conditional   []bool      // by write slot: it commits only if its record's version is the one it read
	recs          []recState  // by record
	effects       []uint16    // by root record * slots + slot: times the write took effect for the logical request
	nextID        uint64      // the next logical request's number
	into          map[int]int // component -> how many write calls can reach it (for its columns)
}

// recState is what a record needs beyond the request model.
type recState struct {
	id         uint64   // roots: the logical request's number, its idempotency key's stem
	openedAt   des.Time // when the inconsistent outcome it holds opened
	prev, next int32    // the component's list of open inconsistent outcomes, oldest first
	repairs    int32    // repairs: attempts made so far
}

// at returns record i's state, growing the book to hold it.
func (b *book) at(i int32) *recState {
	for int(i) >= len(b.recs) {
		b.recs = append(b.recs, recState{})
	}
	return &b.recs[i]
}

// begin gives logical request r its number and clears its effects.
func (b *book) begin(r int32) {
	b.at(r).id = b.nextID
	b.nextID++
	n := len(b.nonIdempotent)
	for len(b.effects) < (int(r)+1)*n {
		b.effects = append(b.effects, 0)
	}
	clear(b.effects[int(r)*n : (int(r)+1)*n])
}

// serverState is a service's or database's state rules: its idempotency key
// store and what its handler does about partial failures.
type serverState struct {
	keys    *keyStore // nil without idempotency keys
	partial topology.PartialFailure
	risk    bool // its handler can fail after a write step succeeded
	repair  topology.Backoff
	rng     *rand.Rand // draws for repair backoff

	// Open inconsistent outcomes: those a record holds (a rollback under
	// way, a repair waiting), in a list oldest first, and those left for
	// good (no policy, or a rollback that failed), with the oldest's time.
	head, tail int32
	held       int64
	stuck      int64
	stuckSince des.Time
}

// initState reads the state rules: numbers every write call (instances of a
// service share their calls' numbers, so that a write retried on another
// instance is the same write), and sets up key stores and partial failure
// handling. Scenarios without writes, hedges or fallbacks keep none of it.
func (s *Sim) initState() {
	slots := map[*topology.CallPolicy]uint16{}
	var nonIdem, conditional []bool
	into := map[int]int{}
	slot := func(p *topology.CallPolicy, callees []int) uint16 {
		if p.Write == topology.WriteNone {
			return 0
		}
		if n, ok := slots[p]; ok {
			return n
		}
		nonIdem = append(nonIdem, p.Write.Repeats())
		conditional = append(conditional, p.Write == topology.WriteConditional)
		slots[p] = uint16(len(nonIdem))
		for _, to := range callees {
			for _, t := range s.targets(to) {
				into[t]++
			}
		}
		return slots[p]
	}
	hedged := false
	for i := range s.sc.Components {
		c := &s.sc.Components[i]
		k := &s.comps[i]
		for pi, p := range k.policies() {
			hedged = hedged || p.hedge != nil
			switch {
			case c.Client != nil && pi > 0: // a request class
				x := &c.Client.Classes[pi-1]
				p.write = slot(&x.Call, []int{x.Target})
			case c.Client != nil:
				p.write = slot(&c.Client.Call, []int{c.Client.Target})
			case c.Server != nil:
				p.write = slot(&c.Server.Calls[pi].CallPolicy, c.Server.Calls[pi].Callees())
			}
		}
	}
	if hedged {
		s.hedges = []hedgeSet{}
	}
	if len(nonIdem) == 0 {
		return
	}
	s.book = &book{nonIdempotent: nonIdem, conditional: conditional, into: into}
	for i := range s.sc.Components {
		c := &s.sc.Components[i]
		if c.Server == nil {
			continue
		}
		t := c.Server
		st := &serverState{partial: t.OnPartialFailure, risk: topology.PartialFailureRisk(t.Calls), repair: t.Repair,
			head: -1, tail: -1, rng: random.Stream(s.seed, c.Name, "repair")}
		if t.IdempotencyKeys != nil {
			st.keys = newKeyStore(des.FromDuration(t.IdempotencyKeys.TTL), t.IdempotencyKeys.Durable)
		}
		s.comps[i].srv.state = st
	}
}

// targets are the components a call to comp can reach: a balancer's
// targets, or comp itself.
func (s *Sim) targets(comp int) []int {
	if b := s.sc.Components[comp].Balancer; b != nil {
		return b.Targets
	}
	return []int{comp}
}

// writeOf is the write a call that job r makes with policy p carries: the
// policy's, the one a balancer forwards, none for a compensation.
func writeOf(r *rec, p *policy) uint16 {
	switch {
	case r.flags&compensating != 0:
		return 0
	case p.to < 0: // a balancer forwards the call it was given
		return r.write
	}
	return p.write
}

// root is the logical request that record i serves.
func (rs *records) root(i int32) int32 {
	for rs.at(i).parent >= 0 {
		i = rs.at(i).parent
	}
	return i
}

// key is the idempotency key of write call c: the logical request's number
// and the write's slot. Every attempt of that write, at any layer, carries it.
func (s *Sim) key(c int32) uint64 {
	slots := uint64(len(s.book.nonIdempotent))
	return s.book.at(s.recs.root(c)).id*slots + uint64(s.recs.at(c).write-1)
}

// replayed answers write call c from the key store when its key is there:
// the write already took effect, and the stored result is sent back.
func (s *Sim) replayed(k *component, c int32) bool {
	st := k.srv.state
	if st == nil || st.keys == nil || s.recs.at(c).write == 0 || !st.keys.has(s.now(), s.key(c)) {
		return false
	}
	k.stats.cur.deduplicated++
	return true
}

// tookEffect is write call c completing at k. With idempotency keys, the
// key is stored in the same transaction as the write: if another execution
// stored it first, this one takes no effect. Otherwise the write takes
// effect, and a non-idempotent write that already took effect for the same
// logical request is a duplicate side effect.
func (s *Sim) tookEffect(k *component, c int32) {
	st := k.srv.state
	if st != nil && st.keys != nil {
		key := s.key(c)
		if st.keys.has(s.now(), key) {
			k.stats.cur.deduplicated++
			return
		}
		st.keys.put(s.now(), key)
	}
	k.stats.cur.writes++
	if kd := k.srv.keyed; kd != nil {
		kd.commit(s.recs.at(c).key)
	}
	slot := int(s.recs.at(c).write - 1)
	i := int(s.recs.root(c))*len(s.book.nonIdempotent) + slot
	if s.book.effects[i] < ^uint16(0) {
		s.book.effects[i]++
	}
	if s.book.effects[i] > 1 && s.book.nonIdempotent[slot] {
		k.stats.cur.duplicateWrites++
	}
}

// crashed loses what a crash loses: the key store, unless it is durable.
// Repairs are kept in stored state and go on.
func (st *serverState) crashed(k *component) {
	if st.keys != nil && !st.keys.durable {
		k.stats.cur.keysLost += int64(st.keys.clear())
	}
}

// partialFailure handles job c's failed step when an earlier step was a
// write that succeeded: the state is now inconsistent. It reports whether
// the policy took the job over; with none, the job just fails.
func (s *Sim) partialFailure(k *component, c int32) bool {
	st := k.srv.state
	cr := s.recs.at(c)
	if st == nil || s.writeBefore(k, int(cr.step)) < 0 {
		return false
	}
	k.stats.cur.inconsistent++
	now := s.now()
	switch st.partial {
	case topology.PartialRollback:
		cr.flags |= compensating
		s.open(st, c, now)
		cr.step = int32(s.writeBefore(k, int(cr.step)))
		s.invoke(c)
		return true
	case topology.PartialRetryStep:
		s.startRepair(st, c)
		s.finishJob(k, c, ok) // what succeeded is kept; the caller is answered
		return true
	}
	s.leave(st, now)
	return false
}

// stoppedMidway is job c stopped between its calls, its caller having
// cancelled it or its component crashed, after a write call succeeded: a
// partial failure too. No rollback can run (the handler is gone); a repair,
// kept with the data, still can.
func (s *Sim) stoppedMidway(k *component, c int32) {
	st := k.srv.state
	cr := s.recs.at(c)
	if st == nil || cr.flags&(working|computing) != working || s.writeBefore(k, int(cr.step)) < 0 {
		return
	}
	k.stats.cur.inconsistent++
	if st.partial == topology.PartialRetryStep {
		s.startRepair(st, c)
		return
	}
	s.leave(st, s.now())
}

// startRepair opens job c's inconsistent outcome on a repair record that
// will retry c's current step until it succeeds. The repair holds c, and
// through it the logical request, whose writes it may repeat.
func (s *Sim) startRepair(st *serverState, c int32) {
	cr := s.recs.at(c)
	rp := s.recs.alloc(c, cr.comp)
	r := s.recs.at(rp)
	r.flags |= repairing
	r.refs++ // the repair's own hold, until it succeeds
	r.step, r.class = cr.step, cr.class
	s.book.at(rp).repairs = 0
	s.open(st, rp, s.now())
	s.scheduleRepair(st, rp)
}

// writeBefore is the last write step of k's handler before step, or -1.
func (s *Sim) writeBefore(k *component, step int) int {
	for i := step - 1; i >= 0; i-- {
		if k.srv.calls[i].write != 0 {
			return i
		}
	}
	return -1
}

// compensated continues a rollback after compensating call o: the next
// earlier write, or the failure answer. A compensation that fails leaves
// the state inconsistent for good.
func (s *Sim) compensated(k *component, c int32, o outcome) {
	st := k.srv.state
	cr := s.recs.at(c)
	if o == ok {
		if prev := s.writeBefore(k, int(cr.step)); prev >= 0 {
			cr.step = int32(prev)
			s.invoke(c)
			return
		}
		k.stats.cur.repaired++
		s.close(st, c)
	} else {
		s.close(st, c)
		s.leave(st, s.book.at(c).openedAt)
	}
	cr.flags &^= compensating
	s.finishJob(k, c, failed)
}

// rollbackStopped is a rollback cut short (its caller cancelled, or the
// component crashed): the state stays inconsistent.
func (s *Sim) rollbackStopped(k *component, c int32) {
	st := k.srv.state
	s.recs.at(c).flags &^= compensating
	s.close(st, c)
	s.leave(st, s.book.at(c).openedAt)
}

// scheduleRepair waits before repair rp's next attempt: exponential backoff
// with full jitter, from the repair's base to its cap.
func (s *Sim) scheduleRepair(st *serverState, rp int32) {
	b := s.book.at(rp)
	r := s.recs.at(rp)
	r.backoff = retry.Wait(st.repair, int(b.repairs)+1, r.backoff, st.rng)
	r.wait = s.sched.SetTimer(s.now()+r.backoff, evRepair, 0, rp)
}

// repairDue sends repair rp's next attempt at its failed step, with the
// step's own timeout and retries.
func (s *Sim) repairDue(rp int32) {
	s.book.at(rp).repairs++
	s.comps[s.recs.at(rp).comp].stats.cur.repairAttempts++
	s.invoke(rp)
}

// repairDone ends repair rp when its attempt succeeded, or waits to try
// again: it keeps trying until it succeeds.
func (s *Sim) repairDone(k *component, rp int32, o outcome) {
	st := k.srv.state
	if o != ok {
		s.scheduleRepair(st, rp)
		return
	}
	k.stats.cur.repaired++
	s.close(st, rp)
	s.recs.release(rp)
}

// open adds an inconsistent outcome held by record i to k's list.
func (s *Sim) open(st *serverState, i int32, now des.Time) {
	b := s.book.at(i)
	b.openedAt, b.prev, b.next = now, st.tail, -1
	if st.tail >= 0 {
		s.book.at(st.tail).next = i
	} else {
		st.head = i
	}
	st.tail = i
	st.held++
}

// close takes record i's inconsistent outcome off the list.
func (s *Sim) close(st *serverState, i int32) {
	b := s.book.at(i)
	if b.prev >= 0 {
		s.book.at(b.prev).next = b.next
	} else {
		st.head = b.next
	}
	if b.next >= 0 {
		s.book.at(b.next).prev = b.prev
	} else {
		st.tail = b.prev
	}
	st.held--
}

// leave counts an inconsistent outcome, opened at since, that stays open
// for good.
func (s *Sim) leave(st *serverState, since des.Time) {
	if st.stuck == 0 || since < st.stuckSince {
		st.stuckSince = since
	}
	st.stuck++
}

// openNow is how many inconsistent outcomes are open at k, and the age of
// the oldest at now (0 when none is).
func (s *Sim) openNow(st *serverState, now des.Time) (n int64, oldest des.Time) {
	since := des.Never
	if st.stuck > 0 {
		since = st.stuckSince
	}
	if st.head >= 0 {
		since = min(since, s.book.at(st.head).openedAt)
	}
	if since == des.Never {
		return 0, 0
	}
	return st.held + st.stuck, now - since
}

// fallBack answers job j's failed call from its fallback, when the call has
// one, after the fallback's latency: the job goes on as if the call had
// succeeded, degraded. A compensation or a repair has none: their failure
// must be seen.
func (s *Sim) fallBack(j int32) bool {
	r := s.recs.at(j)
	if r.flags&(compensating|repairing) != 0 {
		return false
	}
	p := s.policyFor(r)
	if p.fallback == nil {
		return false
	}
	s.comps[r.comp].stats.cur.fallbacks++
	r.flags |= degraded
	if d := des.FromDuration(p.fallback.Latency); d > 0 {
		r.wait = s.sched.SetTimer(s.now()+d, evFallback, 0, j)
	} else {
		s.callDone(j, ok)
	}
	return true
}

// checkState checks the books of k's state mechanisms, with c its counts so
// far.
func (s *Sim) checkState(r *report, c *counts) error {
	if c.duplicateWrites > c.writes {
		return s.violated("conservation", "%s: %d duplicate writes among %d writes", r.name, c.duplicateWrites, c.writes)
	}
	var listed, held, stuck int64
	for _, m := range r.members {
		st := s.comps[m].stateOf()
		if st == nil {
			return nil
		}
		for i := st.head; i >= 0; i = s.book.at(i).next {
			listed++
		}
		held, stuck = held+st.held, stuck+st.stuck
	}
	if listed != held || c.inconsistent != c.repaired+held+stuck {
		return s.violated("conservation", "%s: %d inconsistent outcomes opened, %d repaired + %d held (%d listed) + %d left",
			r.name, c.inconsistent, c.repaired, held, listed, stuck)
	}
	return nil
}
