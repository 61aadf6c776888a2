package window

import "github.com/failsim/failsim/sim/des"

// Sum is the sum of values added over the last span of simulated time, in
// slices of span/n: a value added at t counts until the slice holding t is
// more than n-1 slices old.
type Sum struct {
	width des.Time // of one slice
	slots []float64
	cur   int64 // index of the newest slice
	total float64
}

// New returns a window of the given span cut into n slices.
func New(span des.Time, n int) *Sum {
	return &Sum{width: max(span/des.Time(n), 1), slots: make([]float64, n)}
}

// Add adds v at time now.
func (s *Sum) Add(now des.Time, v float64) {
	s.advance(now)
	s.slots[s.cur%int64(len(s.slots))] += v
	s.total += v
}

// Total is the sum over the window ending at now.
func (s *Sum) Total(now des.Time) float64 {
	s.advance(now)
	return s.total
}

// advance expires the slices that fell out of the window by now.
func (s *Sum) advance(now des.Time) {
	idx := int64(now / s.width)
	if idx <= s.cur {
		return
	}
	n := int64(len(s.slots))
	if idx-s.cur >= n {
		clear(s.slots)
		s.total = 0
	} else {
		for i := s.cur + 1; i <= idx; i++ {
			s.total -= s.slots[i%n]
			s.slots[i%n] = 0
		}
	}
	s.cur = idx
}
