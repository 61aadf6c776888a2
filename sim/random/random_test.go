package random

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

func TestStreamsAreReproducibleAndIndependent(t *testing.T) {
	draw := func(seed uint64, comp, purpose string) []uint64 {
		r := Stream(seed, comp, purpose)
		out := make([]uint64, 4)
		for i := range out {
			out[i] = r.Uint64()
		}
		return out
	}
	base := draw(1, "db", "work")
	if !slices.Equal(base, draw(1, "db", "work")) {
		t.Fatal("same seed, component and purpose gave different draws")
	}
	for _, other := range [][]uint64{
		draw(2, "db", "work"),
		draw(1, "db2", "work"),
		draw(1, "db", "errors"),
		draw(1, "dbw", "ork"), // the separator keeps name and purpose apart
	} {
		if slices.Equal(base, other) {
			t.Fatal("different stream gave the same draws")
		}
	}
}

func TestDistributionsMatchTheirQuantiles(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		spec topology.Dist
		mean float64 // closed form, seconds
	}{
		{"constant", topology.Dist{Kind: topology.DistConstant, Value: 20 * ms}, 0.020},
		{"exponential", topology.Dist{Kind: topology.DistExponential, Mean: 50 * ms}, 0.050},
		{"uniform", topology.Dist{Kind: topology.DistUniform, Min: 10 * ms, Max: 30 * ms}, 0.020},
		// median 20ms, p99 200ms: sigma = ln(10)/2.3263 = 0.98981, mean = 0.02*e^(sigma^2/2)
		{"lognormal", topology.Dist{Kind: topology.DistLognormal, Median: 20 * ms, P99: 200 * ms}, 0.02 * math.Exp(0.98981*0.98981/2)},
		{"empirical", topology.Dist{Kind: topology.DistEmpirical, Points: []topology.Quantile{
			{P: 0, Value: 0}, {P: 0.5, Value: 10 * ms}, {P: 0.9, Value: 30 * ms}, {P: 1, Value: 100 * ms},
		}}, 0.5*0.005 + 0.4*0.020 + 0.1*0.065},
	}
	const n = 400000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.spec.MeanSeconds(); math.Abs(got-tt.mean) > 1e-4*tt.mean {
				t.Fatalf("Mean = %g, closed form %g", got, tt.mean)
			}
			d := NewDist(tt.spec, Stream(7, "c", "work"))
			xs := make([]float64, n)
			var sum float64
			for i := range xs {
				xs[i] = d.Sample()
				sum += xs[i]
			}
			if got := sum / n; math.Abs(got-tt.mean) > 0.01*tt.mean {
				t.Errorf("sample mean %g, want %g within 1%%", got, tt.mean)
			}
			slices.Sort(xs)
			for _, p := range []float64{0.1, 0.5, 0.9, 0.99} {
				got, want := xs[int(p*n)], tt.spec.QuantileSeconds(p)
				if math.Abs(got-want) > 0.02*want+1e-9 {
					t.Errorf("p%g: sample %g, want %g within 2%%", 100*p, got, want)
				}
			}
		})
	}
}

func TestSampleDoesNotAllocate(t *testing.T) {
	for _, kind := range []topology.DistKind{topology.DistExponential, topology.DistUniform, topology.DistLognormal} {
		d := NewDist(topology.Dist{Kind: kind, Mean: time.Second, Min: 0, Max: time.Second, Median: time.Second, P99: 2 * time.Second}, Stream(1, "c", "p"))
		if a := testing.AllocsPerRun(1000, func() { d.Sample() }); a != 0 {
			t.Errorf("kind %d: %v allocations per sample", kind, a)
		}
	}
}

func ExampleStream() {
	a := Stream(42, "db", "work").Float64()
	b := Stream(42, "db", "work").Float64()
	c := Stream(42, "api", "work").Float64()
	fmt.Println(a == b, a == c)
	// Output: true false
}
