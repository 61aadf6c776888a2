package scenariofile

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

var distKinds = []string{"constant", "exponential", "uniform", "lognormal", "empirical"}

// dist reads a distribution of durations: a duration string (constant) or a
// table { dist = "...", ... }.
func (d *decoder) dist(o *object, key string, def topology.Dist) topology.Dist {
	n := o.get(key)
	if n == nil {
		return def
	}
	if _, ok := n.v.(string); ok {
		v, ok := d.parseDuration(n, false)
		if !ok {
			return def
		}
		return topology.Dist{Kind: topology.DistConstant, Value: v}
	}
	if _, ok := n.v.(*table); !ok {
		o.errorf(n, `%s must be a duration such as "20ms" or a distribution such as { dist = "exponential", mean = "20ms" }, got %s`, key, describe(n.v))
		return def
	}
	what := o.what + " " + key
	t := n.v.(*table)
	kn := t.m["dist"]
	if kn == nil {
		d.keyErrorf(n, `%s: missing "dist" (one of %s)`, what, quoteList(distKinds))
		return def
	}
	kind, _ := kn.v.(string)
	var out topology.Dist
	switch kind {
	case "constant":
		do := d.object(n, what, "dist", "value")
		out = topology.Dist{Kind: topology.DistConstant, Value: do.required("value")}
	case "exponential":
		do := d.object(n, what, "dist", "mean")
		out = topology.Dist{Kind: topology.DistExponential, Mean: do.required("mean")}
		if out.Mean == 0 && do.has("mean") {
			do.errorf(do.get("mean"), "mean must be more than zero")
		}
	case "uniform":
		do := d.object(n, what, "dist", "min", "max")
		out = topology.Dist{Kind: topology.DistUniform, Min: do.required("min"), Max: do.required("max")}
		if out.Max < out.Min {
			do.errorf(do.get("max"), "max %s is less than min %s", out.Max, out.Min)
		}
	case "lognormal":
		do := d.object(n, what, "dist", "median", "p99")
		out = topology.Dist{Kind: topology.DistLognormal, Median: do.required("median"), P99: do.required("p99")}
		if do.has("median") && do.has("p99") && (out.Median <= 0 || out.P99 <= out.Median) {
			do.errorf(do.get("p99"), "need 0 < median < p99, got median %s and p99 %s", out.Median, out.P99)
		}
	case "empirical":
		do := d.object(n, what, "dist", "percentiles")
		out = topology.Dist{Kind: topology.DistEmpirical, Points: d.percentiles(do)}
	default:
		d.errorf(kn, "%s: dist must be one of %s, got %s%s", what, quoteList(distKinds), describe(kn.v), human.DidYouMean(kind, distKinds))
		return def
	}
	return out
}

// required reads a duration that must be present.
func (o *object) required(key string) time.Duration {
	if !o.has(key) {
		o.missing(key, "a duration such as \"20ms\"")
		return 0
	}
	return o.duration(key, 0, false)
}

// percentiles reads an empirical distribution's table, e.g.
// { p0 = "1ms", p50 = "20ms", p99 = "200ms", p999 = "800ms", p100 = "2s" }.
func (d *decoder) percentiles(o *object) []topology.Quantile {
	n := o.get("percentiles")
	if n == nil {
		o.missing("percentiles", `a table such as { min = "1ms", p50 = "20ms", p99 = "200ms", max = "2s" }`)
		return nil
	}
	t, ok := n.v.(*table)
	if !ok {
		o.errorf(n, "percentiles must be a table such as { min = \"1ms\", p50 = \"20ms\", max = \"2s\" }, got %s", describe(n.v))
		return nil
	}
	var pts []topology.Quantile
	byP := map[float64]string{}
	for _, k := range t.keys {
		kn := t.m[k]
		p, ok := percentileKey(k)
		if !ok {
			d.keyErrorf(kn, "%s percentiles: %q is not a percentile; write p50, p90, p99, p999 (99.9th), min or max", o.what, k)
			continue
		}
		if prev, dup := byP[p]; dup {
			d.keyErrorf(kn, "%s percentiles: %q is the same percentile as %q", o.what, k, prev)
			continue
		}
		byP[p] = k
		v, ok := d.parseDuration(kn, false)
		if !ok {
			continue
		}
		pts = append(pts, topology.Quantile{P: p, Value: v})
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].P < pts[j].P })
	if len(pts) > 0 && (pts[0].P != 0 || pts[len(pts)-1].P != 1) {
		o.errorf(n, "percentiles must include min (or p0) and max (or p100), so every draw has a bound")
		return nil
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Value < pts[i-1].Value {
			o.errorf(t.m[byP[pts[i].P]], "%s is %s, less than %s at %s: percentiles must not decrease",
				byP[pts[i].P], pts[i].Value, byP[pts[i-1].P], pts[i-1].Value)
		}
	}
	return pts
}

// percentileKey reads "min", "max" or p followed by digits, where the first
// two digits are the whole percent and the rest decimals: p5 = 5%, p50 = 50%,
// p999 = 99.9%, p9999 = 99.99%, and p100 = 100%.
func percentileKey(k string) (float64, bool) {
	switch k {
	case "min":
		return 0, true
	case "max":
		return 1, true
	}
	digits, ok := strings.CutPrefix(k, "p")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	if digits == "100" {
		return 1, true
	}
	v, err := strconv.ParseUint(digits, 10, 32)
	if err != nil || len(digits) > 9 {
		return 0, false
	}
	scale := 100.0 // p5, p50
	if len(digits) > 2 {
		scale = math.Pow(10, float64(len(digits))) // p999 = 999/1000
	}
	return float64(v) / scale, true
}
