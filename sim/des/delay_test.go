package des

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Delay timers behave exactly like heap timers of the same duration: the
// same events fire at the same times, cancelled ones never. With a long
// duration thousands are pending, and both the FIFO and the heap drop
// cancelled timers to make room (compact) while the others keep firing in
// order; cancelling a timer that fired long ago does nothing.
func TestDelayTimersMatchHeapTimers(t *testing.T) {
	for _, d := range []Time{50, 50_000} {
		t.Run(fmt.Sprint(int64(d)), func(t *testing.T) { testDelayMatchesHeap(t, d) })
	}
}

func testDelayMatchesHeap(t *testing.T, d Time) {
	type fired struct {
		at  Time
		ref int32
	}
	compacted := false
	run := func(useDelay bool) []fired {
		rng := rand.New(rand.NewPCG(7, 7))
		var s Scheduler
		q := s.NewDelay(d, 2, 0)
		var timers []Timer
		var out []fired
		s.Schedule(0, 1, 0, 0)
		for len(out) < 20000 {
			e, ok := s.Next()
			if !ok {
				break
			}
			if e.Kind == 2 {
				out = append(out, fired{e.At, e.Ref})
				continue
			}
			// A tick: set a timer, maybe cancel an earlier one, tick again.
			ref := int32(len(timers))
			if useDelay {
				timers = append(timers, s.After(q, ref))
			} else {
				timers = append(timers, s.SetTimer(s.Now()+d, 2, 0, ref))
			}
			switch rng.IntN(3) {
			case 1: // any timer, most of which fired long ago
				s.Cancel(timers[rng.IntN(len(timers))])
			case 2: // a recent one
				s.Cancel(timers[len(timers)-1-rng.IntN(min(len(timers), 1000))])
				s.Cancel(timers[len(timers)-1-rng.IntN(min(len(timers), 1000))])
			}
			if useDelay {
				compacted = compacted || q.sparse > 0
			}
			s.Schedule(s.Now()+Time(rng.IntN(20)), 1, 0, 0)
		}
		return out
	}
	heap, delay := run(false), run(true)
	if d > 10_000 && !compacted {
		t.Errorf("the FIFO never compacted: the test does not test it")
	}
	if len(heap) != len(delay) {
		t.Fatalf("%d heap timers fired, %d delay timers", len(heap), len(delay))
	}
	for i := range heap {
		if heap[i] != delay[i] {
			t.Fatalf("firing %d: heap %+v, delay %+v", i, heap[i], delay[i])
		}
	}
}

func TestCancelledDelayTimersStayOutOfTheHeap(t *testing.T) {
	var s Scheduler
	q := s.NewDelay(Second, 1, 0)
	for i := range 10000 {
		s.Cancel(s.After(q, int32(i)))
	}
	if s.Len() != 1 {
		t.Fatalf("%d events in the heap, want the delay's one head", s.Len())
	}
	if e, ok := s.Next(); ok {
		t.Fatalf("a cancelled timer fired: %+v", e)
	}
}

func TestDelayDoesNotAllocateInSteadyState(t *testing.T) {
	var s Scheduler
	q := s.NewDelay(1000, 2, 0)
	for i := range 1000 {
		s.Schedule(Time(i), 1, 0, 0)
	}
	allocs := testing.AllocsPerRun(10000, func() {
		e, _ := s.Next()
		if e.Kind == 1 {
			s.Cancel(s.After(q, 0))
			s.After(q, 0)
			s.Schedule(e.At+1000, 1, 0, 0)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per event", allocs)
	}
}

// Upcoming names the timers that follow, in its FIFO, the one being handled,
// and nothing while another kind of event is handled. Cancelled timers at
// the front are dropped before it looks.
func TestUpcomingNamesTheDelaysNextTimers(t *testing.T) {
	var s Scheduler
	q := s.NewDelay(100, 2, 0)
	s.Schedule(5, 1, 0, 99)
	for ref := int32(10); ref <= 13; ref++ {
		tm := s.After(q, ref)
		if ref == 11 {
			s.Cancel(tm)
		}
	}
	for _, want := range []struct{ ref, next, after int32 }{
		{99, -1, -1}, // not a timer of a Delay
		{10, 12, 13}, // 11 was cancelled
		{12, 13, -1},
		{13, -1, -1},
	} {
		e, ok := s.Next()
		if !ok {
			t.Fatalf("no event, want ref %d", want.ref)
		}
		if next, after := s.Upcoming(); e.Ref != want.ref || next != want.next || after != want.after {
			t.Errorf("handling ref %d: Upcoming() = %d, %d; want ref %d: %d, %d", e.Ref, next, after, want.ref, want.next, want.after)
		}
	}
}
