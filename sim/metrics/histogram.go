package metrics

import (
	"math"
	"math/bits"
	"slices"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/failsim/failsim/sim/des"
)

// Histogram records latencies with HDR bucket geometry: values from 1µs to
// 100 days with the given number of significant decimal digits, so a
// quantile is off by at most 10^-digits of its value whatever the number of
// samples.
//
// Its memory and cost follow what it holds. It allocates nothing while it
// holds at most fewValues values: it keeps them itself, sorted, and answers
// from them exactly as an HDR histogram of the same geometry would. Past
// them it keeps the values themselves, unsorted, up to waitingValues, and
// sorts them to answer; past those, only the buckets that hold values (a
// packed histogram: a few bytes a bucket), with the latest values waiting
// to go in together. It turns dense (a counts array for every bucket: 38 KB
// at two digits, 600 KB at three) for good once it holds more distinct
// buckets than that would cost, or, reset every bucket, once it took more
// values in one bucket than denseRecords: then a dense array's O(1) record
// pays. A thousand quiet components hold a thousand small histograms; a
// busy server holds fast ones. Every shape gives the same counts, quantiles
// and extremes: they share the dense one's geometry.
type Histogram struct {
	// What a record reads first, together: a thousand components' run
	// histograms do not stay in cache between two of their records.
	n       int                           // how many values few holds, or spilled once they went on
	sum     float64                       // exact, for the mean
	dense   *hdrhistogram.Histogram       // nil until the packed one outgrows its keep
	packed  *hdrhistogram.PackedHistogram // nil until waiting first fills, and once dense
	waiting []int64                       // the values past the few not in packed, unsorted
	digits  int
	subBits int              // HDR's sub-bucket count is 1<<subBits at these digits
	few     [fewValues]int64 // the values, in µs and ascending, while they are few
}

// fewValues is how many values a histogram holds in its own array before it
// spills them. A quiet component's bucket holds a few latencies: kept
// sorted, recording one is a few compares and moves and reading a quantile
// an index, where a packed histogram searches, shifts and scans. A bucket
// of 1 to 16 values, its reads and its reset cost 15-80ns so, 55-500ns
// packed (BenchmarkHistogramBucket). At 8, a bucket of 9 to 16 values (ten
// instances taking ten calls a second each) costs five times what it does
// at 16, nearly what it does packed: worth 64 bytes more a histogram.
const fewValues = 16

// spilled is n once the values are past the few.
const spilled = fewValues + 1

const maxMicros = 100 * 24 * 3600 * 1e6

// waitingValues is how many values a histogram keeps as they are, unsorted,
// before they go into its packed histogram together, and then again each
// time as many more wait. Keeping a value is an append; a packed record is
// a binary search and a shift of the buckets above, 124ns a value spread
// over a thousand histograms of a few hundred values each, 80ns recorded
// 64 at a time. A thousand services' run histograms (three digits, 300
// values each) took a quarter of their run when packed: kept as they are,
// they are sorted once, when read. At most 10 KB a histogram (the slice
// grows by appending).
const waitingValues = 1024

// denseAfter is how many distinct buckets a packed histogram holds before it
// turns dense: past it a record's binary search and a new bucket's shift
// cost more than the dense array's memory saves.
const denseAfter = 512

// denseValues is how many values a packed histogram takes before it turns
// dense however few buckets they fill: a run's totals for a component that
// busy pay the dense array's memory once and record in O(1) from then on.
const denseValues = 1 << 16

// denseRecords is how many values a histogram may take between two resets
// (a bucket's latencies) and keep them as values: a server that busy
// records in O(1) from the next bucket on. At 256, ten instances taking 100
// calls a second each stayed packed and cost 10-17% more per event than
// dense histograms (BenchmarkGrowth, instances=10 and services=10).
const denseRecords = 32

// MaxAllocations bounds the allocations of a histogram over its life: its
// waiting values grow geometrically up to waitingValues, its packed form
// grows, and widens its counts, as it meets new values, up to denseAfter
// buckets, and then it turns dense once. They do not grow with the values
// recorded (TestHistogramAllocationsAreBounded).
const MaxAllocations = 40

// NewHistogram returns an empty histogram with the given precision (2 or 3
// significant digits are typical: 1% or 0.1% relative error). It allocates
// nothing until its values outnumber fewValues.
func NewHistogram(digits int) *Histogram {
	return &Histogram{digits: digits, subBits: subBucketBits(digits)}
}

// subBucketBits is the magnitude of HDR's sub-bucket count, computed as
// hdrhistogram's New does for a lowest discernible value of 1 (digits
// clamped to 1..5; 8 at two digits, 11 at three): it keeps one bucket per
// µs up to 2·10^digits, rounded up to a power of two.
func subBucketBits(digits int) int {
	digits = min(max(digits, 1), 5)
	return int(math.Ceil(math.Log2(2 * math.Pow10(digits))))
}

// Record adds one latency.
func (h *Histogram) Record(d des.Time) {
	us := int64(d / des.Microsecond)
	if us > maxMicros {
		us = maxMicros
	}
	h.sum += d.Seconds()
	switch {
	case h.dense != nil:
		h.dense.RecordValue(us) // cannot fail: us is within the trackable range
		return
	case h.n < fewValues:
		i := h.n // insertion keeps few sorted: a quantile is then an index
		for ; i > 0 && h.few[i-1] > us; i-- {
			h.few[i] = h.few[i-1]
		}
		h.few[i] = us
		h.n++
		return
	case h.n == fewValues:
		h.waiting = append(h.waiting, h.few[:]...)
		h.n = spilled
	}
	h.waiting = append(h.waiting, us)
	if len(h.waiting) < waitingValues {
		return
	}
	h.catchUp()
	if h.packed.Populated() > denseAfter || h.packed.TotalCount() > denseValues {
		h.dense = hdrhistogram.New(1, maxMicros, h.digits)
		h.packed.MergeInto(h.dense)
		h.packed, h.waiting = nil, nil
	}
}

// catchUp records the waiting values into the packed histogram, made at
// the first.
func (h *Histogram) catchUp() {
	if h.packed == nil {
		h.packed = hdrhistogram.NewPacked(1, maxMicros, h.digits)
	}
	for _, us := range h.waiting {
		h.packed.RecordValue(us)
	}
	h.waiting = h.waiting[:0]
}

// values are the values a histogram answers from as they are, sorted: the
// few, or those waiting while it has no packed histogram; nil when it
// answers from packed or dense.
func (h *Histogram) values() []int64 {
	switch {
	case h.n <= fewValues:
		return h.few[:h.n]
	case h.dense != nil:
		return nil
	case h.packed == nil:
		sortMicros(h.waiting)
		return h.waiting
	}
	h.catchUp()
	return nil
}

// sortMicros sorts values in µs (never negative). Past a few it sorts them
// a byte at a time, as many bytes as the largest takes: comparing random
// latencies mispredicts about every other branch, and slices.Sort took
// 37ns a value on 300 of them, this 5.
func sortMicros(vals []int64) {
	if slices.IsSorted(vals) { // read again, with nothing recorded since
		return
	}
	if len(vals) <= 64 {
		slices.Sort(vals)
		return
	}
	var all int64
	for _, v := range vals {
		all |= v
	}
	src, dst := vals, make([]int64, len(vals))
	for shift := 0; shift < bits.Len64(uint64(all)); shift += 8 {
		var at [257]int // where each digit's values go, from at[digit+1] counted
		for _, v := range src {
			at[v>>shift&0xff+1]++
		}
		for d := 1; d < len(at); d++ {
			at[d] += at[d-1]
		}
		for _, v := range src {
			d := v >> shift & 0xff
			dst[at[d]] = v
			at[d]++
		}
		src, dst = dst, src
	}
	copy(vals, src) // nothing to copy when the passes were even
}

// Count is the number of recorded latencies.
func (h *Histogram) Count() int64 {
	switch {
	case h.n <= fewValues:
		return int64(h.n)
	case h.dense != nil:
		return h.dense.TotalCount()
	case h.packed == nil:
		return int64(len(h.waiting))
	}
	return h.packed.TotalCount() + int64(len(h.waiting))
}

// Quantile returns the q-quantile (0 < q <= 1) in seconds, 0 when empty.
func (h *Histogram) Quantile(q float64) float64 {
	switch vals := h.values(); {
	case vals != nil || h.n == 0:
		return float64(h.atPercentile(vals, 100*q)) / 1e6
	case h.dense != nil:
		return float64(h.dense.ValueAtPercentile(100*q)) / 1e6
	}
	return float64(h.packed.ValueAtPercentile(100*q)) / 1e6
}

// atPercentile is what ValueAtPercentile returns for an HDR histogram of
// the sorted values vals: the value at hdrhistogram's rank (its
// percentileRank, the same expression so the same rounding, clamps and
// NaN), as the highest value of its bucket, or the lowest at the 0th
// percentile.
func (h *Histogram) atPercentile(vals []int64, percentile float64) int64 {
	n := len(vals)
	if n == 0 {
		return 0
	}
	if percentile > 100 {
		percentile = 100
	} else if percentile < 0 {
		percentile = 0
	}
	rank := (percentile/100)*float64(n) + 0.5
	i := n - 1
	switch {
	case !(rank >= 1): // NaN and ranks below the first value
		i = 0
	case rank < float64(n):
		i = int(rank) - 1
	}
	if percentile == 0 {
		return vals[i] &^ h.bucketSpan(vals[i])
	}
	return vals[i] | h.bucketSpan(vals[i])
}

// bucketSpan is the width of us's HDR bucket less one: the mask of the low
// bits in which its values differ. Values below 1<<subBits have a bucket
// each, and each power of two above splits into 1<<(subBits-1) buckets.
func (h *Histogram) bucketSpan(us int64) int64 {
	unit := bits.Len64(uint64(us)|(1<<h.subBits-1)) - h.subBits // log2 of the bucket's width
	return 1<<unit - 1
}

// Max returns the largest latency in seconds (to the histogram's precision).
func (h *Histogram) Max() float64 {
	switch vals := h.values(); {
	case h.n == 0:
		return 0
	case vals != nil:
		top := vals[len(vals)-1]
		return float64(top|h.bucketSpan(top)) / 1e6
	case h.dense != nil:
		return float64(h.dense.Max()) / 1e6
	}
	return float64(h.packed.Max()) / 1e6
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
	o.addTo(h.dense)
	h.sum += o.sum
}

// densify makes h dense, keeping its values.
func (h *Histogram) densify() {
	if h.dense != nil {
		return
	}
	dense := hdrhistogram.New(1, maxMicros, h.digits)
	h.addTo(dense)
	h.dense, h.packed, h.waiting, h.n = dense, nil, nil, spilled
}

// addTo records h's values into a dense histogram, in whatever order they
// are kept.
func (h *Histogram) addTo(dense *hdrhistogram.Histogram) {
	switch {
	case h.n <= fewValues:
		for _, us := range h.few[:h.n] {
			dense.RecordValue(us)
		}
	case h.dense != nil:
		dense.Merge(h.dense)
	default:
		if h.packed != nil {
			h.packed.MergeInto(dense)
		}
		for _, us := range h.waiting {
			dense.RecordValue(us)
		}
	}
}

// Snapshot exports the histogram's counts, to be encoded or merged exactly
// with others (HDR merges do not depend on order).
func (h *Histogram) Snapshot() *hdrhistogram.Snapshot {
	h.densify()
	return h.dense.Export()
}

// Reset empties the histogram, keeping the memory it has for the values to
// come: dense, when it took more than denseRecords values since the last
// reset; else few again, with the memory its values past the few took kept
// for the next spill. An empty dense one costs nothing to reset.
func (h *Histogram) Reset() {
	switch {
	case h.n <= fewValues:
		h.n = 0
	case h.dense != nil:
		if h.dense.TotalCount() > 0 {
			h.dense.Reset()
		}
	case h.Count() > denseRecords:
		h.dense, h.packed, h.waiting = hdrhistogram.New(1, maxMicros, h.digits), nil, nil
	default:
		if h.packed != nil {
			h.packed.Reset()
		}
		h.waiting = h.waiting[:0]
		h.n = 0
	}
	h.sum = 0
}
