package random

import (
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
		mu, sigma := spec.Lognormal()
		d.lognorm = distuv.LogNormal{Mu: mu, Sigma: sigma, Src: src}
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
		return topology.EmpiricalQuantile(d.points, d.src.Float64())
	}
}
