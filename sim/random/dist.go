package random

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/failsim/failsim/topology"
)

// Dist draws durations, in seconds, from one distribution and one stream.
type Dist struct {
	kind     topology.DistKind
	constant float64
	exp      distuv.Exponential
	uniform  distuv.Uniform
	lognorm  distuv.LogNormal
	points   []topology.Quantile // empirical quantile function
	src      *rand.Rand
}

// z99 is the 99th percentile of the standard normal distribution.
var z99 = distuv.UnitNormal.Quantile(0.99)

// NewDist returns a sampler for spec drawing from src. The spec must be valid
// (topology validates it).
func NewDist(spec topology.Dist, src *rand.Rand) Dist {
	d := Dist{kind: spec.Kind, src: src}
	switch spec.Kind {
	case topology.DistConstant:
		d.constant = spec.Value.Seconds()
	case topology.DistExponential:
		d.exp = distuv.Exponential{Rate: 1 / spec.Mean.Seconds(), Src: src}
	case topology.DistUniform:
		d.uniform = distuv.Uniform{Min: spec.Min.Seconds(), Max: spec.Max.Seconds(), Src: src}
	case topology.DistLognormal:
		// median = e^mu and p99 = e^(mu + sigma*z99).
		mu := math.Log(spec.Median.Seconds())
		d.lognorm = distuv.LogNormal{Mu: mu, Sigma: (math.Log(spec.P99.Seconds()) - mu) / z99, Src: src}
	case topology.DistEmpirical:
		d.points = spec.Points
	}
	return d
}

// Sample draws one duration in seconds.
func (d *Dist) Sample() float64 {
	switch d.kind {
	case topology.DistConstant:
		return d.constant
	case topology.DistExponential:
		return d.exp.Rand()
	case topology.DistUniform:
		return d.uniform.Rand()
	case topology.DistLognormal:
		return d.lognorm.Rand()
	default:
		return empiricalQuantile(d.points, d.src.Float64())
	}
}

// Mean is the distribution's expected value in seconds.
func Mean(spec topology.Dist) float64 {
	switch spec.Kind {
	case topology.DistConstant:
		return spec.Value.Seconds()
	case topology.DistExponential:
		return spec.Mean.Seconds()
	case topology.DistUniform:
		return (spec.Min + spec.Max).Seconds() / 2
	case topology.DistLognormal:
		mu := math.Log(spec.Median.Seconds())
		sigma := (math.Log(spec.P99.Seconds()) - mu) / z99
		return math.Exp(mu + sigma*sigma/2)
	default:
		// The quantile function is piecewise linear, so the mean is the
		// area under it: the sum of trapezoids.
		var m float64
		for i := 1; i < len(spec.Points); i++ {
			a, b := spec.Points[i-1], spec.Points[i]
			m += (b.P - a.P) * (a.Value + b.Value).Seconds() / 2
		}
		return m
	}
}

// empiricalQuantile interpolates linearly between the points of a percentile
// table (inverse transform sampling).
func empiricalQuantile(points []topology.Quantile, u float64) float64 {
	for i := 1; i < len(points); i++ {
		b := points[i]
		if u <= b.P {
			a := points[i-1]
			if b.P == a.P {
				return b.Value.Seconds()
			}
			f := (u - a.P) / (b.P - a.P)
			return a.Value.Seconds() + f*(b.Value-a.Value).Seconds()
		}
	}
	return points[len(points)-1].Value.Seconds()
}

// Quantile returns the p-quantile of spec in seconds, for tests and checks.
func Quantile(spec topology.Dist, p float64) float64 {
	switch spec.Kind {
	case topology.DistConstant:
		return spec.Value.Seconds()
	case topology.DistExponential:
		return distuv.Exponential{Rate: 1 / spec.Mean.Seconds()}.Quantile(p)
	case topology.DistUniform:
		return distuv.Uniform{Min: spec.Min.Seconds(), Max: spec.Max.Seconds()}.Quantile(p)
	case topology.DistLognormal:
		mu := math.Log(spec.Median.Seconds())
		return distuv.LogNormal{Mu: mu, Sigma: (math.Log(spec.P99.Seconds()) - mu) / z99}.Quantile(p)
	default:
		return empiricalQuantile(spec.Points, p)
	}
}
