package plots

import (
	"math"
	"strconv"

	"github.com/failsim/failsim/sim/results"
)

// tier is a summary group: the replicas of one service, or one component.
type tier struct {
	name    string
	kind    string
	members []string // in topology order
	// instances are its members', a fleet counting for its instances.
	instances int

	// The fewest and most instances serving in a bucket, from the pool's
	// replicas series when it has one (counted): an autoscaled service's
	// members include its standby instances.
	fewest, most int
	counted      bool
}

// tiersOf groups the run's components by group, in topology order. A
// summary without groups (written before they existed) gives one tier per
// component.
func tiersOf(s *results.Summary) []tier {
	var ts []tier
	at := map[string]int{}
	for _, name := range s.Order {
		c := s.Components[name]
		g := c.Group
		if g == "" {
			g = name
		}
		i, ok := at[g]
		if !ok {
			i = len(ts)
			at[g] = i
			ts = append(ts, tier{name: g, kind: c.Kind})
		}
		ts[i].members = append(ts[i].members, name)
		ts[i].instances += max(1, c.Instances)
	}
	return ts
}

// label names a tier in a legend: "api (service ×4)", or "api (service
// ×2–12)" when the instances serving changed over the run.
func (t tier) label() string {
	kind := t.kind
	if kind == "load_balancer" {
		kind = "load balancer"
	}
	fewest, most := t.instances, t.instances
	if t.counted {
		fewest, most = t.fewest, t.most
	}
	switch {
	case fewest < most:
		return t.name + " (" + kind + " ×" + strconv.Itoa(fewest) + "–" + strconv.Itoa(most) + ")"
	case most > 1:
		return t.name + " (" + kind + " ×" + strconv.Itoa(most) + ")"
	}
	return t.name + " (" + kind + ")"
}

// serving sets the range of instances serving from the pool's replicas
// series (a time-weighted mean per bucket, rounded).
func (t *tier) serving(replicas []float64) {
	for _, r := range replicas {
		if math.IsNaN(r) {
			continue
		}
		n := int(math.Round(r))
		if !t.counted {
			t.fewest, t.most, t.counted = n, n, true
		}
		t.fewest, t.most = min(t.fewest, n), max(t.most, n)
	}
}

func (t tier) works() bool { return t.kind == "service" || t.kind == "database" }

// clientsOf returns the names of the client components, in topology order.
func clientsOf(s *results.Summary) []string {
	var names []string
	for _, name := range s.Order {
		if s.Components[name].Kind == "client" {
			names = append(names, name)
		}
	}
	return names
}

// sum adds one metric over components, bucket by bucket. Components that
// lack the metric are left out; a bucket where none has a value is NaN; nil
// means no component has the metric at all.
func sum(ser *results.Series, names []string, metric string) []float64 {
	var out []float64
	for _, name := range names {
		v := ser.Get(name, metric)
		if v == nil {
			continue
		}
		if out == nil {
			out = nans(len(ser.Times))
		}
		for b, x := range v {
			if math.IsNaN(x) {
				continue
			}
			if math.IsNaN(out[b]) {
				out[b] = 0
			}
			out[b] += x
		}
	}
	return out
}

// add adds series bucket by bucket, skipping missing (nil) ones; NaN where
// none has a value.
func add(series ...[]float64) []float64 {
	var out []float64
	for _, v := range series {
		if v == nil {
			continue
		}
		if out == nil {
			out = nans(len(v))
		}
		for b, x := range v {
			if !math.IsNaN(x) {
				out[b] = zeroIfNaN(out[b]) + x
			}
		}
	}
	return out
}

// ratio divides bucket by bucket: NaN where the divisor is zero or missing.
func ratio(num, den []float64) []float64 {
	if num == nil || den == nil {
		return nil
	}
	out := make([]float64, len(num))
	for b := range num {
		out[b] = math.NaN()
		if den[b] != 0 && !math.IsNaN(den[b]) {
			out[b] = num[b] / den[b]
		}
	}
	return out
}

// perSecond turns per-bucket counts into rates; the last bucket may be
// shorter than the others.
func perSecond(ser *results.Series, counts []float64) []float64 {
	if counts == nil {
		return nil
	}
	out := make([]float64, len(counts))
	for b, x := range counts {
		out[b] = x / ser.Width(b)
	}
	return out
}

// middles returns where each bucket is drawn: its middle, so that a value
// lines up with the fault windows that caused it.
func middles(ser *results.Series) []float64 {
	out := make([]float64, len(ser.Times))
	for b, t := range ser.Times {
		out[b] = t + ser.Width(b)/2
	}
	return out
}

// allZero reports whether a series has no non-zero value.
func allZero(v []float64) bool {
	for _, x := range v {
		if x != 0 && !math.IsNaN(x) {
			return false
		}
	}
	return true
}

func nans(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

func zeroIfNaN(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}
