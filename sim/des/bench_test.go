package des

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkHold is the classic hold model: with n events pending, pop the
// earliest and schedule one at an exponentially distributed later time.
func BenchmarkHold(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			var s Scheduler
			for range n {
				s.Schedule(Time(rng.ExpFloat64()*1e6), 0, 0, 0)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				e, _ := s.Next()
				s.Schedule(e.At+Time(rng.ExpFloat64()*1e6), 0, 0, 0)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
		})
	}
}

// BenchmarkHoldTimers is the hold model with cancellable timers, half of which
// are cancelled before they fire, as request timeouts mostly are.
func BenchmarkHoldTimers(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	var s Scheduler
	for range 1000 {
		s.SetTimer(Time(rng.ExpFloat64()*1e6), 0, 0, 0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e, _ := s.Next()
		s.SetTimer(e.At+Time(rng.ExpFloat64()*1e6), 0, 0, 0)
		s.Cancel(s.SetTimer(e.At+Time(rng.ExpFloat64()*1e6), 0, 0, 0))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}
