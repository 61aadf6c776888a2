package des

import (
	"math/rand/v2"
	"testing"
)

// checkHeap verifies the 4-ary heap property: no child sorts before its parent.
func checkHeap(t *testing.T, s *Scheduler) {
	t.Helper()
	for i := root + 1; i < len(s.heap); i++ {
		if p := parentOf(i); less(s.heap[i], s.heap[p]) {
			t.Fatalf("heap property broken: child %d (at=%d seq=%d) before parent %d (at=%d seq=%d)",
				i, s.heap[i].at, s.heap[i].ord>>slotBits, p, s.heap[p].at, s.heap[p].ord>>slotBits)
		}
	}
}

func TestHeapStaysOrderedUnderRandomOperations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s Scheduler
	var timers []Timer
	last := Time(-1)
	lastRef := int32(-1)
	for op := 0; op < 200000; op++ {
		switch r := rng.IntN(10); {
		case r < 5:
			s.Schedule(s.Now()+Time(rng.IntN(1000)), 1, 0, int32(op))
		case r < 7:
			timers = append(timers, s.SetTimer(s.Now()+Time(rng.IntN(1000)), 2, 0, int32(op)))
		case r < 8 && len(timers) > 0:
			i := rng.IntN(len(timers))
			s.Cancel(timers[i])
			timers[i] = timers[len(timers)-1]
			timers = timers[:len(timers)-1]
		default:
			e, ok := s.Next()
			if !ok {
				continue
			}
			// Refs are the operation numbers, so they grow with scheduling order.
			if e.At < last || (e.At == last && e.Ref < lastRef) {
				t.Fatalf("op %d: event (%d, ref %d) after (%d, ref %d)", op, e.At, e.Ref, last, lastRef)
			}
			last, lastRef = e.At, e.Ref
		}
		if op%1000 == 0 {
			checkHeap(t, &s)
		}
	}
	checkHeap(t, &s)
}

func TestEqualTimesFireInSchedulingOrder(t *testing.T) {
	var s Scheduler
	for i := range int32(100) {
		s.Schedule(Time(10*(i%3)), 0, 0, i) // three instants, interleaved
	}
	var got []int32
	for e, ok := s.Next(); ok; e, ok = s.Next() {
		got = append(got, e.Ref)
	}
	// Within one instant, refs must come out in increasing (scheduling) order.
	prev := map[Time]int32{}
	for _, ref := range got {
		at := Time(10 * (ref % 3))
		if p, seen := prev[at]; seen && ref < p {
			t.Fatalf("ref %d fired after ref %d at the same time %d", ref, p, at)
		}
		prev[at] = ref
	}
	if len(got) != 100 {
		t.Fatalf("got %d events, want 100", len(got))
	}
}

func TestTimers(t *testing.T) {
	tests := []struct {
		name   string
		run    func(s *Scheduler) // schedules timers at 1, 2, 3 with refs 1, 2, 3, then acts
		fired  []int32
		final  Time
		remain int
	}{
		{
			name:  "all fire in time order",
			run:   func(s *Scheduler) {},
			fired: []int32{1, 2, 3}, final: 3,
		},
		{
			name: "cancelled timer never fires",
			run: func(s *Scheduler) {
				s.Cancel(s.SetTimer(2, 0, 0, 99))
			},
			fired: []int32{1, 2, 3}, final: 3,
		},
		{
			name: "cancelling the earliest does not advance the clock to it",
			run: func(s *Scheduler) {
				s.Cancel(s.SetTimer(0, 0, 0, 99))
			},
			fired: []int32{1, 2, 3}, final: 3,
		},
		{
			name: "cancelling twice is harmless",
			run: func(s *Scheduler) {
				tm := s.SetTimer(2, 0, 0, 99)
				s.Cancel(tm)
				s.Cancel(tm)
			},
			fired: []int32{1, 2, 3}, final: 3,
		},
		{
			name:  "the zero Timer cancels nothing",
			run:   func(s *Scheduler) { s.Cancel(Timer{}) },
			fired: []int32{1, 2, 3}, final: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Scheduler
			for i := int32(1); i <= 3; i++ {
				s.SetTimer(Time(i), 0, 0, i)
			}
			tt.run(&s)
			var fired []int32
			for e, ok := s.Next(); ok; e, ok = s.Next() {
				fired = append(fired, e.Ref)
			}
			if len(fired) != len(tt.fired) {
				t.Fatalf("fired %v, want %v", fired, tt.fired)
			}
			for i := range fired {
				if fired[i] != tt.fired[i] {
					t.Fatalf("fired %v, want %v", fired, tt.fired)
				}
			}
			if s.Now() != tt.final {
				t.Fatalf("clock at %d, want %d", s.Now(), tt.final)
			}
		})
	}
}

func TestStaleTimerHandleCannotCancelAReusedSlot(t *testing.T) {
	var s Scheduler
	old := s.SetTimer(1, 0, 0, 1)
	if _, ok := s.Next(); !ok { // fires and frees the slot
		t.Fatal("timer did not fire")
	}
	if s.Pending(old) {
		t.Fatal("fired timer still pending")
	}
	fresh := s.SetTimer(2, 0, 0, 2) // reuses the slot with a new generation
	s.Cancel(old)
	if !s.Pending(fresh) {
		t.Fatal("cancelling a stale handle cancelled the timer that reused its slot")
	}
	if e, ok := s.Next(); !ok || e.Ref != 2 {
		t.Fatalf("got %+v, %v; want the fresh timer", e, ok)
	}
}

func TestSchedulingInThePastPanics(t *testing.T) {
	var s Scheduler
	s.Schedule(5, 0, 0, 0)
	s.Next()
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	s.Schedule(4, 0, 0, 0)
}

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	var s Scheduler
	for i := range 1000 {
		s.SetTimer(Time(i), 0, 0, 0)
	}
	allocs := testing.AllocsPerRun(10000, func() {
		e, _ := s.Next()
		tm := s.SetTimer(e.At+1000, 0, 0, 0)
		s.Cancel(tm)
		s.SetTimer(e.At+1000, 0, 0, 0)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per event, want 0", allocs)
	}
}
