package human

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// NumberKind is how a setting's number is written.
type NumberKind uint8

// Number kinds: an integer, any other number, or a duration.
const (
	Int NumberKind = iota
	Float
	Dur // held in nanoseconds
)

// ParseNumber reads a setting's value as a number: an integer, a number, or
// a duration (quoted or not) in nanoseconds. False for anything else
// ("none", {kind="grpc"}, "-").
func ParseNumber(v string) (float64, NumberKind, bool) {
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return float64(i), Int, true
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f, Float, true
	}
	if d, err := time.ParseDuration(strings.Trim(v, `"'`)); err == nil {
		return float64(d), Dur, true
	}
	return 0, 0, false
}

// Numeric reads a setting's value as a number for an axis, durations in
// seconds; false for values that are not numbers.
func Numeric(v string) (float64, bool) {
	x, k, ok := ParseNumber(v)
	if k == Dur {
		x /= 1e9
	}
	return x, ok
}

// FormatNumber writes x as a setting of kind k: 3, 0.25, 1.5s.
func FormatNumber(x float64, k NumberKind) string {
	switch k {
	case Int:
		return strconv.FormatInt(int64(x), 10)
	case Dur:
		return time.Duration(x).String()
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
