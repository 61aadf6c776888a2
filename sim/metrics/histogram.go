package metrics

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/failsim/failsim/sim/des"
)

// Histogram records latencies with HDR bucket geometry: values from 1µs to
// 100 days with the given number of significant decimal digits, so a
// quantile is off by at most 10^-digits of its value whatever the number of
// samples.
//
// Its memory follows what it holds. It allocates nothing until its first
// value, then keeps only the buckets that hold values (a packed histogram:
// a few bytes a bucket), and turns dense (a counts array for every bucket:
// 38 KB at two digits, 600 KB at three) for good once it holds more
// distinct buckets than that would cost, or, reset every bucket, once it
// took more values in one bucket than a packed record's search and shifts
// are worth: then a dense array's O(1) record pays. A thousand quiet
// components hold a thousand small histograms; a busy server holds fast
// ones. Both shapes give the same counts, quantiles
// and extremes: the packed one shares the dense one's geometry.
type Histogram struct {
	digits int
	packed *hdrhistogram.PackedHistogram // nil before the first value and once dense
	dense  *hdrhistogram.Histogram       // nil until the packed one outgrows its keep
	sum    float64                       // exact, for the mean
}

const maxMicros = 100 * 24 * 3600 * 1e6

// denseAfter is how many distinct buckets a packed histogram holds before it
// turns dense: past it a record's binary search and a new bucket's shift
// cost more than the dense array's memory saves.
const denseAfter = 512

// denseValues is how many values a packed histogram takes before it turns
// dense however few buckets they fill: a run's totals for a component that
// busy pay the dense array's memory once and record in O(1) from then on.
const denseValues = 1 << 16

// denseRecords is how many values a packed histogram may take between two
// resets (a bucket's latencies) and stay packed: a server that busy
// records in O(1) from the next bucket on. At 256, ten instances taking 100
// calls a second each stayed packed and cost 10-17% more per event than
// dense histograms (BenchmarkGrowth, instances=10 and services=10).
const denseRecords = 32

// MaxAllocations bounds the allocations of a histogram over its life: its
// packed form grows geometrically, and widens its counts, as it meets new
// values, up to denseAfter buckets, and then turns dense once. They do not
// grow with the values recorded (TestHistogramAllocationsAreBounded).
const MaxAllocations = 40

// NewHistogram returns an empty histogram with the given precision (2 or 3
// significant digits are typical: 1% or 0.1% relative error). It allocates
// nothing until the first value.
func NewHistogram(digits int) *Histogram { return &Histogram{digits: digits} }

// Record adds one latency.
func (h *Histogram) Record(d des.Time) {
	us := int64(d / des.Microsecond)
	if us > maxMicros {
		us = maxMicros
	}
	h.sum += d.Seconds()
	if h.dense != nil {
		h.dense.RecordValue(us) // cannot fail: us is within the trackable range
		return
	}
	if h.packed == nil {
		h.packed = hdrhistogram.NewPacked(1, maxMicros, h.digits)
	}
	h.packed.RecordValue(us)
	if h.packed.Populated() > denseAfter || h.packed.TotalCount() > denseValues {
		h.dense = hdrhistogram.New(1, maxMicros, h.digits)
		h.packed.MergeInto(h.dense)
		h.packed = nil
	}
}

// Count is the number of recorded latencies.
func (h *Histogram) Count() int64 {
	switch {
	case h.dense != nil:
		return h.dense.TotalCount()
	case h.packed != nil:
		return h.packed.TotalCount()
	}
	return 0
}

// Quantile returns the q-quantile (0 < q <= 1) in seconds, 0 when empty.
func (h *Histogram) Quantile(q float64) float64 {
	switch {
	case h.dense != nil:
		return float64(h.dense.ValueAtPercentile(100*q)) / 1e6
	case h.packed != nil:
		return float64(h.packed.ValueAtPercentile(100*q)) / 1e6
	}
	return 0
}

// Max returns the largest latency in seconds (to the histogram's precision).
func (h *Histogram) Max() float64 {
	switch {
	case h.dense != nil:
		return float64(h.dense.Max()) / 1e6
	case h.packed != nil:
		return float64(h.packed.Max()) / 1e6
	}
	return 0
}

// Mean returns the exact mean latency in seconds, 0 when empty.
func (h *Histogram) Mean() float64 {
	if n := h.Count(); n > 0 {
		return h.sum / float64(n)
	}
	return 0
}

// Merge adds o's values to h, which turns dense: merges make the run's
// totals, few and read once.
func (h *Histogram) Merge(o *Histogram) {
	h.densify()
	switch {
	case o.dense != nil:
		h.dense.Merge(o.dense)
	case o.packed != nil:
		o.packed.MergeInto(h.dense)
	}
	h.sum += o.sum
}

// densify makes h dense, keeping its values.
func (h *Histogram) densify() {
	if h.dense != nil {
		return
	}
	h.dense = hdrhistogram.New(1, maxMicros, h.digits)
	if h.packed != nil {
		h.packed.MergeInto(h.dense)
		h.packed = nil
	}
}

// Snapshot exports the histogram's counts, to be encoded or merged exactly
// with others (HDR merges do not depend on order).
func (h *Histogram) Snapshot() *hdrhistogram.Snapshot {
	h.densify()
	return h.dense.Export()
}

// Reset empties the histogram, keeping the memory it has for the values to
// come (dense, when it took more than denseRecords values since the last
// reset); an empty one costs nothing to reset.
func (h *Histogram) Reset() {
	switch {
	case h.dense != nil && h.dense.TotalCount() > 0:
		h.dense.Reset()
	case h.packed != nil && h.packed.TotalCount() > denseRecords:
		h.dense, h.packed = hdrhistogram.New(1, maxMicros, h.digits), nil
	case h.packed != nil:
		h.packed.Reset()
	}
	h.sum = 0
}
