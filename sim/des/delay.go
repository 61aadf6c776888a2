package des

// delayKind marks the heap event of a Delay's head; models use kinds below it.
const delayKind Kind = 255

// Delay is a family of timers that all run for the same duration and fire
// the same kind of event for the same component, such as the timeouts of
// one caller. Set in time order, they expire in that order, so they wait in
// a FIFO and only the earliest live one has an event in the heap. A timeout
// cancelled before it fires, the common case, then never touches the heap:
// setting and cancelling it is O(1), its cancellation is a flag in the FIFO
// (read in order, cache-friendly, when the head comes due), and tens of
// thousands of pending timeouts do not slow every other event down.
type Delay struct {
	d     Time
	kind  Kind
	comp  int32
	id    int32
	ring  []delayed
	head  int
	size  int
	first uint32 // the number of the timer at the head, modulo 2^32
	armed bool   // the heap holds an event for the head
}

type delayed struct {
	at        Time
	ref       int32
	cancelled bool
}

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
		q.grow()
	}
	q.ring[(q.head+q.size)%len(q.ring)] = delayed{at: at, ref: ref}
	n := q.first + uint32(q.size)
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
	off := n - q.first
	if off >= uint32(q.size) {
		return nil
	}
	return &q.ring[(q.head+int(off))%len(q.ring)]
}

func (q *Delay) grow() {
	n := make([]delayed, max(16, 2*len(q.ring)))
	for i := range q.size {
		n[i] = q.ring[(q.head+i)%len(q.ring)]
	}
	q.ring, q.head = n, 0
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
	if q.size > 0 {
		q.armed = true
		s.push(Event{At: q.ring[q.head].at, Kind: delayKind, Comp: q.id})
	}
	return e, ok
}

func (q *Delay) dropCancelled() {
	for q.size > 0 && q.ring[q.head].cancelled {
		q.pop()
	}
}

func (q *Delay) pop() {
	q.head = (q.head + 1) % len(q.ring)
	q.size--
	q.first++
}
