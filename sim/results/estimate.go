package results

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Every interval is at 95%: Student t over the seeds for means and paired
// differences, Wilson for the fraction of seeds that recovered, order
// statistics for medians.
const level = 0.95

// Estimate is an outcome over the seeds that have a value: their mean, and
// its 95% confidence interval (null with fewer than two values). For an
// outcome whose values are bounded and often bimodal (the time until
// recovery: zero on most seeds, minutes on a few), a mean ± t interval
// says what no seed saw, a negative time among others; its Median is given,
// with the interval of the median in Lo and Hi, and Statistic says so.
type Estimate struct {
	N         int      `json:"n"`
	Mean      float64  `json:"mean"`
	Lo        *float64 `json:"lo"`
	Hi        *float64 `json:"hi"`
	Median    *float64 `json:"median,omitempty"`
	Statistic string   `json:"statistic,omitempty"` // "median" when Lo and Hi bound the median; the mean otherwise
}

// Center is what the estimate stands for: its median when it is an
// estimate of the median, else its mean.
func (e Estimate) Center() float64 {
	if e.Median != nil {
		return *e.Median
	}
	return e.Mean
}

// HalfWidth is half the interval's width; NaN without an interval.
func (e Estimate) HalfWidth() float64 {
	if e.Lo == nil {
		return math.NaN()
	}
	return (*e.Hi - *e.Lo) / 2
}

// Difference is a side's outcome minus the reference's over the seeds both
// have: its mean, its 95% interval, and whether the difference is
// significant by its Test. For outcomes estimated by their median, Median
// is the median of the paired differences and Lo and Hi bound it.
type Difference struct {
	N           int      `json:"n"`
	Mean        float64  `json:"mean"`
	Lo          *float64 `json:"lo"`
	Hi          *float64 `json:"hi"`
	Significant bool     `json:"significant"`
	Test        string   `json:"test"`
	Median      *float64 `json:"median,omitempty"`
}

// Center is the difference's median when it has one, else its mean.
func (d Difference) Center() float64 {
	if d.Median != nil {
		return *d.Median
	}
	return d.Mean
}

// The tests a Difference names.
const (
	testPairedT = "paired t"
	testMcNemar = "exact McNemar"
	testSign    = "exact sign"
)

// TQuantile returns the two-sided 95% critical value of Student's t with df
// degrees of freedom: the 0.975 quantile, 2.262 for ten seeds.
func TQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(1 - (1-level)/2)
}

// MeanInterval estimates the mean of xs, NaN meaning "no value", with the
// Student t interval mean ± t·s/√n.
func MeanInterval(xs []float64) Estimate {
	vs := present(xs)
	n := len(vs)
	if n == 0 {
		return Estimate{}
	}
	m := mean(vs)
	e := Estimate{N: n, Mean: m}
	if n > 1 {
		hw := TQuantile(n-1) * stddev(vs, m) / math.Sqrt(float64(n))
		e.Lo, e.Hi = ptr(m-hw), ptr(m+hw)
	}
	return e
}

// Proportion estimates the fraction of 0/1 values xs that are 1 with the
// Wilson score interval, which stays inside [0, 1] and is not empty when
// every seed agrees (a t interval would claim certainty from 10 of 10).
func Proportion(xs []float64) Estimate {
	vs := present(xs)
	n := float64(len(vs))
	if n == 0 {
		return Estimate{}
	}
	p := mean(vs)
	z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	centre := (p + z*z/(2*n)) / (1 + z*z/n)
	hw := z / (1 + z*z/n) * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return Estimate{N: len(vs), Mean: p, Lo: ptr(max(0, centre-hw)), Hi: ptr(min(1, centre+hw))}
}

// pairedDifference estimates ys − xs seed by seed over the seeds where both
// have a value. Common random numbers make the pairs alike in everything
// but the change, so this interval is much narrower than the two sides'
// intervals suggest.
func pairedDifference(xs, ys []float64) Difference {
	var ds []float64
	for i := range xs {
		if !math.IsNaN(xs[i]) && !math.IsNaN(ys[i]) {
			ds = append(ds, ys[i]-xs[i])
		}
	}
	e := MeanInterval(ds)
	d := Difference{N: e.N, Mean: e.Mean, Lo: e.Lo, Hi: e.Hi, Test: testPairedT}
	d.Significant = e.Lo != nil && (*e.Lo > 0 || *e.Hi < 0)
	return d
}

// mcNemar compares two 0/1 outcomes seed by seed with the exact McNemar
// test: only the seeds where the sides disagree count, and under no
// difference each goes either way with probability 1/2. Significant when
// the two-sided p-value is below 5%.
func mcNemar(xs, ys []float64) Difference {
	var n, up, down int
	var sx, sy float64
	for i := range xs {
		if math.IsNaN(xs[i]) || math.IsNaN(ys[i]) {
			continue
		}
		n++
		sx, sy = sx+xs[i], sy+ys[i]
		switch {
		case ys[i] > xs[i]:
			up++
		case ys[i] < xs[i]:
			down++
		}
	}
	d := Difference{N: n, Test: testMcNemar}
	if n == 0 {
		return d
	}
	d.Mean = (sy - sx) / float64(n)
	if discordant := up + down; discordant > 0 {
		p := 2 * distuv.Binomial{N: float64(discordant), P: 0.5}.CDF(float64(min(up, down)))
		d.Significant = p < 1-level
	}
	return d
}

// MedianInterval estimates the median of xs, NaN meaning "no value", with
// the distribution-free interval of order statistics: [x(k), x(n+1-k)] for
// the largest k whose coverage under Binomial(n, 1/2) is at least 95% (x(2)
// and x(9) of ten seeds, 97.9%). Its ends are values some seed had, so a
// time is never negative. Fewer than six values give no interval. The mean
// is kept beside it.
func MedianInterval(xs []float64) Estimate {
	vs := present(xs)
	n := len(vs)
	if n == 0 {
		return Estimate{}
	}
	slices.Sort(vs)
	e := Estimate{N: n, Mean: mean(vs), Median: ptr(median(vs)), Statistic: "median"}
	if k := orderRank(n); k > 0 {
		e.Lo, e.Hi = ptr(vs[k-1]), ptr(vs[n-k])
	}
	return e
}

// orderRank is the largest k for which [x(k), x(n+1-k)] covers the median
// with probability 95% or more; 0 when none does.
func orderRank(n int) int {
	b := distuv.Binomial{N: float64(n), P: 0.5}
	k := 0
	for j := 1; 2*j <= n; j++ {
		// P(x(j) <= median <= x(n+1-j)) = 1 - 2 P(Bin(n, 1/2) <= j-1)
		if 1-2*b.CDF(float64(j-1)) >= level {
			k = j
		}
	}
	return k
}

// signDifference compares group ys with reference xs seed by seed by the
// median of the differences, with the exact sign test: a seed where ys is
// higher and one where it is lower are equally likely under no difference;
// seeds with no difference do not count. Significant when the two-sided
// p-value is below 5%.
func signDifference(xs, ys []float64) Difference {
	var ds []float64
	up, down := 0, 0
	for i := range xs {
		if math.IsNaN(xs[i]) || math.IsNaN(ys[i]) {
			continue
		}
		d := ys[i] - xs[i]
		ds = append(ds, d)
		switch {
		case d > 0:
			up++
		case d < 0:
			down++
		}
	}
	e := MedianInterval(ds)
	d := Difference{N: e.N, Mean: e.Mean, Lo: e.Lo, Hi: e.Hi, Median: e.Median, Test: testSign}
	if n := up + down; n > 0 {
		p := 2 * distuv.Binomial{N: float64(n), P: 0.5}.CDF(float64(min(up, down)))
		d.Significant = p < 1-level
	}
	return d
}

// median of sorted vs.
func median(vs []float64) float64 {
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

func present(xs []float64) []float64 {
	vs := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			vs = append(vs, x)
		}
	}
	return vs
}

// mean sums in the given order, so the same values give the same bits.
func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func stddev(xs []float64, m float64) float64 {
	var s float64
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(xs)-1))
}

func ptr(f float64) *float64 { return &f }
