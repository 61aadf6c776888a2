package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/failsim/failsim/sim/des"
)

func TestLevelTimeWeightedMean(t *testing.T) {
	var l Level
	s := des.Second
	l.Add(0, 2)    // 2 during [0, 1)
	l.Add(s, 2)    // 4 during [1, 3)
	l.Add(3*s, -4) // 0 during [3, 4)
	mean, maxv := l.Close(4*s, 4*s)
	if mean != (2*1+4*2)/4.0 || maxv != 4 {
		t.Fatalf("bucket mean %g max %g, want 2.5 and 4", mean, maxv)
	}
	l.Add(5*s, 1) // second bucket [4, 8): 0 for 1s, 1 for 3s
	mean, maxv = l.Close(8*s, 4*s)
	if mean != 0.75 || maxv != 1 {
		t.Fatalf("second bucket mean %g max %g, want 0.75 and 1", mean, maxv)
	}
	mean, maxv = l.Total(8 * s)
	if mean != (10+3)/8.0 || maxv != 4 {
		t.Fatalf("total mean %g max %g, want 1.625 and 4", mean, maxv)
	}
}

func TestHistogramQuantilesWithinPrecision(t *testing.T) {
	h := NewHistogram(3)
	for i := 1; i <= 10000; i++ {
		h.Record(des.Time(i) * des.Millisecond) // 1ms .. 10s uniformly
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		want := q * 10
		if got := h.Quantile(q); math.Abs(got-want) > 1e-3*want {
			t.Errorf("q%g = %g, want %g within 0.1%%", q, got, want)
		}
	}
	if got := h.Mean(); math.Abs(got-5.0005) > 1e-9 {
		t.Errorf("mean %g, want 5.0005 exactly", got)
	}
	h.Reset()
	if h.Count() != 0 || h.Quantile(0.5) != 0 || h.Mean() != 0 {
		t.Error("reset histogram is not empty")
	}
}

func TestJudgeRecovery(t *testing.T) {
	// 1s buckets over 100s; fault over [40, 50).
	series := func(rate func(t float64) float64) Goodput {
		var g Goodput
		for i := range 100 {
			t := float64(i)
			g.Times = append(g.Times, t)
			g.Widths = append(g.Widths, 1)
			g.Rate = append(g.Rate, rate(t))
		}
		return g
	}
	tests := []struct {
		name      string
		rate      func(t float64) float64
		recovered bool
		at        float64
		verdict   string
	}{
		{"dips and comes back at 60s", func(t float64) float64 {
			if t >= 40 && t < 60 {
				return 10
			}
			return 100
		}, true, 60, "recovered"},
		{"never comes back", func(t float64) float64 {
			if t >= 40 {
				return 10
			}
			return 100
		}, false, 0, "did not recover: goodput 10 req/s"},
		{"unhurt: recovered the moment the fault ends", func(t float64) float64 { return 100 }, true, 50, "0s after"},
		{"noise within tolerance is not a failure", func(t float64) float64 {
			return 100 + 8*math.Sin(t)
		}, true, 50, "recovered"},
		{"a late relapse undoes recovery", func(t float64) float64 {
			if (t >= 40 && t < 55) || t >= 90 {
				return 10
			}
			return 100
		}, false, 0, "did not recover"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Judge(series(tt.rate), 0, 40, 50, 5, 0.1)
			if !r.Judged || r.Recovered != tt.recovered || r.RecoveredAt != tt.at {
				t.Fatalf("got %+v, want recovered=%v at %g", r, tt.recovered, tt.at)
			}
			if !strings.Contains(r.Verdict, tt.verdict) {
				t.Fatalf("verdict %q does not say %q", r.Verdict, tt.verdict)
			}
		})
	}
}

func TestJudgeNeedsABaselineAndTimeAfterTheFault(t *testing.T) {
	g := Goodput{Times: []float64{0, 1, 2}, Widths: []float64{1, 1, 1}, Rate: []float64{5, 5, 5}}
	if r := Judge(g, 0, 0.5, 1, 1, 0.1); r.Judged {
		t.Errorf("judged without a bucket before the fault: %+v", r)
	}
	if r := Judge(g, 0, 2, 2.5, 5, 0.1); !r.Judged || r.Recovered || !strings.Contains(r.Verdict, "less than one recovery window") {
		t.Errorf("got %+v, want not recovered for lack of time", r)
	}
}

// Snapshots of two histograms merge into the histogram of all their values.
func TestSnapshotsMergeExactly(t *testing.T) {
	a, b, all := NewHistogram(3), NewHistogram(3), NewHistogram(3)
	for i := 1; i <= 1000; i++ {
		d := des.Time(i) * des.Millisecond
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
		all.Record(d)
	}
	merged := hdrhistogram.Import(a.Snapshot())
	merged.Merge(hdrhistogram.Import(b.Snapshot()))
	if !merged.Equals(hdrhistogram.Import(all.Snapshot())) {
		t.Fatal("merged snapshots differ from the histogram of all values")
	}
}

// Packed or dense, a histogram answers as the dense HDR histogram of the
// same geometry does, before, at and after it turns dense, and after a
// reset and a merge.
func TestHistogramShapesAgreeWithDenseHDR(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 10, 300, denseAfter, 5000} {
		for _, digits := range []int{2, 3} {
			h := NewHistogram(digits)
			ref := hdrhistogram.New(1, maxMicros, digits)
			for range n {
				d := des.Time(rng.ExpFloat64() * 0.05 * 1e9)
				h.Record(d)
				ref.RecordValue(min(int64(d/des.Microsecond), maxMicros))
			}
			if h.Count() != ref.TotalCount() || h.Max() != float64(ref.Max())/1e6 {
				t.Errorf("%d values, %d digits: count %d max %g, want %d %g", n, digits, h.Count(), h.Max(), ref.TotalCount(), float64(ref.Max())/1e6)
			}
			for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
				if got, want := h.Quantile(q), float64(ref.ValueAtPercentile(100*q))/1e6; got != want {
					t.Errorf("%d values, %d digits: q%g = %g, want %g", n, digits, q, got, want)
				}
			}
			merged := NewHistogram(digits)
			merged.Merge(h)
			merged.Merge(h)
			if merged.Count() != 2*h.Count() || merged.Quantile(0.99) != h.Quantile(0.99) {
				t.Errorf("%d values: merged twice, count %d and p99 %g, want %d and %g", n, merged.Count(), merged.Quantile(0.99), 2*h.Count(), h.Quantile(0.99))
			}
			if s := h.Snapshot(); hdrhistogram.Import(s).TotalCount() != ref.TotalCount() {
				t.Errorf("%d values: the snapshot lost values", n)
			}
			h.Reset()
			if h.Count() != 0 || h.Quantile(0.5) != 0 || h.Mean() != 0 {
				t.Errorf("%d values: not empty after a reset", n)
			}
		}
	}
}

// A histogram that has held nothing holds no memory; past its few values
// it keeps them, 8 bytes each, and then a packed one holds a few bytes a
// bucket.
func TestHistogramMemoryFollowsWhatItHolds(t *testing.T) {
	h := NewHistogram(3)
	if h.waiting != nil || h.packed != nil || h.dense != nil {
		t.Fatal("a new histogram allocated memory")
	}
	for i := range 100 {
		h.Record(des.Time(i+1) * des.Millisecond)
	}
	if h.dense != nil || h.packed != nil || 8*cap(h.waiting) > 2048 {
		t.Errorf("100 values took a packed or dense histogram, or %d bytes", 8*cap(h.waiting))
	}
	for i := range 2 * waitingValues {
		h.Record(des.Time(i%100+1) * des.Millisecond)
	}
	if h.dense != nil || h.packed.GetMemorySize() > 4096 {
		t.Errorf("%d values in 100 buckets took a dense array or %d bytes", 100+2*waitingValues, h.packed.GetMemorySize())
	}
}

// A histogram allocates as it first meets values and when it turns dense,
// a bounded number of times whatever it records: a million values in a few
// buckets (its counts widen) and then a million spread over every bucket
// cost no more than MaxAllocations over its life.
func TestHistogramAllocationsAreBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]des.Time, 2_000_000)
	for i := range values {
		if i < len(values)/2 {
			values[i] = des.Time(1+i%5) * des.Millisecond
		} else {
			values[i] = des.Time(math.Exp(rng.Float64()*20) * 1e3) // 1µs to 8 minutes, log-uniform
		}
	}
	for _, digits := range []int{2, 3} {
		allocs := testing.AllocsPerRun(1, func() { // a new histogram's whole life
			h := NewHistogram(digits)
			for _, v := range values {
				h.Record(v)
			}
		})
		if allocs > MaxAllocations {
			t.Errorf("%d digits: %.0f allocations for a million values, more than MaxAllocations (%d)", digits, allocs, MaxAllocations)
		}
		t.Logf("%d digits: %.0f allocations", digits, allocs)
	}
}
