package des

import (
	"math/rand/v2"
	"testing"
)

// Timers that are cancelled long before they would fire, as the timeouts of
// calls that ended do, must not hold memory until then: what the scheduler
// keeps follows the timers still live, not the timers set within the
// longest timeout. Each case sets a million timers an hour long, keeps at
// most live of them live at once and cancels the others, and bounds the
// slots the FIFO or the heap ends up with.
func TestCancelledTimersDoNotHoldMemory(t *testing.T) {
	const (
		n    = 1_000_000
		hour = 3600 * Second
	)
	for _, tc := range []struct {
		name  string
		live  int
		delay bool // a Delay's timers; else heap timers of varied lengths
	}{
		{"delay, all cancelled at once", 0, true},
		{"delay, a thousand live", 1000, true},
		{"heap, all cancelled at once", 0, false},
		{"heap, a thousand live", 1000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s Scheduler
			q := s.NewDelay(hour, 1, 0)
			rng := rand.New(rand.NewPCG(1, 2))
			var live []Timer
			s.Schedule(0, 2, 0, 0)
			for i := range n {
				e, ok := s.Next()
				if !ok || e.Kind != 2 {
					t.Fatalf("event %d: %+v, %v; want the tick", i, e, ok)
				}
				var tm Timer
				if tc.delay {
					tm = s.After(q, int32(i))
				} else {
					tm = s.SetTimer(s.Now()+hour+Time(rng.IntN(1000)), 1, 0, int32(i))
				}
				live = append(live, tm)
				if len(live) > tc.live { // the call ended: its timeout is cancelled
					k := rng.IntN(len(live))
					s.Cancel(live[k])
					live[k] = live[len(live)-1]
					live = live[:len(live)-1]
				}
				s.Schedule(s.Now()+Microsecond, 2, 0, 0)
			}
			for _, tm := range live {
				if !s.Pending(tm) {
					t.Fatalf("a live timer is no longer pending")
				}
			}
			// Four slots per live timer, and a floor for small rings.
			limit := 4*tc.live + 4096
			if got := len(q.ring); got > limit {
				t.Errorf("the delay holds %d slots for %d live timers, want at most %d", got, tc.live, limit)
			}
			if got := cap(s.heap); got > limit {
				t.Errorf("the heap holds %d slots for %d live timers, want at most %d", got, tc.live, limit)
			}
			if got := len(s.slots); got > limit {
				t.Errorf("the slab holds %d slots for %d live timers, want at most %d", got, tc.live, limit)
			}
			// The live ones still fire, in order, and nothing else does.
			fired := 0
			for e, ok := s.Next(); ok; e, ok = s.Next() {
				if e.Kind == 1 {
					fired++
				}
			}
			if fired != len(live) {
				t.Errorf("%d timers fired, want the %d live ones", fired, len(live))
			}
		})
	}
}
