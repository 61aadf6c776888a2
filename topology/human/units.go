package human

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration writes d as a scenario file would: 2s, 1.5s, 5m, 1m30s, 2h.
func Duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Brief writes d for a sentence: seconds to the millisecond (2s, 28.312s),
// below a second three digits (187ms, 1.93ms, 250µs).
func Brief(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s >= 1:
		return strconv.FormatFloat(math.Round(1000*s)/1000, 'f', -1, 64) + "s"
	case s >= 1e-3:
		return strconv.FormatFloat(1000*s, 'g', 3, 64) + "ms"
	case s > 0:
		return strconv.FormatFloat(1e6*s, 'g', 3, 64) + "µs"
	}
	return "0s"
}

// ExactSeconds writes d in seconds with every digit it has: 60s, 0.25s.
func ExactSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'g', -1, 64) + "s"
}

// Seconds writes seconds for a table column, to three significant digits
// below a second and to the hundredth above: 1.39ms, 130ms, 6.00s, 13.50s;
// "-" for zero (nothing measured).
func Seconds(s float64) string {
	switch {
	case s == 0:
		return "-"
	case s < 1:
		return strconv.FormatFloat(1000*s, 'g', 3, 64) + "ms"
	default:
		return fmt.Sprintf("%.2fs", s)
	}
}

// Percent writes a fraction as a percentage with one decimal: 91.2%.
func Percent(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// Significant writes x to three significant digits (no fewer decimals than
// that needs, none beyond): 0.0123, 1.23, 123, 12345. Pages that must not
// change with the last bits of a float use it.
func Significant(x float64) string {
	if x == 0 {
		return "0"
	}
	digits := max(0, 2-int(math.Floor(math.Log10(math.Abs(x)))))
	return fmt.Sprintf("%.*f", digits, x)
}

// SignificantSeconds writes seconds to three significant digits: 0s,
// 130ms, 6.00s, 13.5s.
func SignificantSeconds(s float64) string {
	switch {
	case s == 0:
		return "0s"
	case s < 1:
		return Significant(1000*s) + "ms"
	}
	return Significant(s) + "s"
}

// SignificantPercent writes a fraction as a percentage to three significant
// digits: 91.2%, 100%, 0.500%.
func SignificantPercent(f float64) string { return Significant(100*f) + "%" }

// Count writes a large count briefly, to three significant digits: 950,
// 12.3k, 4.10M.
func Count(x float64) string {
	switch {
	case x >= 1e6:
		return Significant(x/1e6) + "M"
	case x >= 1e3:
		return Significant(x/1e3) + "k"
	}
	return strconv.FormatFloat(math.Round(x), 'f', -1, 64)
}

// Tick writes seconds for an axis label, to three significant digits with
// the unit that suits them: 500µs, 20ms, 1s, 10s.
func Tick(s float64) string {
	switch {
	case s < 1e-3:
		return strconv.FormatFloat(s*1e6, 'g', 3, 64) + "µs"
	case s < 1:
		return strconv.FormatFloat(s*1e3, 'g', 3, 64) + "ms"
	default:
		return strconv.FormatFloat(s, 'g', 3, 64) + "s"
	}
}

// Period writes seconds as a period, in days when it is whole days: 30d,
// 12h0m0s.
func Period(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
