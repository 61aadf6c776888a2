package topology_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

// Che's approximation gives C/N for uniform keys, 1 when everything fits,
// and, for Zipf keys, more than C/N: the popular keys stay.
func TestWarmHitRatio(t *testing.T) {
	tests := []struct {
		c      topology.Cache
		lo, hi float64
	}{
		{topology.Cache{Keys: 1000, Capacity: 250}, 0.25, 0.25},
		{topology.Cache{Keys: 1000, Capacity: 1000, Popularity: topology.Zipf, ZipfS: 1}, 1, 1},
		{topology.Cache{Keys: 1000, Capacity: 100, Popularity: topology.Zipf, ZipfS: 0}, 0.1 - 1e-9, 0.1 + 1e-9},
		{topology.Cache{Keys: 1000, Capacity: 100, Popularity: topology.Zipf, ZipfS: 1}, 0.5, 0.8},
	}
	for _, tt := range tests {
		if h := tt.c.WarmHitRatio(); h < tt.lo || h > tt.hi || math.IsNaN(h) {
			t.Errorf("%+v: hit ratio %.4f, want in [%g, %g]", tt.c, h, tt.lo, tt.hi)
		}
	}
}

// A drift's value moves on a straight line over its window and stays at
// its ends outside it.
func TestDriftAtIsLinear(t *testing.T) {
	f := topology.Fault{Kind: topology.FaultDrift, At: 10 * time.Second, For: 40 * time.Second, Drift: topology.Drift{What: topology.DriftCapacity, From: 8, To: 2}}
	for _, tt := range []struct {
		at   time.Duration
		want float64
	}{
		{0, 8}, {10 * time.Second, 8}, {20 * time.Second, 6.5}, {30 * time.Second, 5}, {50 * time.Second, 2}, {time.Minute, 2},
	} {
		if got := f.DriftAt(tt.at); got != tt.want {
			t.Errorf("at %s: %g workers, want %g", tt.at, got, tt.want)
		}
	}
}

// The SRE workbook's windows on a run's clock: a simulated minute for an
// hour of a 30-day SLO.
func ExampleSLO_Scaled() {
	s := topology.SLO{Period: 30 * 24 * time.Hour, TimeScale: 60}
	for _, w := range topology.DefaultBurnWindows {
		fmt.Printf("%gx over %s and %s\n", w.Rate, s.Scaled(w.Long), s.Scaled(w.Short))
	}
	fmt.Println("period", s.Scaled(s.Period))
	// Output:
	// 14.4x over 1m0s and 5s
	// 6x over 6m0s and 30s
	// period 12h0m0s
}
