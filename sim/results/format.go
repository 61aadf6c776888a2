package results

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Scale is how tables show one metric: a unit and a number of decimals
// chosen for its values, so that a row reads alike across sides and points
// (6.00 against 1.95 seconds, never 6.00s against 1950ms).
type Scale struct {
	Unit     string // %, req/s, s, ms, calls/req, s of work; seeds for recovered
	factor   float64
	decimals int
	share    bool // recovered: estimates show as k/n seeds
}

// Scale fits the metric's unit and decimals to its estimates.
func (m *MetricResult) Scale() Scale {
	var means []float64
	for _, e := range m.Estimates {
		if e != nil {
			means = append(means, e.Center())
		}
	}
	return scaleFor(m.Metric, means...)
}

// scaleFor picks the unit for the largest value, then enough decimals for
// three significant digits of the smallest that is not zero (at most
// three decimals).
func scaleFor(m Metric, vs ...float64) Scale {
	big, small := 0.0, math.Inf(1)
	for _, v := range vs {
		if v = math.Abs(v); v > 0 {
			big, small = max(big, v), min(small, v)
		}
	}
	s := Scale{Unit: m.Unit, factor: 1}
	switch m.Unit {
	case "fraction":
		s.Unit, s.factor = "%", 100
	case "fraction of seeds":
		s.Unit, s.factor, s.share = "seeds", 100, true
	case "calls per request":
		s.Unit = "calls/req"
	case "s":
		if big < 1 {
			s.Unit, s.factor = "ms", 1000
		}
	}
	if big > 0 {
		s.decimals = min(max(2-int(math.Floor(math.Log10(small*s.factor))), 0), 3)
	}
	return s
}

// Value converts v to the scale's unit: a fraction to percent, seconds to
// milliseconds.
func (s Scale) Value(v float64) float64 { return v * s.factor }

// Number formats v in the scale's unit, without the unit.
func (s Scale) Number(v float64) string {
	return strconv.FormatFloat(v*s.factor, 'f', s.decimals, 64)
}

// Format formats v with its unit: 91.2%, 1.95s, 272 req/s. A share of
// seeds shows as a percentage.
func (s Scale) Format(v float64) string {
	switch s.Unit {
	case "%", "seeds":
		return s.Number(v) + "%"
	case "s", "ms":
		return s.Number(v) + s.Unit
	}
	return s.Number(v) + " " + s.Unit
}

// Estimate formats an estimate as "20.5 ±0.3" ("20.5" without an interval,
// "3/10" for a share of seeds, "-" for none); a median with its interval
// as "0.00 [0.00, 143]", which never claims a value no seed had.
func (s Scale) Estimate(e *Estimate) string {
	switch {
	case e == nil:
		return "-"
	case s.share:
		return fmt.Sprintf("%d/%d", int(math.Round(e.Mean*float64(e.N))), e.N)
	case e.Median != nil && e.Lo == nil:
		return s.Number(*e.Median)
	case e.Median != nil:
		return s.Number(*e.Median) + " [" + s.Number(*e.Lo) + ", " + s.Number(*e.Hi) + "]"
	case e.Lo == nil:
		return s.Number(e.Mean)
	}
	return s.Number(e.Mean) + " ±" + s.Number(e.HalfWidth())
}

// Difference formats a difference with its sign, as "+70.7 ±0.4" (for a
// share of seeds: how many more seeds, "+7").
func (s Scale) Difference(d *Difference) string {
	switch {
	case d == nil:
		return "-"
	case s.share:
		return fmt.Sprintf("%+d", int(math.Round(d.Mean*float64(d.N))))
	}
	if d.Median != nil {
		out := signed(s.Number(*d.Median))
		if d.Lo != nil {
			out += " [" + signed(s.Number(*d.Lo)) + ", " + signed(s.Number(*d.Hi)) + "]"
		}
		return out
	}
	out := signed(s.Number(d.Mean))
	if d.Lo != nil {
		out += " ±" + s.Number((*d.Hi-*d.Lo)/2)
	}
	return out
}

// signed adds a + to a positive number; a number that rounds to zero
// shows as 0, without a sign.
func signed(n string) string {
	switch v, _ := strconv.ParseFloat(n, 64); {
	case v == 0:
		return strings.TrimPrefix(n, "-")
	case v > 0:
		return "+" + n
	}
	return n
}

// Cell is group g's estimate of the metric as a table shows it, and how it
// differs from the reference group: "better" or "worse" when significantly
// so, "" otherwise.
func (m *MetricResult) Cell(g int) (text, change string) {
	sc := m.Scale()
	text = sc.Estimate(m.Estimates[g])
	if d := m.Differences[g]; d != nil && d.Significant {
		change = "worse"
		if m.Improves(d.Center()) {
			change = "better"
		}
	}
	return text, change
}

// Heading is the metric's short name with its unit, for a column: "p99
// (s)", "success rate (%)".
func (m *MetricResult) Heading() string {
	if u := m.Scale().Unit; u != "" && u != "seeds" {
		return m.Short() + " (" + u + ")"
	}
	return m.Short()
}

// Simulated says how long the sides ran: "300s simulated each", or each
// side's time when they differ.
func (r *CompareResult) Simulated() string {
	var ts []string
	for _, s := range r.Sides {
		ts = append(ts, strconv.FormatFloat(s.SimSeconds, 'g', -1, 64)+"s")
	}
	if len(slices.Compact(slices.Clone(ts))) == 1 {
		return ts[0] + " simulated each"
	}
	return strings.Join(ts, ", ") + " simulated"
}
