package topology

import (
	"fmt"
	"math"
)

// String describes d the way a scenario file writes it.
func (d Dist) String() string {
	switch d.Kind {
	case DistConstant:
		return d.Value.String()
	case DistExponential:
		return fmt.Sprintf("exponential(mean %s)", d.Mean)
	case DistUniform:
		return fmt.Sprintf("uniform(%s, %s)", d.Min, d.Max)
	case DistLognormal:
		return fmt.Sprintf("lognormal(median %s, p99 %s)", d.Median, d.P99)
	default:
		return fmt.Sprintf("empirical(%d points)", len(d.Points))
	}
}

// z99 is the 99th percentile of the standard normal distribution.
var z99 = normalQuantile(0.99)

// normalQuantile is the inverse of the standard normal distribution
// function.
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// Lognormal returns the parameters of a lognormal distribution's logarithm,
// a normal distribution with mean mu and standard deviation sigma: a file
// gives the median e^mu and the p99 e^(mu + sigma*z99), where z99 is the
// standard normal's p99.
func (d Dist) Lognormal() (mu, sigma float64) {
	mu = math.Log(d.Median.Seconds())
	return mu, (math.Log(d.P99.Seconds()) - mu) / z99
}

// MeanSeconds is the distribution's expected value in seconds.
func (d Dist) MeanSeconds() float64 {
	switch d.Kind {
	case DistConstant:
		return d.Value.Seconds()
	case DistExponential:
		return d.Mean.Seconds()
	case DistUniform:
		return (d.Min + d.Max).Seconds() / 2
	case DistLognormal:
		mu, sigma := d.Lognormal()
		return math.Exp(mu + sigma*sigma/2)
	default:
		// The quantile function is piecewise linear, so the mean is the
		// area under it: the sum of trapezoids.
		var m float64
		for i := 1; i < len(d.Points); i++ {
			a, b := d.Points[i-1], d.Points[i]
			m += (b.P - a.P) * (a.Value + b.Value).Seconds() / 2
		}
		return m
	}
}

// QuantileSeconds is the distribution's p-quantile in seconds, for p in
// [0, 1].
func (d Dist) QuantileSeconds(p float64) float64 {
	switch d.Kind {
	case DistConstant:
		return d.Value.Seconds()
	case DistExponential:
		return -math.Log1p(-p) * d.Mean.Seconds()
	case DistUniform:
		return d.Min.Seconds() + p*(d.Max-d.Min).Seconds()
	case DistLognormal:
		mu, sigma := d.Lognormal()
		return math.Exp(mu + sigma*normalQuantile(p))
	default:
		return EmpiricalQuantile(d.Points, p)
	}
}

// EmpiricalQuantile interpolates linearly between the points of a
// percentile table: the p-quantile in seconds. Sampling it at a uniform p is
// inverse transform sampling.
func EmpiricalQuantile(points []Quantile, p float64) float64 {
	for i := 1; i < len(points); i++ {
		b := points[i]
		if p <= b.P {
			a := points[i-1]
			if b.P == a.P {
				return b.Value.Seconds()
			}
			f := (p - a.P) / (b.P - a.P)
			return a.Value.Seconds() + f*(b.Value-a.Value).Seconds()
		}
	}
	return points[len(points)-1].Value.Seconds()
}
