package scenariofile

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

var (
	sloKeys   = []string{"name", "target", "objective", "latency", "period", "time_scale"}
	alertKeys = []string{"name", "slo", "burn_rates", "target", "metric", "above", "below", "for"}
	burnKeys  = []string{"rate", "long", "short"}
)

func (d *decoder) slos(n *node, r *resolver, sc *topology.Scenario) []topology.SLO {
	arr := d.list(n, "slo")
	var out []topology.SLO
	owner := map[int]string{} // component -> SLO name
	for i, sn := range arr {
		o := d.object(sn, fmt.Sprintf("slo[%d]", i), sloKeys...)
		if o == nil {
			continue
		}
		s := topology.SLO{Pos: topology.Pos{File: d.file, Line: sn.key.Line, Col: sn.key.Col}, Period: 30 * 24 * time.Hour, TimeScale: 60}
		s.Targets = r.resolveTarget(o, "target")
		watchable(o, s.Targets, sc)
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

// watchable checks that an SLO's or an alert's target is reported on its
// own: one instance of a fleet, reported with the others, is not.
func watchable(o *object, targets []int, sc *topology.Scenario) {
	if len(targets) != 1 {
		return
	}
	c := sc.Components[targets[0]]
	if c.Group == c.Name {
		return
	}
	n := 0
	for _, other := range sc.Components {
		if other.Group == c.Group {
			n++
		}
	}
	if limit := sc.Metrics.PerInstanceUpTo; n > limit {
		o.errorf(o.get("target"), "%s is one of the %d instances of %s, reported together (more than [metrics] per_instance_up_to = %d): watch %q, or raise per_instance_up_to",
			c.Name, n, c.Group, limit, c.Group)
	}
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

func (d *decoder) alerts(n *node, r *resolver, sc *topology.Scenario) []topology.Alert {
	arr := d.list(n, "alert")
	var out []topology.Alert
	sloNames := make([]string, len(sc.SLOs))
	for i, s := range sc.SLOs {
		sloNames[i] = s.Name
	}
	for i, an := range arr {
		o := d.object(an, fmt.Sprintf("alert[%d]", i), alertKeys...)
		if o == nil {
			continue
		}
		a := topology.Alert{Pos: topology.Pos{File: d.file, Line: an.key.Line, Col: an.key.Col}}
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
			a.Kind = topology.AlertBurnRate
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
				o.errorf(o.get("slo"), "no [[slo]] named %q%s", name, human.DidYouMean(name, sloNames))
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
			a.Kind = topology.AlertThreshold
			if n := o.get("burn_rates"); n != nil {
				o.errorf(n, "burn_rates needs slo: name the [[slo]] whose budget it watches")
			}
			if !o.has("target") && !o.has("metric") {
				o.missing("slo", "a burn-rate alert names an [[slo]]; a threshold alert has target and metric instead")
				continue
			}
			a.Targets = r.resolveTarget(o, "target")
			watchable(o, a.Targets, sc)
			if !o.has("metric") {
				o.missing("metric", "one of "+quoteList(topology.AlertMetricNames))
			}
			m := o.enum("metric", -1, topology.AlertMetricNames)
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
			a.Metric = topology.AlertMetric(m)
			for _, t := range a.Targets {
				c := sc.Components[t]
				ok := true
				switch a.Metric {
				case topology.MetricGoodput:
					ok = c.Kind == topology.KindClient
				case topology.MetricQueue, topology.MetricUtilization:
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

func (d *decoder) burnWindows(o *object, s topology.SLO, bucket time.Duration) []topology.BurnWindow {
	n := o.get("burn_rates")
	if n == nil {
		return topology.DefaultBurnWindows
	}
	var out []topology.BurnWindow
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
		b := topology.BurnWindow{Rate: w.number("rate", 1, 0, 1e6), Long: w.positive("long", time.Hour), Short: w.positive("short", 5*time.Minute)}
		if b.Short >= b.Long && w.has("short") && w.has("long") {
			w.errorf(w.get("short"), "the short window (%s) must be shorter than the long one (%s)", b.Short, b.Long)
		}
		if buckets := s.Scaled(b.Long) / bucket; buckets > maxBuckets {
			w.errorf(w.get("long"), "%s at time_scale %g is %d buckets; use at most %d (a larger time_scale or bucket)", b.Long, s.TimeScale, buckets, maxBuckets)
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
// healthy value: no added latency, no errors, no loss, the target's own
// workers. Links drift in latency and loss, components in the others.
func (d *decoder) drift(o *object, f *topology.Fault, sc *topology.Scenario) bool {
	if !o.has("what") {
		o.missing("what", "the parameter that drifts: one of "+quoteList(topology.DriftWhatNames))
	}
	if !o.has("to") {
		o.missing("to", "the value the parameter reaches at the end of the fault")
	}
	w := o.enum("what", -1, topology.DriftWhatNames)
	if w < 0 {
		return false
	}
	f.Drift.What = topology.DriftWhat(w)
	onLinks := f.Drift.What == topology.DriftLatency || f.Drift.What == topology.DriftLoss
	switch {
	case f.Link != nil && !onLinks:
		o.errorf(o.get("what"), `%s drifts on components; on links, what is "latency" or "loss"`, topology.DriftWhatNames[w])
		return false
	case f.Link == nil && f.Drift.What == topology.DriftLoss:
		o.errorf(o.get("what"), `loss drifts on links: give link = "A -> B" instead of target`)
		return false
	}
	switch f.Drift.What {
	case topology.DriftLatency:
		f.Drift.From = o.duration("from", 0, false).Seconds()
		f.Drift.To = o.duration("to", 0, false).Seconds()
	case topology.DriftCapacity:
		workers := 0
		if srv := sc.Components[f.Targets[0]].Server; srv != nil {
			workers = srv.Workers
		}
		f.Drift.From = float64(o.integer("from", workers, 0, 1_000_000))
		f.Drift.To = float64(o.integer("to", workers, 0, 1_000_000))
	case topology.DriftErrors, topology.DriftLoss:
		f.Drift.From = o.number("from", 0, 0, 1)
		f.Drift.To = o.number("to", 0, 0, 1)
	}
	return true
}
