package des

// delayKind marks the heap event of a Delay's head; models use kinds below it.
const delayKind Kind = 255

// Delay is a family of timers that all run for the same duration and fire
// the same kind of event for the same component, such as the timeouts of
// one caller. Set in time order, they expire in that order, so they wait in
// a FIFO and only the earliest live one has an event in the heap. A timeout
// cancelled before it fires, the common case, then never touches the heap:
// setting and cancelling it is O(1), its cancellation is a mark in the FIFO
// (read in order, cache-friendly, when the head comes due), and tens of
// thousands of pending timeouts do not slow every other event down.
//
// Cancelled timers stay in the FIFO until the head reaches them, unless the
// FIFO fills while at least half of it is cancelled: then it drops them
// instead of growing (compact), so that its memory follows the live timers,
// not every timer set within the duration (an hour-long timeout at 200,000
// calls a second would otherwise keep 720 million of them).
type Delay struct {
	d    Time
	kind Kind
	comp int32
	id   int32
	ring []delayed // a power of two long
	head int
	size int
	next uint32 // the number the next timer gets, modulo 2^32
	// sparse counts the timers at the front of the FIFO that a compaction
	// kept: their numbers have gaps, so finding one is a binary search. The
	// timers behind them are numbered consecutively up to next-1.
	sparse    int
	cancelled int  // cancelled timers still in the FIFO
	armed     bool // the heap holds an event for the head
}

// delayed is one timer of a Delay. A cancelled one has a negative at.
type delayed struct {
	at  Time
	ref int32
	n   uint32 // its number, modulo 2^32
}

// minCompact is the smallest FIFO that compacts rather than grows: below it
// a FIFO just grows, as cheap in memory as it is in time.
const minCompact = 1024

// NewDelay returns a family of timers that fire an event of the given kind
// for comp, d after they are set. Kind must be below 255.
func (s *Scheduler) NewDelay(d Time, kind Kind, comp int32) *Delay {
	q := &Delay{d: d, kind: kind, comp: comp, id: int32(len(s.delays))}
	s.delays = append(s.delays, q)
	return q
}

// Duration is how long the delay's timers run.
func (q *Delay) Duration() Time { return q.d }

// After sets a timer of q for ref, firing at Now()+q.Duration(); Cancel
// takes it back like any Timer.
func (s *Scheduler) After(q *Delay, ref int32) Timer {
	at := s.now + q.d
	if q.size == len(q.ring) {
		if q.size >= minCompact && 2*q.cancelled >= q.size {
			q.compact()
		} else {
			q.grow()
		}
	}
	n := q.next
	q.ring[(q.head+q.size)&(len(q.ring)-1)] = delayed{at: at, ref: ref, n: n}
	q.next++
	q.size++
	if !q.armed {
		q.armed = true
		s.push(Event{At: at, Kind: delayKind, Comp: q.id})
	}
	return Timer{id: -(q.id + 1), n: n}
}

// entry is the timer numbered n, or nil once it has left the FIFO. Numbers
// wrap around at 2^32, which is fine: a FIFO never holds that many.
func (q *Delay) entry(n uint32) *delayed {
	mask := len(q.ring) - 1
	// Most lookups are of recent timers, numbered consecutively at the back.
	if back := q.next - 1 - n; back < uint32(q.size-q.sparse) {
		return &q.ring[(q.head+q.size-1-int(back))&mask]
	}
	if q.sparse == 0 {
		return nil
	}
	// A timer that a compaction kept: search by number, relative to the
	// head's, among the sparse ones.
	first := q.ring[q.head].n
	want := n - first
	lo, hi := 0, q.sparse
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if q.ring[(q.head+m)&mask].n-first < want {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < q.sparse {
		if d := &q.ring[(q.head+lo)&mask]; d.n == n {
			return d
		}
	}
	return nil
}

// cancel marks d cancelled.
func (q *Delay) cancel(d *delayed) {
	if d.at >= 0 {
		d.at = -1
		q.cancelled++
	}
}

func (q *Delay) grow() {
	n := make([]delayed, max(16, 2*len(q.ring)))
	for i := range q.size {
		n[i] = q.ring[(q.head+i)&(len(q.ring)-1)]
	}
	q.ring, q.head = n, 0
}

// compact drops the cancelled timers, keeping the order of the others. The
// heap event of the head stays: if the head was dropped, it fires early,
// finds the new head not due, and arms again, as it would have when it
// dropped the cancelled head itself; so the heap sees the same pushes, in
// the same order, and a run the same events.
func (q *Delay) compact() {
	mask := len(q.ring) - 1
	kept := 0
	for i := range q.size {
		d := q.ring[(q.head+i)&mask]
		if d.at >= 0 {
			q.ring[(q.head+kept)&mask] = d
			kept++
		}
	}
	// The live timers set since the last gap are still consecutive.
	dense := 0
	for dense < kept && q.ring[(q.head+kept-1-dense)&mask].n == q.next-1-uint32(dense) {
		dense++
	}
	q.size, q.sparse, q.cancelled = kept, kept-dense, 0
}

// fire runs when the head's time has come: it drops the cancelled timers at
// the front, returns the first live one that is due, and puts an event for
// the next live one in the heap. ok is false when none is due now.
func (q *Delay) fire(s *Scheduler, now Time) (e Event, ok bool) {
	q.armed = false
	q.dropCancelled()
	if q.size > 0 && q.ring[q.head].at <= now {
		d := q.ring[q.head]
		q.pop()
		e, ok = Event{At: d.at, Kind: q.kind, Comp: q.comp, Ref: d.ref}, true
		// Those cancelled from now on are dropped when the next head comes.
		q.dropCancelled()
	}
	s.next, s.after = -1, -1
	if q.size > 0 {
		s.next = q.ring[q.head].ref
	}
	if q.size > 1 {
		s.after = q.ring[(q.head+1)&(len(q.ring)-1)].ref
	}
	if q.size > 0 {
		q.armed = true
		s.push(Event{At: q.ring[q.head].at, Kind: delayKind, Comp: q.id})
	}
	return e, ok
}

func (q *Delay) dropCancelled() {
	for q.size > 0 && q.ring[q.head].at < 0 {
		q.pop()
		q.cancelled--
	}
}

func (q *Delay) pop() {
	q.head = (q.head + 1) & (len(q.ring) - 1)
	q.size--
	if q.sparse > 0 {
		q.sparse--
	}
}
