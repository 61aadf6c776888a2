package outlier

import (
	"testing"
	"time"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// Envoy's defaults.
func spec() topology.Outlier {
	return topology.Outlier{Consecutive5xx: 5, Interval: 10 * time.Second, BaseEjectionTime: 30 * time.Second,
		MaxEjectionTime: 300 * time.Second, MaxEjectionPercent: 10}
}

func TestEjectsAfterConsecutiveFailures(t *testing.T) {
	d := New(spec(), 4)
	for range 4 {
		d.Result(0, 0, true)
	}
	d.Result(0, 0, false) // a success resets the count
	for range 4 {
		d.Result(0, 0, true)
	}
	if d.Ejected(0) {
		t.Fatal("ejected after 4 consecutive failures, threshold 5")
	}
	d.Result(0, 0, true)
	if !d.Ejected(0) || d.EjectedCount() != 1 {
		t.Fatal("not ejected after 5 consecutive failures")
	}
}

func TestMaxEjectionPercent(t *testing.T) {
	d := New(spec(), 4) // 10%: one host may go (0% < 10%), then 25% blocks more
	for h := range 2 {
		for range 5 {
			d.Result(0, h, true)
		}
	}
	if !d.Ejected(0) || d.Ejected(1) {
		t.Fatalf("ejected %v and %v; want only the first, 10%% of 4 hosts", d.Ejected(0), d.Ejected(1))
	}
}

func TestEjectionTimeGrowsAndIsForgiven(t *testing.T) {
	s := des.Second
	d := New(spec(), 20)
	eject := func(now des.Time) {
		for range 5 {
			d.Result(now, 0, true)
		}
	}
	eject(0)
	d.Sweep(20 * s)
	if !d.Ejected(0) {
		t.Fatal("back after 20s of a 30s ejection")
	}
	d.Sweep(30 * s)
	if d.Ejected(0) {
		t.Fatal("still out after 30s")
	}
	eject(30 * s) // second ejection: 60s
	d.Sweep(80 * s)
	if !d.Ejected(0) {
		t.Fatal("back after 50s of a second ejection of 2 x 30s")
	}
	d.Sweep(90 * s)
	if d.Ejected(0) {
		t.Fatal("still out after 60s")
	}
	// Two sweeps in service forgive both ejections: the next is 30s again.
	d.Sweep(100 * s)
	d.Sweep(110 * s)
	eject(110 * s)
	d.Sweep(140 * s)
	if d.Ejected(0) {
		t.Fatal("forgiven host ejected for longer than the base 30s")
	}
}
