package topology_test

import (
	"math"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

func TestDistArithmetic(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name      string
		spec      topology.Dist
		p         float64
		mean, q   float64 // closed forms, seconds
		tolerance float64
	}{
		{"constant", topology.Dist{Kind: topology.DistConstant, Value: 20 * ms}, 0.9, 0.020, 0.020, 0},
		// the p-quantile of an exponential is -ln(1-p) times its mean
		{"exponential", topology.Dist{Kind: topology.DistExponential, Mean: 50 * ms}, 0.5, 0.050, 0.050 * math.Ln2, 1e-15},
		{"uniform", topology.Dist{Kind: topology.DistUniform, Min: 10 * ms, Max: 30 * ms}, 0.25, 0.020, 0.015, 1e-15},
		// a file gives the median and the p99 of a lognormal: both come back
		{"lognormal median", topology.Dist{Kind: topology.DistLognormal, Median: 30 * ms, P99: 400 * ms}, 0.5, 0.03 * math.Exp(1.1135*1.1135/2), 0.030, 1e-4},
		{"lognormal p99", topology.Dist{Kind: topology.DistLognormal, Median: 30 * ms, P99: 400 * ms}, 0.99, 0.03 * math.Exp(1.1135*1.1135/2), 0.400, 1e-4},
		{"empirical", topology.Dist{Kind: topology.DistEmpirical, Points: []topology.Quantile{
			{P: 0, Value: 0}, {P: 0.5, Value: 10 * ms}, {P: 0.9, Value: 30 * ms}, {P: 1, Value: 100 * ms},
		}}, 0.7, 0.5*0.005 + 0.4*0.020 + 0.1*0.065, 0.020, 1e-15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.spec.MeanSeconds(); math.Abs(got-tt.mean) > tt.tolerance*tt.mean {
				t.Errorf("MeanSeconds() = %g, closed form %g", got, tt.mean)
			}
			if got := tt.spec.QuantileSeconds(tt.p); math.Abs(got-tt.q) > tt.tolerance*tt.q+1e-12 {
				t.Errorf("QuantileSeconds(%g) = %g, closed form %g", tt.p, got, tt.q)
			}
		})
	}
}
