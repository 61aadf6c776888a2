package metrics

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/failsim/failsim/sim/des"
)

// Histogram records latencies in a fixed-size HDR histogram: values from 1µs
// to 100 days with the given number of significant decimal digits, so a
// quantile is off by at most 10^-digits of its value whatever the number of
// samples.
type Histogram struct {
	h   *hdrhistogram.Histogram
	sum float64 // exact, for the mean
}

const maxMicros = 100 * 24 * 3600 * 1e6

// NewHistogram returns an empty histogram with the given precision (2 or 3
// significant digits are typical: 1% or 0.1% relative error).
func NewHistogram(digits int) *Histogram {
	return &Histogram{h: hdrhistogram.New(1, maxMicros, digits)}
}

// Record adds one latency.
func (h *Histogram) Record(d des.Time) {
	us := int64(d / des.Microsecond)
	if us > maxMicros {
		us = maxMicros
	}
	h.h.RecordValue(us) // cannot fail: us is within the trackable range
	h.sum += d.Seconds()
}

// Count is the number of recorded latencies.
func (h *Histogram) Count() int64 { return h.h.TotalCount() }

// Quantile returns the q-quantile (0 < q <= 1) in seconds, 0 when empty.
func (h *Histogram) Quantile(q float64) float64 {
	return float64(h.h.ValueAtQuantile(100*q)) / 1e6
}

// Max returns the largest latency in seconds (to the histogram's precision).
func (h *Histogram) Max() float64 { return float64(h.h.Max()) / 1e6 }

// Mean returns the exact mean latency in seconds, 0 when empty.
func (h *Histogram) Mean() float64 {
	if n := h.Count(); n > 0 {
		return h.sum / float64(n)
	}
	return 0
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	h.h.Merge(o.h)
	h.sum += o.sum
}

// Snapshot exports the histogram's counts, to be encoded or merged exactly
// with others (HDR merges do not depend on order).
func (h *Histogram) Snapshot() *hdrhistogram.Snapshot { return h.h.Export() }

// Reset empties the histogram.
func (h *Histogram) Reset() {
	h.h.Reset()
	h.sum = 0
}
