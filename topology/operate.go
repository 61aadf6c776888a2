package topology

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SLO is a service level objective on a client or component: a fraction
// Objective of its requests are good over Period. A request is good when it
// succeeds and, with a Latency, answers within it.
//
// Runs last minutes, SLO periods weeks, so an SLO is judged on a scaled
// clock: one simulated second stands for TimeScale seconds of the period.
// The period and every burn-rate window are divided by TimeScale; a burn
// rate, a ratio, is unchanged, so a window pair spends the same fraction of
// the error budget as it would in production.
type SLO struct {
	Name      string
	Targets   []int // a component, or every instance of a replicated service
	Objective float64
	Latency   time.Duration // 0: availability only
	Period    time.Duration
	TimeScale float64
	Pos       Pos
}

// Scaled is d, written in the SLO's production time, on the run's clock.
func (s SLO) Scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.TimeScale)
}

// AlertKind is how an alert decides.
type AlertKind uint8

// Alert kinds.
const (
	AlertThreshold AlertKind = iota // a metric above or below a value
	AlertBurnRate                   // an SLO's error budget burning too fast
)

var alertKindNames = []string{"threshold", "burn_rate"}

func (k AlertKind) String() string { return alertKindNames[k] }

// AlertMetric is what a threshold alert watches, over the last bucket.
type AlertMetric uint8

// Threshold alert metrics.
const (
	MetricErrorRatio  AlertMetric = iota // failed / answered
	MetricLatencyP99                     // p99 of the latency of answered calls, seconds (worst instance)
	MetricQueue                          // queue_mean (instances summed)
	MetricUtilization                    // busy workers / workers (instances together)
	MetricGoodput                        // a client's successful logical requests per second
)

var alertMetricNames = []string{"error_ratio", "latency_p99_s", "queue_mean", "utilization", "goodput_rps"}

func (m AlertMetric) String() string { return alertMetricNames[m] }

// Alert is a rule a monitoring system evaluates at the end of every bucket,
// with Prometheus' semantics: when its condition first holds it is pending;
// once the condition has held for For it fires; when the condition stops
// holding it resolves (a pending alert goes back to inactive).
type Alert struct {
	Name string
	Kind AlertKind
	For  time.Duration

	// Threshold: Metric of Targets compared with Threshold.
	Targets   []int
	Metric    AlertMetric
	Above     bool // fires above Threshold, else below
	Threshold float64

	// Burn rate: SLOs[SLO] burns faster than a window pair's rate over both
	// its windows, for any pair (the SRE workbook's multiwindow,
	// multi-burn-rate alert).
	SLO     int
	Windows []BurnWindow

	Pos Pos
}

// BurnWindow is one pair of the multiwindow alert: the burn rate must
// exceed Rate over both Long and Short, written in the SLO's production
// time (scale them with SLO.Scaled).
type BurnWindow struct {
	Rate        float64
	Long, Short time.Duration
}

// DefaultBurnWindows are the SRE workbook's paging pair for a 30-day SLO:
// 2% of the budget spent in an hour, or 5% in six hours.
var DefaultBurnWindows = []BurnWindow{
	{Rate: 14.4, Long: time.Hour, Short: 5 * time.Minute},
	{Rate: 6, Long: 6 * time.Hour, Short: 30 * time.Minute},
}

// Drift is a fault that degrades gradually: What moves linearly from From at
// the fault's start to To at its end. Latency is seconds added to work,
// capacity the workers (connections) left, errors a probability of failing.
type Drift struct {
	What     DriftWhat
	From, To float64
}

// DriftWhat is the parameter a drift moves.
type DriftWhat uint8

// Drifting parameters.
const (
	DriftLatency DriftWhat = iota
	DriftCapacity
	DriftErrors
)

var driftWhatNames = []string{"latency", "capacity", "errors"}

func (w DriftWhat) String() string { return driftWhatNames[w] }

// DriftAt is a drift fault's value at time t: From at its start, To at its
// end, on the straight line between.
func (f Fault) DriftAt(t time.Duration) float64 {
	frac := min(max(float64(t-f.At)/float64(f.For), 0), 1)
	return f.Drift.From + (f.Drift.To-f.Drift.From)*frac
}

var (
	sloKeys   = []string{"name", "target", "objective", "latency", "period", "time_scale"}
	alertKeys = []string{"name", "slo", "burn_rates", "target", "metric", "above", "below", "for"}
	burnKeys  = []string{"rate", "long", "short"}
)

// maxWindowBuckets bounds the ring of counts one SLO keeps.
const maxWindowBuckets = 1_000_000

func (d *decoder) slos(n *node, r *resolver, sc *Scenario) []SLO {
	arr := d.list(n, "slo")
	var out []SLO
	owner := map[int]string{} // component -> SLO name
	for i, sn := range arr {
		o := d.object(sn, fmt.Sprintf("slo[%d]", i), sloKeys...)
		if o == nil {
			continue
		}
		s := SLO{Pos: Pos{File: d.file, Line: sn.key.Line, Col: sn.key.Col}, Period: 30 * 24 * time.Hour, TimeScale: 60}
		s.Targets = r.resolveTarget(o, "target")
		s.Name = o.str("name", o.str("target", ""))
		if !o.has("objective") {
			o.missing("objective", "the fraction of good requests, e.g. 0.999")
		}
		s.Objective = o.number("objective", 0.999, 0, 1)
		if n := o.get("objective"); n != nil && (s.Objective <= 0 || s.Objective >= 1) {
			o.errorf(n, "objective must be strictly between 0 and 1 (write 99.9%% as 0.999)")
		}
		s.Latency = o.positive("latency", 0)
		s.Period = d.days(o, "period", s.Period)
		s.TimeScale = o.number("time_scale", s.TimeScale, 1, 1e9)
		if scaled := s.Scaled(s.Period); scaled < sc.Metrics.Bucket {
			o.errorf(o.n, "period %s at time_scale %g is %s of simulated time, shorter than one bucket (%s)", s.Period, s.TimeScale, scaled, sc.Metrics.Bucket)
		}
		for _, t := range s.Targets {
			if prev, ok := owner[t]; ok {
				o.errorf(o.get("target"), "%s already has SLO %q; one SLO per component", sc.Components[t].Name, prev)
			}
			owner[t] = s.Name
		}
		for _, prev := range out {
			if prev.Name == s.Name {
				o.errorf(o.n, "two SLOs are named %q; give one a name", s.Name)
			}
		}
		out = append(out, s)
	}
	return out
}

// days reads a positive duration that may also be written in days ("30d"),
// the unit SLO periods are usually stated in.
func (d *decoder) days(o *object, key string, def time.Duration) time.Duration {
	n := o.get(key)
	s, ok := "", false
	if n != nil {
		s, ok = n.v.(string)
	}
	if !ok {
		return o.positive(key, def) // absent, or says what is wrong with it
	}
	v, err := time.ParseDuration(s)
	if days, e := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64); strings.HasSuffix(s, "d") && e == nil {
		v, err = time.Duration(days*float64(24*time.Hour)), nil
	}
	if err != nil || v <= 0 {
		o.errorf(n, "%s: %q is not a positive duration like \"30d\" or \"720h\"", key, s)
		return def
	}
	return v
}

func (d *decoder) alerts(n *node, r *resolver, sc *Scenario) []Alert {
	arr := d.list(n, "alert")
	var out []Alert
	sloNames := make([]string, len(sc.SLOs))
	for i, s := range sc.SLOs {
		sloNames[i] = s.Name
	}
	for i, an := range arr {
		o := d.object(an, fmt.Sprintf("alert[%d]", i), alertKeys...)
		if o == nil {
			continue
		}
		a := Alert{Pos: Pos{File: d.file, Line: an.key.Line, Col: an.key.Col}}
		a.Name = o.str("name", "")
		switch {
		case !o.has("name"):
			o.missing("name", "what the alert is called in results")
		case a.Name == "" || strings.ContainsAny(a.Name, ",\"\n"):
			o.errorf(o.get("name"), "name must be non-empty, without commas, quotes or newlines")
		}
		for _, prev := range out {
			if prev.Name == a.Name && a.Name != "" {
				o.errorf(o.get("name"), "two alerts are named %q", a.Name)
			}
		}
		a.For = o.duration("for", 0, false)
		if o.has("slo") {
			a.Kind = AlertBurnRate
			for _, k := range []string{"target", "metric", "above", "below"} {
				if n := o.get(k); n != nil {
					o.errorf(n, "%s does not apply to a burn-rate alert (it watches its SLO's targets)", k)
				}
			}
			name := o.str("slo", "")
			a.SLO = -1
			for j, s := range sc.SLOs {
				if s.Name == name {
					a.SLO = j
				}
			}
			if a.SLO < 0 {
				o.errorf(o.get("slo"), "no [[slo]] named %q%s", name, DidYouMean(name, sloNames))
				continue
			}
			a.Windows = d.burnWindows(o, sc.SLOs[a.SLO], sc.Metrics.Bucket)
			for _, w := range a.Windows {
				// The error ratio would have to exceed 100%.
				if budget := 1 - sc.SLOs[a.SLO].Objective; w.Rate*budget >= 1 {
					where := o.get("burn_rates")
					if where == nil {
						where = o.get("slo")
					}
					o.errorf(where, "a burn rate of %g can never be reached with objective %g: it needs an error ratio of %.4g; use rates below %.4g",
						w.Rate, sc.SLOs[a.SLO].Objective, w.Rate*budget, 1/budget)
					break
				}
			}
		} else {
			a.Kind = AlertThreshold
			if n := o.get("burn_rates"); n != nil {
				o.errorf(n, "burn_rates needs slo: name the [[slo]] whose budget it watches")
			}
			if !o.has("target") && !o.has("metric") {
				o.missing("slo", "a burn-rate alert names an [[slo]]; a threshold alert has target and metric instead")
				continue
			}
			a.Targets = r.resolveTarget(o, "target")
			if !o.has("metric") {
				o.missing("metric", "one of "+quoteList(alertMetricNames))
			}
			m := o.enum("metric", -1, alertMetricNames)
			above, below := o.get("above"), o.get("below")
			switch {
			case above != nil && below != nil:
				o.errorf(below, "an alert fires either above or below a value, not both")
			case above == nil && below == nil:
				o.missing("above", "the value above which it fires (or below = ...)")
			}
			a.Above = above != nil
			if a.Above {
				a.Threshold = o.number("above", 0, 0, 1e12)
			} else {
				a.Threshold = o.number("below", 0, 0, 1e12)
			}
			if m < 0 || a.Targets == nil {
				continue
			}
			a.Metric = AlertMetric(m)
			for _, t := range a.Targets {
				c := sc.Components[t]
				ok := true
				switch a.Metric {
				case MetricGoodput:
					ok = c.Kind == KindClient
				case MetricQueue, MetricUtilization:
					ok = c.Server != nil
				}
				if !ok {
					o.errorf(o.get("metric"), "%s is not a metric of %s %q", a.Metric, c.Kind, c.Name)
					break
				}
			}
		}
		out = append(out, a)
	}
	return out
}

func (d *decoder) burnWindows(o *object, s SLO, bucket time.Duration) []BurnWindow {
	n := o.get("burn_rates")
	if n == nil {
		return DefaultBurnWindows
	}
	var out []BurnWindow
	for i, wn := range d.list(n, "burn_rates") {
		w := d.object(wn, fmt.Sprintf("%s: burn_rates[%d]", o.what, i), burnKeys...)
		if w == nil {
			continue
		}
		for _, k := range burnKeys {
			if !w.has(k) {
				w.missing(k, "each pair is { rate = 14.4, long = \"1h\", short = \"5m\" }")
			}
		}
		b := BurnWindow{Rate: w.number("rate", 1, 0, 1e6), Long: w.positive("long", time.Hour), Short: w.positive("short", 5*time.Minute)}
		if b.Short >= b.Long && w.has("short") && w.has("long") {
			w.errorf(w.get("short"), "the short window (%s) must be shorter than the long one (%s)", b.Short, b.Long)
		}
		if buckets := s.Scaled(b.Long) / bucket; buckets > maxWindowBuckets {
			w.errorf(w.get("long"), "%s at time_scale %g is %d buckets; use at most %d (a larger time_scale or bucket)", b.Long, s.TimeScale, buckets, maxWindowBuckets)
		}
		out = append(out, b)
	}
	return out
}

// list reads an array of tables written as [[key]].
func (d *decoder) list(n *node, key string) []*node {
	if n == nil {
		return nil
	}
	arr, ok := n.v.([]*node)
	if !ok {
		d.errorf(n, "%s must be a list: write each as [[%s]]", key, key)
		return nil
	}
	return arr
}

var driftKeys = []string{"what", "from", "to"}

// drift reads a drift fault's what, from and to. From defaults to the
// healthy value: no added latency, no errors, the target's own workers.
func (d *decoder) drift(o *object, f *Fault, sc *Scenario) bool {
	if !o.has("what") {
		o.missing("what", "the parameter that drifts: one of "+quoteList(driftWhatNames))
	}
	if !o.has("to") {
		o.missing("to", "the value the parameter reaches at the end of the fault")
	}
	w := o.enum("what", -1, driftWhatNames)
	if w < 0 {
		return false
	}
	f.Drift.What = DriftWhat(w)
	switch f.Drift.What {
	case DriftLatency:
		f.Drift.From = o.duration("from", 0, false).Seconds()
		f.Drift.To = o.duration("to", 0, false).Seconds()
	case DriftCapacity:
		workers := 0
		if srv := sc.Components[f.Targets[0]].Server; srv != nil {
			workers = srv.Workers
		}
		f.Drift.From = float64(o.integer("from", workers, 0, 1_000_000))
		f.Drift.To = float64(o.integer("to", workers, 0, 1_000_000))
	case DriftErrors:
		f.Drift.From = o.number("from", 0, 0, 1)
		f.Drift.To = o.number("to", 0, 0, 1)
	}
	return true
}

// String is the drift in words, e.g. "latency 0s→200ms".
func (d Drift) String() string {
	switch d.What {
	case DriftLatency:
		sec := func(v float64) time.Duration { return time.Duration(v * float64(time.Second)).Round(time.Microsecond) }
		return fmt.Sprintf("latency +%s→+%s", sec(d.From), sec(d.To))
	case DriftCapacity:
		return fmt.Sprintf("capacity %g→%g workers", d.From, d.To)
	}
	return fmt.Sprintf("errors %g%%→%g%%", 100*d.From, 100*d.To)
}
