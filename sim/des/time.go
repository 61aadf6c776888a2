package des

import (
	"strconv"
	"time"
)

// Time is simulated time in nanoseconds since the start of a run.
type Time int64

// Units of simulated time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	Hour             = 60 * Minute
)

// Never is later than any time a run reaches.
const Never Time = 1<<63 - 1

// FromDuration converts a wall-clock style duration to simulated time.
func FromDuration(d time.Duration) Time { return Time(d) }

// FromSeconds converts seconds to simulated time, rounding to the nearest
// nanosecond.
func FromSeconds(s float64) Time {
	if s >= 0 {
		return Time(s*1e9 + 0.5)
	}
	return Time(s*1e9 - 0.5)
}

// Seconds returns t in seconds.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// String formats t as seconds with millisecond precision, e.g. "12.000s".
func (t Time) String() string {
	return strconv.FormatFloat(t.Seconds(), 'f', 3, 64) + "s"
}
