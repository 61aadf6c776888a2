package des

// Kind tells the model what an event means; the scheduler never looks at it.
type Kind uint8

// Event is one occurrence handed to the model. Comp and Ref are the model's:
// typically a component index and a request record.
type Event struct {
	At   Time
	Kind Kind
	Comp int32
	Ref  int32
}

// Timer identifies a cancellable event. The zero Timer is not set; cancelling
// it, or a timer that has already fired or been cancelled, does nothing.
type Timer struct {
	id int32  // heap timer: slot + 1; Delay timer: -(the Delay's id + 1); 0: none
	n  uint32 // heap timer: the slot's generation; Delay timer: its number in the Delay, modulo 2^32
}

// The heap orders small keys; the payload of each pending event waits in a
// slot of a side slab. ord packs the sequence number above the slot index, so
// comparing (at, ord) compares (time, sequence) and the slot rides along.
type key struct {
	at  Time
	ord uint64
}

const (
	slotBits = 24
	slotMask = 1<<slotBits - 1
	maxSeq   = 1<<(64-slotBits) - 1
)

type slot struct {
	Event
	gen       uint32 // bumped each time the slot is released, to expire Timer handles
	cancelled bool
}

// Scheduler is the pending-event set and the clock. The zero value is ready to
// use at time 0. It holds at most 2^24 (16.7M) pending events and runs for at
// most 2^40 (10^12) events.
type Scheduler struct {
	now    Time
	heap   []key // 4-ary min-heap on (at, ord), root at index root
	seq    uint64
	slots  []slot
	free   []int32
	delays []*Delay

	// cancelled counts the cancelled timers still in the heap: when the heap
	// is full and half of it is cancelled, push drops them instead of
	// growing (compact).
	cancelled int

	// taken means the root was returned by Next but not yet removed. Most
	// handlers schedule an event, and putting it in the root's place costs one
	// sift instead of the two that a pop and a push take.
	taken bool

	// next and after are the refs of the timers that follow, in its FIFO,
	// the one the last Delay to fire handed out (Upcoming).
	next, after int32
}

// Now is the time of the event being processed.
func (s *Scheduler) Now() Time { return s.now }

// Upcoming names the refs of the two timers that follow, in their Delay, the
// timer whose event is being handled, or -1: the timers likely to fire next
// of that family (a cancelled one among them is named as any other). It is a
// hint for a model that wants what those events will read to be in the
// caches by then; it changes nothing.
func (s *Scheduler) Upcoming() (next, after int32) { return s.next, s.after }

// The root sits at index 3, so that each node's four children, 16 bytes
// each, fill exactly one 64-byte cache line: children of i are
// 4(i-2) .. 4(i-2)+3, and the parent of c is c/4+2. Capacities are powers of
// two of at least 64 bytes, which Go's allocator aligns to 64 bytes.
const root = 3

func parentOf(c int) int { return c/4 + 2 }

func firstChild(i int) int { return 4 * (i - 2) }

// Len is the number of pending events, cancelled timers included.
func (s *Scheduler) Len() int {
	n := max(len(s.heap)-root, 0)
	if s.taken {
		n--
	}
	return n
}

// Schedule adds an event. Scheduling in the past is a model bug and panics.
func (s *Scheduler) Schedule(at Time, kind Kind, comp, ref int32) {
	s.push(Event{At: at, Kind: kind, Comp: comp, Ref: ref})
}

// SetTimer adds an event that Cancel can take back.
func (s *Scheduler) SetTimer(at Time, kind Kind, comp, ref int32) Timer {
	i := s.push(Event{At: at, Kind: kind, Comp: comp, Ref: ref})
	return Timer{id: i + 1, n: s.slots[i].gen}
}

// Cancel stops t from firing. It is safe on a timer that already fired or was
// cancelled. The event stays in the heap (or its Delay) until its time comes
// and is skipped then, which keeps Cancel O(1).
func (s *Scheduler) Cancel(t Timer) {
	switch {
	case t.id < 0:
		q := s.delays[-t.id-1]
		if d := q.entry(t.n); d != nil {
			q.cancel(d)
		}
	case s.Pending(t):
		s.slots[t.id-1].cancelled = true
		s.cancelled++
	}
}

// Pending reports whether t is still due to fire.
func (s *Scheduler) Pending(t Timer) bool {
	switch {
	case t.id < 0:
		d := s.delays[-t.id-1].entry(t.n)
		return d != nil && d.at >= 0
	case t.id == 0:
		return false
	}
	sl := &s.slots[t.id-1]
	return sl.gen == t.n && !sl.cancelled
}

// Next removes the earliest live event, advances the clock to it and returns
// it. ok is false when no event is pending.
func (s *Scheduler) Next() (e Event, ok bool) {
	for {
		if s.taken {
			s.pop()
			s.taken = false
		}
		if len(s.heap) <= root {
			return Event{}, false
		}
		e, live := s.take(int32(s.heap[root].ord & slotMask))
		s.taken = true // consumed; the next push takes its place
		if !live {
			continue
		}
		s.now = e.At
		if e.Kind != delayKind {
			s.next, s.after = -1, -1
			return e, true
		}
		// The head of a Delay is due: hand out its first live timer.
		if e, ok = s.delays[e.Comp].fire(s, e.At); ok {
			return e, true
		}
	}
}

// take frees slot i and returns its event and whether it was still live.
func (s *Scheduler) take(i int32) (Event, bool) {
	sl := &s.slots[i]
	e, cancelled := sl.Event, sl.cancelled
	sl.gen++
	if cancelled {
		sl.cancelled = false
		s.cancelled--
	}
	s.free = append(s.free, i)
	return e, !cancelled
}

func (s *Scheduler) push(e Event) int32 {
	if e.At < s.now {
		panic("des: event scheduled in the past")
	}
	i := s.slot(e)
	if s.seq > maxSeq {
		panic("des: more than 2^40 events scheduled")
	}
	k := key{at: e.At, ord: s.seq<<slotBits | uint64(i)}
	s.seq++
	if s.taken {
		s.taken = false
		s.heap[root] = k
		s.down(root)
		return i
	}
	if len(s.heap) == cap(s.heap) && s.cancelled >= minCompact && 2*s.cancelled >= len(s.heap)-root {
		s.compact()
	}
	if len(s.heap) == cap(s.heap) {
		grown := make([]key, len(s.heap), max(16, 2*cap(s.heap)))
		copy(grown, s.heap)
		s.heap = grown
	}
	if len(s.heap) < root {
		s.heap = s.heap[:root]
	}
	s.heap = append(s.heap, k)
	s.up(len(s.heap) - 1)
	return i
}

// slot takes a free slot for e.
func (s *Scheduler) slot(e Event) int32 {
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		if len(s.slots) > slotMask {
			panic("des: more than 2^24 pending events")
		}
		i = int32(len(s.slots))
		s.slots = append(s.slots, slot{})
	}
	s.slots[i].Event = e
	return i
}

// compact drops the cancelled timers from the heap and frees their slots,
// so that the heap's memory follows the live events rather than every
// timer set within the longest one (the timeouts of calls that ended long
// ago). The order of the others is (time, sequence), which a rebuilt heap
// keeps: events fire exactly as they would have.
func (s *Scheduler) compact() {
	h := s.heap[:root]
	for _, k := range s.heap[root:] {
		i := int32(k.ord & slotMask)
		if sl := &s.slots[i]; sl.cancelled {
			sl.gen++
			sl.cancelled = false
			s.free = append(s.free, i)
			continue
		}
		h = append(h, k)
	}
	s.heap, s.cancelled = h, 0
	for i := parentOf(len(h) - 1); i >= root; i-- {
		s.down(i)
	}
}

func (s *Scheduler) pop() {
	h := s.heap
	last := len(h) - 1
	h[root] = h[last]
	s.heap = h[:last]
	if last > root+1 {
		s.down(root)
	}
}

// less orders keys by time, then by sequence. Two events rarely share a
// nanosecond, so the tie branch is well predicted and the time comparison's
// result flows on as data.
func less(a, b key) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.ord < b.ord
}

func (s *Scheduler) up(i int) {
	h := s.heap
	k := h[i]
	for i > root {
		p := parentOf(i)
		if !less(k, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = k
}

func (s *Scheduler) down(i int) {
	h := s.heap
	n := len(h)
	k := h[i]
	for {
		c := firstChild(i)
		var m int
		if c+3 < n {
			// All four children exist: pick the least with a tournament whose
			// outcomes are computed, not branched on; a heap's comparisons
			// are coin flips that a branch predictor cannot learn.
			g := h[c : c+4 : c+4] // one cache line, and no bounds checks below
			a := b2i(less(g[1], g[0]))
			b := 2 + b2i(less(g[3], g[2]))
			m = c + a + (b-a)*b2i(less(g[b], g[a]))
		} else {
			if c >= n {
				break
			}
			m = c
			for j := c + 1; j < n; j++ {
				if less(h[j], h[m]) {
					m = j
				}
			}
		}
		if !less(h[m], k) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = k
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
