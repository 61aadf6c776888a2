package live

import (
	"math"
	"strconv"

	"github.com/failsim/failsim/sim/results"
)

// Tier is a summary group: the replicas of one service, or one component.
type Tier struct {
	Name    string
	Kind    string
	Members []string // in topology order
	// Instances are its members', a fleet counting for its instances.
	Instances int

	// The fewest and most instances serving in a bucket, from the pool's
	// replicas series when it has one (counted): an autoscaled service's
	// members include its standby instances.
	fewest, most int
	counted      bool
}

// Tiers groups the run's components by group, in topology order. A
// summary without groups (written before they existed) gives one tier per
// component.
func Tiers(s *results.Summary) []Tier {
	var ts []Tier
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
			ts = append(ts, Tier{Name: g, Kind: c.Kind})
		}
		ts[i].Members = append(ts[i].Members, name)
		ts[i].Instances += max(1, c.Instances)
	}
	return ts
}

// Label names a tier in a legend: "api (service ×4)", or "api (service
// ×2–12)" when the instances serving changed over the run.
func (t Tier) Label() string {
	kind := t.Kind
	if kind == "load_balancer" {
		kind = "load balancer"
	}
	fewest, most := t.Instances, t.Instances
	if t.counted {
		fewest, most = t.fewest, t.most
	}
	switch {
	case fewest < most:
		return t.Name + " (" + kind + " ×" + strconv.Itoa(fewest) + "–" + strconv.Itoa(most) + ")"
	case most > 1:
		return t.Name + " (" + kind + " ×" + strconv.Itoa(most) + ")"
	}
	return t.Name + " (" + kind + ")"
}

// Serving sets the range of instances serving from the pool's replicas
// series (a time-weighted mean per bucket, rounded).
func (t *Tier) Serving(replicas []float64) {
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

// Works reports whether the tier does work of its own (a service or a database).
func (t Tier) Works() bool { return t.Kind == "service" || t.Kind == "database" }

// Clients returns the names of the client components, in topology order.
func Clients(s *results.Summary) []string {
	var names []string
	for _, name := range s.Order {
		if s.Components[name].Kind == "client" {
			names = append(names, name)
		}
	}
	return names
}

// Sum adds one metric over components, bucket by bucket. Components that
// lack the metric are left out; a bucket where none has a value is NaN; nil
// means no component has the metric at all.
func Sum(ser *results.Series, names []string, metric string) []float64 {
	var out []float64
	for _, name := range names {
		v := ser.Get(name, metric)
		if v == nil {
			continue
		}
		if out == nil {
			out = NaNs(len(ser.Times))
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

// Add adds series bucket by bucket, skipping missing (nil) ones; NaN where
// none has a value.
func Add(series ...[]float64) []float64 {
	var out []float64
	for _, v := range series {
		if v == nil {
			continue
		}
		if out == nil {
			out = NaNs(len(v))
		}
		for b, x := range v {
			if !math.IsNaN(x) {
				out[b] = zeroIfNaN(out[b]) + x
			}
		}
	}
	return out
}

// Ratio divides bucket by bucket: NaN where the divisor is zero or missing.
func Ratio(num, den []float64) []float64 {
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

// PerSecond turns per-bucket counts into rates; the last bucket may be
// shorter than the others.
func PerSecond(ser *results.Series, counts []float64) []float64 {
	if counts == nil {
		return nil
	}
	out := make([]float64, len(counts))
	for b, x := range counts {
		out[b] = x / ser.Width(b)
	}
	return out
}

// Middles returns where each bucket is drawn: its middle, so that a value
// lines up with the fault windows that caused it.
func Middles(ser *results.Series) []float64 {
	out := make([]float64, len(ser.Times))
	for b, t := range ser.Times {
		out[b] = t + ser.Width(b)/2
	}
	return out
}

// AllZero reports whether a series has no non-zero value.
func AllZero(v []float64) bool {
	for _, x := range v {
		if x != 0 && !math.IsNaN(x) {
			return false
		}
	}
	return true
}

// NaNs returns n missing values.
func NaNs(n int) []float64 {
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
