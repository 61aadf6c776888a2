package limit

import (
	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// Limiter admits calls while fewer than its limit are inside.
type Limiter struct {
	spec  topology.Limit
	limit int
}

// New returns a limiter at its initial limit.
func New(spec topology.Limit) *Limiter { return &Limiter{spec: spec, limit: spec.Initial} }

// Limit is the current limit.
func (l *Limiter) Limit() int { return l.limit }

// Admit decides whether a call may enter with inside calls already in.
func (l *Limiter) Admit(inside int) bool { return inside < l.limit }

// Sample updates an AIMD limit from one answered call: rtt is how long it
// took, inside how many calls were in when it was admitted (itself
// included), and dropped whether it failed. A static limit ignores samples.
func (l *Limiter) Sample(rtt des.Time, inside int, dropped bool) {
	if !l.spec.AIMD {
		return
	}
	switch {
	case dropped || rtt > des.FromDuration(l.spec.Timeout):
		l.limit = int(float64(l.limit) * l.spec.BackoffRatio)
	case inside*2 >= l.limit:
		l.limit++
	}
	l.limit = min(l.spec.Max, max(l.spec.Min, l.limit))
}
