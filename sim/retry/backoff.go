package retry

import (
	"math"
	"math/rand/v2"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// Wait returns how long to wait before retry n (n = 1 for the first retry).
// prev is the wait before the previous retry, which only decorrelated jitter
// uses (pass 0 before the first retry). Draws come from r.
//
// With v = min(cap, base * multiplier^(n-1)), the cap applied before jitter:
//
//	none          0
//	constant      base
//	exponential   v                       (jitter none)
//	              U(0, v)                 (full)
//	              v/2 + U(0, v/2)         (equal)
//	              min(cap, U(base, 3*prev)), prev = base before the first retry (decorrelated)
//	envoy         min(cap, U(0, (2^n - 1) * base)), where n stops growing once
//	              (2^n - 1) * base exceeds cap, as Envoy's JitteredExponentialBackOffStrategy does
func Wait(b topology.Backoff, n int, prev des.Time, r *rand.Rand) des.Time {
	base, limit := float64(b.Base), float64(b.Cap)
	switch b.Kind {
	case topology.BackoffNone:
		return 0
	case topology.BackoffConstant:
		return des.Time(b.Base)
	case topology.BackoffEnvoy:
		v := base
		for i := 1; i < n && v <= limit; i++ {
			v = 2*v + base // (2^(i+1) - 1) * base
		}
		return des.Time(math.Min(limit, r.Float64()*v))
	}
	if b.Jitter == topology.JitterDecorrelated {
		p := float64(prev)
		if n <= 1 || prev <= 0 {
			p = base
		}
		return des.Time(math.Min(limit, base+r.Float64()*(3*p-base)))
	}
	v := math.Min(limit, base*math.Pow(b.Multiplier, float64(n-1)))
	switch b.Jitter {
	case topology.JitterFull:
		return des.Time(r.Float64() * v)
	case topology.JitterEqual:
		return des.Time(v/2 + r.Float64()*v/2)
	default:
		return des.Time(v)
	}
}
