package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/failsim/failsim/sim/des"
)

// A histogram of a few values answers as the HDR histogram of the same
// geometry, exactly: each row's answers are the HDR histogram's too.
func TestFewValuesAnswerAsHDR(t *testing.T) {
	us, ms := des.Microsecond, des.Millisecond
	eight := []des.Time{1 * ms, 2 * ms, 3 * ms, 4 * ms, 5 * ms, 6 * ms, 7 * ms, 8 * ms}
	tests := []struct {
		name   string
		digits int
		values []des.Time
		q      float64
		want   int64 // the quantile, µs
		max    int64 // µs
	}{
		{"empty: every answer is 0", 2, nil, 0.5, 0, 0},
		{"one value is every quantile, reported as the top of its bucket (1232-1239µs at two digits)",
			2, []des.Time{1234 * us}, 0.5, 1239, 1239},
		{"the same at q = 1", 2, []des.Time{1234 * us}, 1, 1239, 1239},
		{"q = 0 is the bottom of the smallest value's bucket", 2, []des.Time{1234 * us, 5 * ms}, 0, 1232, 5023},
		{"at three digits that bucket is a µs wide below 2048µs", 3, []des.Time{1234 * us}, 0.5, 1234, 1234},
		{"at two digits, below 256µs", 2, []des.Time{255 * us}, 0.5, 255, 255},
		{"a bucket's top and the next one's bottom stay apart", 2, []des.Time{1239 * us, 1240 * us}, 0.5, 1239, 1247},
		{"a latency under a µs counts as 0", 2, []des.Time{999}, 0.5, 0, 0},
		{"fractions of a µs are dropped, not rounded", 3, []des.Time{1234*us + 999}, 0.5, 1234, 1234},
		{"past 100 days a latency counts as 100 days, reported as the top of its bucket",
			2, []des.Time{200 * 24 * 3600 * des.Second}, 0.5, 8658654068735, 8658654068735},
		{"the median of two is the lower: rank 0.5·2+0.5 = 1.5 rounds down to 1",
			2, []des.Time{1 * ms, 2 * ms}, 0.5, 1003, 2007},
		{"the median of three is the middle one: rank 2", 2, []des.Time{3 * ms, 1 * ms, 2 * ms}, 0.5, 2007, 3007},
		{"the median of four is the second: rank 2.5", 2, []des.Time{4 * ms, 3 * ms, 2 * ms, 1 * ms}, 0.5, 2007, 4015},
		{"p90 of eight is the seventh: rank 0.9·8+0.5 = 7.7", 2, eight, 0.9, 7007, 8031},
		{"p99.9 of eight is the largest: rank 8.492", 2, eight, 0.999, 8031, 8031},
		{"p0.1 of eight is the smallest: rank 0.508, raised to 1", 2, eight, 0.001, 1003, 8031},
		{"duplicates count each", 2, []des.Time{1 * ms, 9 * ms, 9 * ms, 9 * ms}, 0.5, 9023, 9023},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistogram(tt.digits)
			ref := hdrhistogram.New(1, maxMicros, tt.digits)
			for _, d := range tt.values {
				h.Record(d)
				ref.RecordValue(min(int64(d/des.Microsecond), maxMicros))
			}
			if ref.TotalCount() > 0 && (ref.ValueAtPercentile(100*tt.q) != tt.want || ref.Max() != tt.max) {
				t.Fatalf("the row is wrong: HDR says %dµs, max %dµs", ref.ValueAtPercentile(100*tt.q), ref.Max())
			}
			if h.n > fewValues {
				t.Fatal("the values spilled")
			}
			if got, want := h.Quantile(tt.q), float64(tt.want)/1e6; got != want {
				t.Errorf("q%g = %g, want %g", tt.q, got, want)
			}
			if got, want := h.Max(), float64(tt.max)/1e6; got != want {
				t.Errorf("max %g, want %g", got, want)
			}
			if h.Count() != int64(len(tt.values)) {
				t.Errorf("count %d, want %d", h.Count(), len(tt.values))
			}
		})
	}
}

// The few values live in the histogram itself; the one past fewValues
// spills them to be kept as they are, with the values to come, until
// waitingValues wait: then they go into a packed histogram together, and
// the next ones wait again.
func TestHistogramSpillsPastFewValues(t *testing.T) {
	h := NewHistogram(2)
	for i := range fewValues {
		h.Record(des.Time(i+1) * des.Millisecond)
	}
	if h.waiting != nil || h.packed != nil || h.dense != nil || h.Count() != fewValues {
		t.Fatalf("%d values took memory, or were not counted: %d", fewValues, h.Count())
	}
	h.Record(des.Second)
	if len(h.waiting) != fewValues+1 || h.packed != nil || h.Count() != fewValues+1 {
		t.Fatalf("the value past fewValues did not spill them all to wait with it")
	}
	for range waitingValues - fewValues - 1 {
		h.Record(des.Second)
	}
	if h.packed == nil || h.packed.TotalCount() != waitingValues || len(h.waiting) != 0 {
		t.Fatalf("%d values waited, and did not go into a packed histogram together", waitingValues)
	}
	h.Record(des.Second)
	if h.packed.TotalCount() != waitingValues || len(h.waiting) != 1 || h.Count() != waitingValues+1 {
		t.Fatalf("the value past the packed ones did not wait")
	}
}

// Reset brings a histogram back to its few values unless it took more than
// denseRecords values since the last one: then it is dense for good, as
// before few values were kept.
func TestHistogramResetKeepsThePolicy(t *testing.T) {
	fill := func(h *Histogram, n int) {
		for i := range n {
			h.Record(des.Time(i+1) * des.Millisecond)
		}
	}
	h := NewHistogram(2)
	fill(h, fewValues+1)
	kept := &h.waiting[:1][0]
	h.Reset()
	if h.n != 0 || h.Count() != 0 || h.dense != nil {
		t.Fatal("a reset after a spill did not go back to few values")
	}
	fill(h, fewValues+1)
	if &h.waiting[:1][0] != kept {
		t.Fatal("the next spill did not reuse the memory of the first")
	}
	fill(h, denseRecords-fewValues) // denseRecords+1 values in all
	h.Reset()
	if h.dense == nil || h.waiting != nil || h.packed != nil {
		t.Fatalf("more than denseRecords (%d) values in a bucket did not turn the histogram dense", denseRecords)
	}
	fill(h, 1)
	h.Reset()
	fill(h, 1)
	if h.dense == nil || h.dense.TotalCount() != 1 {
		t.Fatal("a dense histogram went back to few values")
	}
}

// A quiet component's bucket costs no allocation: its values, its reads and
// its reset.
func TestFewValuesAllocateNothing(t *testing.T) {
	h := NewHistogram(2)
	allocs := testing.AllocsPerRun(100, func() {
		for i := range fewValues {
			h.Record(des.Time(i+1) * des.Millisecond)
		}
		_ = h.Quantile(0.5) + h.Quantile(0.99) + h.Quantile(0.999) + h.Max() + h.Mean()
		h.Reset()
	})
	if allocs != 0 {
		t.Errorf("%g allocations a bucket, want none", allocs)
	}
}

// twin is a Histogram and the packed HDR histogram of the same geometry
// that the same calls go to: every answer of the first must be the other's.
type twin struct {
	h   *Histogram
	ref *hdrhistogram.PackedHistogram
	sum float64
}

func newTwin(digits int) *twin {
	return &twin{h: NewHistogram(digits), ref: hdrhistogram.NewPacked(1, maxMicros, digits)}
}

func (w *twin) record(d des.Time) {
	w.h.Record(d)
	w.ref.RecordValue(min(int64(d/des.Microsecond), maxMicros))
	w.sum += d.Seconds()
}

func (w *twin) reset() {
	w.h.Reset()
	w.ref.Reset()
	w.sum = 0
}

func (w *twin) merge(o *twin) {
	w.h.Merge(o.h)
	w.ref.Merge(o.ref)
	w.sum += o.sum
}

// snapshot checks w's snapshot against the dense HDR histogram of its
// values, and turns w dense for good.
func (w *twin) snapshot(t *testing.T) {
	t.Helper()
	dense := hdrhistogram.New(1, maxMicros, int(w.ref.SignificantFigures()))
	w.ref.MergeInto(dense)
	if !reflect.DeepEqual(w.h.Snapshot(), dense.Export()) {
		t.Fatal("the snapshot differs from HDR's")
	}
}

// check compares every answer bit for bit, the quantiles at qs.
func (w *twin) check(t *testing.T, qs []float64) {
	t.Helper()
	same := func(what string, q float64, got float64, want int64) {
		t.Helper()
		if math.Float64bits(got) != math.Float64bits(float64(want)/1e6) {
			t.Fatalf("%s %g = %g, want %dµs (count %d)", what, q, got, want, w.ref.TotalCount())
		}
	}
	n := w.ref.TotalCount()
	if w.h.Count() != n {
		t.Fatalf("count %d, want %d", w.h.Count(), n)
	}
	for _, q := range qs {
		same("quantile", q, w.h.Quantile(q), w.ref.ValueAtPercentile(100*q))
	}
	same("max", 1, w.h.Max(), w.ref.Max())
	mean := 0.0
	if n > 0 {
		mean = w.sum / float64(n)
	}
	if math.Float64bits(w.h.Mean()) != math.Float64bits(mean) {
		t.Fatalf("mean %g, want %g", w.h.Mean(), mean)
	}
}

// picks feeds play its choices: from a random stream, or from a fuzzer's
// bytes until they run out.
type picks struct {
	rng  *rand.Rand
	data []byte
}

// next returns a choice in [0, n), n > 0.
func (p *picks) next(n uint64) uint64 {
	if p.rng != nil {
		return p.rng.Uint64N(n)
	}
	var v uint64
	for i := 0; len(p.data) > 0 && (i == 0 || n>>(8*i) > 0); i++ {
		v = v<<8 | uint64(p.data[0])
		p.data = p.data[1:]
	}
	return v % n
}

func (p *picks) more() bool { return p.rng != nil || len(p.data) > 0 }

// latency picks a latency of the kinds that tell the shapes apart.
func (p *picks) latency(last des.Time) des.Time {
	us := des.Microsecond
	switch p.next(6) {
	case 0: // log-uniform from 1µs to past 100 days, with a fraction of a µs
		e := p.next(45)
		return des.Time(1<<e+p.next(1<<e))*us + des.Time(p.next(1000))
	case 1: // on a bucket's edge or next to it
		v := des.Time(p.next(1<<13)<<p.next(33)) + des.Time(p.next(3)) - 1
		return max(v, 0) * us
	case 2: // around the largest value recorded as it is
		return des.Time(maxMicros-2+p.next(5)) * us
	case 3: // under a µs: 0
		return des.Time(p.next(1000))
	case 4:
		return last
	}
	return max(last+des.Time(p.next(9))*us-4*us, 0) // clustered around the last one
}

// play drives three twins through steps calls the picks choose: values, a
// bucket's reads and reset after one value in resetEvery or so (0: never),
// reads, merges, snapshots, and new histograms.
func play(t *testing.T, p *picks, digits int, resetEvery uint64, steps int) {
	t.Helper()
	// The simulator's quantiles, small ones, 0, out of range ones, NaN, and
	// one picked at random.
	qs := []float64{0.5, 0.9, 0.99, 0.999, 1, 0.001, 1e-4, 1e-9, 0, 1.5, -0.1, math.NaN(), 0}
	var tw [3]*twin
	for i := range tw {
		tw[i] = newTwin(digits)
	}
	var last des.Time
	for step := 0; step < steps && p.more(); step++ {
		w, o := tw[p.next(3)], tw[p.next(3)]
		qs[len(qs)-1] = float64(1+p.next(1<<20)) / (1 << 20)
		switch op := p.next(10_000); {
		case op < 200:
			w.check(t, qs)
		case op < 210 && w != o: // w turns dense for good
			w.merge(o)
			w.check(t, qs)
		case op < 240: // the run's totals: a new histogram of several
			all := newTwin(digits)
			all.merge(w)
			all.merge(o)
			all.check(t, qs)
		case op < 245: // w turns dense for good
			w.snapshot(t)
			w.check(t, qs)
		case op < 345 && w.h.dense != nil: // dense ones are slow to read: a few at a time
			*w = *newTwin(digits)
		default:
			last = p.latency(last)
			w.record(last)
			if w.h.Count() != w.ref.TotalCount() {
				t.Fatalf("count %d after a value, want %d", w.h.Count(), w.ref.TotalCount())
			}
			if resetEvery > 0 && p.next(resetEvery) == 0 { // a bucket closes
				w.check(t, qs)
				w.reset()
			}
		}
	}
	for _, w := range tw {
		w.check(t, qs)
	}
}

// Whatever the calls, a histogram answers as the packed HDR histogram of the
// same geometry that took the same calls, bit for bit, whatever its shape:
// reset after every value, every few, every many or never.
func TestHistogramMatchesHDR(t *testing.T) {
	seeds, calls := uint64(4), 6000
	if testing.Short() { // the race detector's run: a sixteenth, every shape still
		seeds, calls = 1, 1500
	}
	for _, digits := range []int{2, 3} {
		for _, every := range []uint64{1, 2, 4, 8, 12, 40, 200, 0} {
			t.Run(fmt.Sprintf("digits=%d/reset_every=%d", digits, every), func(t *testing.T) {
				for seed := range seeds {
					play(t, &picks{rng: rand.New(rand.NewPCG(seed, uint64(digits)))}, digits, every, calls)
				}
			})
		}
	}
}

// FuzzFewValuesMatchHDR plays the calls a fuzzer's bytes choose.
func FuzzFewValuesMatchHDR(f *testing.F) {
	f.Add([]byte{0, 3, 200, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("few values, then some more values, then a reset and a merge"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &picks{data: data}
		digits := 2 + int(p.next(2))
		play(t, p, digits, p.next(50), len(data))
	})
}

// BenchmarkHistogramBucket is a component's latencies over one metrics
// bucket: its values, the three quantiles and the count the bucket reads,
// and the reset.
func BenchmarkHistogramBucket(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]des.Time, 1<<12)
	for i := range values {
		values[i] = des.Time(rng.ExpFloat64() * float64(des.Millisecond))
	}
	for _, n := range []int{1, 2, 4, 8, 12, 16, 24, 32} {
		b.Run(fmt.Sprintf("values=%d", n), func(b *testing.B) {
			h := NewHistogram(2)
			i := 0
			for b.Loop() {
				for range n {
					h.Record(values[i%len(values)])
					i++
				}
				_ = h.Quantile(0.5) + h.Quantile(0.99) + h.Quantile(0.999)
				_ = h.Count()
				h.Reset()
			}
		})
	}
}

// sortMicros sorts as slices.Sort does: few values and many, sorted
// already, all equal, zeros, and values up to the largest a histogram takes.
func TestSortMicros(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		n    int
		draw func() int64
	}{
		{0, nil},
		{10, func() int64 { return rng.Int64N(1000) }},
		{300, func() int64 { return int64(rng.ExpFloat64() * 1000) }},
		{200, func() int64 { return rng.Int64N(256) }},     // one byte: one pass
		{400, func() int64 { return rng.Int64N(1 << 24) }}, // three
		{1000, func() int64 { return rng.Int64N(maxMicros + 1) }},
		{1000, func() int64 { return 7 }},
		{500, func() int64 { return 0 }},
		{700, func() int64 { return rng.Int64N(3) << (8 * rng.IntN(6)) }},
	} {
		vals := make([]int64, tc.n)
		for i := range vals {
			vals[i] = tc.draw()
		}
		want := slices.Sorted(slices.Values(vals))
		sortMicros(vals)
		if !slices.Equal(vals, want) {
			t.Errorf("%d values: sorted as %v, want %v", tc.n, vals[:min(tc.n, 10)], want[:min(tc.n, 10)])
		}
		sortMicros(vals) // sorted already
		if !slices.Equal(vals, want) {
			t.Errorf("%d values sorted already: sorted again as %v", tc.n, vals[:min(tc.n, 10)])
		}
	}
}
