package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/failsim/failsim/sim/des"
)

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
	for _, digits := range []int{2, 3} {
		for _, every := range []uint64{1, 2, 4, 8, 12, 40, 200, 0} {
			t.Run(fmt.Sprintf("digits=%d/reset_every=%d", digits, every), func(t *testing.T) {
				for seed := range uint64(4) {
					play(t, &picks{rng: rand.New(rand.NewPCG(seed, uint64(digits)))}, digits, every, 6000)
				}
			})
		}
	}
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
