package results

import (
	"math"
	"testing"
)

// Two-sided 95% critical values of Student's t, from any statistics table.
func TestTQuantileMatchesTheTables(t *testing.T) {
	for _, c := range []struct {
		df   int
		want float64
	}{{1, 12.706}, {2, 4.303}, {4, 2.776}, {9, 2.262}, {19, 2.093}, {29, 2.045}, {120, 1.980}} {
		if got := TQuantile(c.df); math.Abs(got-c.want) > 0.0005 {
			t.Errorf("t(0.975, %d) = %.4f, want %.3f", c.df, got, c.want)
		}
	}
}

func TestMeanIntervalByHand(t *testing.T) {
	// mean 3, s = √2.5, half-width t(4)·s/√5 = 2.776·0.7071 = 1.963
	e := MeanInterval([]float64{1, 2, math.NaN(), 3, 4, 5})
	if e.N != 5 || e.Mean != 3 || math.Abs(e.HalfWidth()-1.9632) > 1e-3 {
		t.Fatalf("got n=%d mean=%g ±%g, want n=5 mean=3 ±1.963", e.N, e.Mean, e.HalfWidth())
	}
	if one := MeanInterval([]float64{7}); one.Lo != nil || one.Mean != 7 {
		t.Fatalf("one value has no interval, got %+v", one)
	}
}

// Wilson intervals at the 95% level, as tabulated (e.g. by R's
// binom.confint(method = "wilson")).
func TestProportionIsWilson(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{{0, 10, 0, 0.2775}, {10, 10, 0.7225, 1}, {5, 10, 0.2366, 0.7634}, {3, 10, 0.1078, 0.6032}} {
		xs := make([]float64, c.n)
		for i := range c.k {
			xs[i] = 1
		}
		e := Proportion(xs)
		if math.Abs(*e.Lo-c.lo) > 1e-4 || math.Abs(*e.Hi-c.hi) > 1e-4 {
			t.Errorf("%d/%d: [%.4f, %.4f], want [%.4f, %.4f]", c.k, c.n, *e.Lo, *e.Hi, c.lo, c.hi)
		}
	}
}

func TestPairedDifferenceUsesThePairs(t *testing.T) {
	// Noisy sides, a steady difference of 1: the sides' intervals overlap,
	// the paired one does not include 0.
	xs := []float64{10, 20, 30, 40}
	ys := []float64{11, 21.1, 30.9, 41}
	d := pairedDifference(xs, ys)
	if !d.Significant || math.Abs(d.Mean-1) > 1e-9 || d.Test != testPairedT {
		t.Fatalf("got %+v, want a significant difference of 1", d)
	}
	if d := pairedDifference(xs, xs); d.Significant || d.Mean != 0 {
		t.Fatalf("no difference: got %+v", d)
	}
}

func TestMcNemarCountsDisagreeingSeeds(t *testing.T) {
	ones := func(k, n int) []float64 {
		xs := make([]float64, n)
		for i := range k {
			xs[i] = 1
		}
		return xs
	}
	// 6 of 6 disagreements one way: p = 2/64 < 5%; 5 of 5: p = 1/16.
	if d := mcNemar(ones(0, 10), ones(6, 10)); !d.Significant || d.Mean != 0.6 {
		t.Errorf("6 seeds better: %+v", d)
	}
	if d := mcNemar(ones(0, 10), ones(5, 10)); d.Significant {
		t.Errorf("5 seeds better is not significant at 5%%: %+v", d)
	}
	if d := mcNemar(ones(10, 10), ones(10, 10)); d.Significant || d.Mean != 0 {
		t.Errorf("all agree: %+v", d)
	}
}

// Issue 18's case: retry-storm's envoy-circuit-breakers recovered at once
// on nine seeds of ten and after 143s on one. A mean ± t said 14.3 ± 32.3s,
// reaching -18s; the median and its order-statistic interval say what the
// seeds saw.
func TestRecoveryOnBimodalSeedsIsAMedianNeverNegative(t *testing.T) {
	e := MedianInterval([]float64{0, 0, 0, 0, 0, 0, 0, 0, 143, 0})
	if e.Statistic != "median" || e.Center() != 0 || e.Lo == nil || *e.Lo != 0 || *e.Hi != 0 {
		t.Fatalf("got center %v [%v, %v] (%s), want the median 0 [0, 0]", e.Center(), e.Lo, e.Hi, e.Statistic)
	}
	if m := MeanInterval([]float64{0, 0, 0, 0, 0, 0, 0, 0, 143, 0}); *m.Lo >= 0 {
		t.Fatalf("the mean's interval was the problem: got lo %v, want below zero", *m.Lo)
	}
}
