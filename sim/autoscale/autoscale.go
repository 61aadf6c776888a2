package autoscale

import (
	"math"

	"github.com/failsim/failsim/sim/des"
)

// Desired is the HPA rule: ceil(current × metric / target), or current when
// metric/target is within tolerance of 1, clamped to [lo, hi].
func Desired(current int, metric, target, tolerance float64, lo, hi int) int {
	want := current
	if ratio := metric / target; math.Abs(ratio-1) > tolerance {
		want = int(math.Ceil(float64(current) * ratio))
	}
	return min(max(want, lo), hi)
}

// Scaler decides, at each interval, the instances (or workers) to request.
type Scaler struct {
	Target, Tolerance float64
	Min, Max          int
	Cooldown          des.Time // no change within this long of the last one

	changed     des.Time // when the last change was decided
	everChanged bool
}

// Decide returns what to request at now, given what is requested and the
// metric per instance: the HPA rule, unless the last change was less than
// Cooldown ago.
func (s *Scaler) Decide(now des.Time, current int, metric float64) int {
	want := Desired(current, metric, s.Target, s.Tolerance, s.Min, s.Max)
	if want == current || (s.everChanged && now < s.changed+s.Cooldown) {
		return current
	}
	s.changed, s.everChanged = now, true
	return want
}
