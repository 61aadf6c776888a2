package window

import (
	"testing"

	"github.com/failsim/failsim/sim/des"
)

func TestSumExpiresWholeSlices(t *testing.T) {
	s := des.Second
	w := New(10*s, 10) // ten one-second slices
	steps := []struct {
		at    des.Time
		add   float64
		total float64
	}{
		{0, 1, 1},
		{500 * des.Millisecond, 2, 3},
		{9 * s, 4, 7}, // still within 10s of the first slice
		{9*s + 999*des.Millisecond, 0, 7},
		{10 * s, 0, 4}, // slice [0,1) expired: 1 and 2 gone
		{18 * s, 8, 12},
		{19 * s, 0, 8},  // slice [9,10) expired
		{100 * s, 0, 0}, // everything expired
		{100 * s, 5, 5},
	}
	for i, st := range steps {
		if st.add != 0 {
			w.Add(st.at, st.add)
		}
		if got := w.Total(st.at); got != st.total {
			t.Fatalf("step %d at %v: total %g, want %g", i, st.at, got, st.total)
		}
	}
}

func TestSumDoesNotAllocate(t *testing.T) {
	w := New(des.Minute, 60)
	now := des.Time(0)
	if a := testing.AllocsPerRun(1000, func() {
		now += 300 * des.Millisecond
		w.Add(now, 1)
		w.Total(now)
	}); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}
