package throttle

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/window"
	"github.com/failsim/failsim/topology"
)

// Throttle is one client's adaptive throttle for one backend.
type Throttle struct {
	k                 float64
	requests, accepts *window.Sum
}

// New returns a throttle with empty history.
func New(spec topology.Throttle) *Throttle {
	span := des.FromDuration(spec.Window)
	const slices = 60
	return &Throttle{k: spec.K, requests: window.New(span, slices), accepts: window.New(span, slices)}
}

// Probability is the chance that a request made now is rejected locally.
func (t *Throttle) Probability(now des.Time) float64 {
	req := t.requests.Total(now)
	return max(0, (req-t.k*t.accepts.Total(now))/(req+1))
}

// Admit counts a request and decides, with u uniform in [0, 1), whether it
// goes to the backend (true) or is rejected locally.
func (t *Throttle) Admit(now des.Time, u float64) bool {
	p := t.Probability(now)
	t.requests.Add(now, 1)
	return u >= p
}

// Accepted counts a request the backend accepted.
func (t *Throttle) Accepted(now des.Time) { t.accepts.Add(now, 1) }
