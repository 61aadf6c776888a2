package sim

import (
	"math"
	"testing"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/topology"
)

// Burn rate = error ratio over the window / (1 - objective).
func TestBurnRate(t *testing.T) {
	tests := []struct {
		bad, total int64
		objective  float64
		want       float64
	}{
		{0, 1000, 0.999, 0},       // nothing failed: no burn
		{1, 1000, 0.999, 1},       // 0.1% bad against a 0.1% budget: spends it exactly over the period
		{14, 1000, 0.999, 14},     // just under the paging rate of 14.4
		{15, 1000, 0.999, 15},     // just over it
		{72, 1000, 0.99, 7.2},     // 7.2% bad against a 1% budget: over the 6x ticket rate
		{500, 1000, 0.9, 5},       // half failing against a 10% budget
		{1000, 1000, 0.999, 1000}, // everything failing: the budget is gone in a thousandth of the period
		{0, 0, 0.999, 0},          // no requests, no burn
	}
	for _, tt := range tests {
		if got := burnRate(tt.bad, tt.total, tt.objective); math.Abs(got-tt.want) > 1e-9*max(1, tt.want) {
			t.Errorf("burnRate(%d bad of %d, objective %g) = %g, want %g", tt.bad, tt.total, tt.objective, got, tt.want)
		}
	}
}

// sloWith returns an SLO whose closed buckets had the given bad counts out
// of perBucket requests each, with a ring long enough for 60 buckets.
func sloWith(objective float64, perBucket int64, bad ...int64) *slo {
	o := &slo{cfg: &topology.SLO{Objective: objective}, latency: des.Never, ring: make([]tally, 61)}
	for _, b := range bad {
		o.cur = tally{good: perBucket - b, total: perBucket}
		o.closeBucket()
	}
	return o
}

func repeat(n int, v int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// A window pair fires only when the burn is both significant (long window)
// and still going on (short window). The pair is the workbook's 14.4x over
// 1h and 5m at time_scale 60 with 1s buckets: 60 and 5 buckets.
func TestBurnPairFiresWhenBothWindowsBurn(t *testing.T) {
	pair := burnPair{rate: 14.4, long: 60, short: 5}
	tests := []struct {
		name      string
		bad       []int64 // per bucket, oldest first, of 1000 requests each
		long      float64 // burn rates, hand-computed
		short     float64
		wantFires bool
	}{
		{"steady 2% errors", repeat(60, 20), 20, 20, true},
		{"steady 1% errors", repeat(60, 10), 10, 10, false},
		{"a burn that has stopped", append(repeat(55, 20), repeat(5, 0)...), 1100.0 / 60000 / 0.001, 0, false},
		{"a blip", append(repeat(55, 0), repeat(5, 100)...), 500.0 / 60000 / 0.001, 100, false},
		{"a blip long enough", append(repeat(50, 0), repeat(10, 100)...), 1000.0 / 60000 / 0.001, 100, true},
		{"only old buckets leave the window", append(repeat(30, 1000), repeat(60, 20)...), 20, 20, true},
		{"shorter history than the windows", repeat(3, 20), 20, 20, true},
		{"no history", nil, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := sloWith(0.999, 1000, tt.bad...)
			bl, tl := o.last(pair.long)
			bs, ts := o.last(pair.short)
			if got := burnRate(bl, tl, 0.999); math.Abs(got-tt.long) > 1e-9*max(1, tt.long) {
				t.Errorf("long window burns at %g, want %g", got, tt.long)
			}
			if got := burnRate(bs, ts, 0.999); math.Abs(got-tt.short) > 1e-9*max(1, tt.short) {
				t.Errorf("short window burns at %g, want %g", got, tt.short)
			}
			if got := pair.fires(o); got != tt.wantFires {
				t.Errorf("fires = %v, want %v", got, tt.wantFires)
			}
		})
	}
}

// A request is good when it succeeds within the SLO's latency.
func TestSLOCountsGoodRequests(t *testing.T) {
	o := &slo{cfg: &topology.SLO{Objective: 0.99}, latency: 300 * des.Millisecond, ring: make([]tally, 2)}
	o.count(100*des.Millisecond, true) // good
	o.count(300*des.Millisecond, true) // good: within means at most
	o.count(301*des.Millisecond, true) // too slow
	o.count(10*des.Millisecond, false) // failed
	o.closeBucket()
	if bad, total := o.last(1); bad != 2 || total != 4 {
		t.Fatalf("%d bad of %d, want 2 of 4", bad, total)
	}
}

// The for clause, as Prometheus evaluates it: pending while the condition
// has held for less than for, firing from the evaluation at which it has
// held for for, back to inactive (resolved if it fired) at the first
// evaluation at which it does not hold.
func TestAlertForSemantics(t *testing.T) {
	const s = des.Second
	tests := []struct {
		name  string
		hold  des.Time
		holds string // one evaluation per second from t=1s: 1 holds, 0 does not
		want  string // state after each: . inactive, p pending, F fired now, f firing, R resolved now
	}{
		{"for 0 fires at once", 0, "0110", ".FfR"},
		{"for 3s", 3 * s, "0111110", ".pppFfR"},
		{"interrupted before for", 3 * s, "0110111100", ".pp.pppFR."},
		{"never holds", 3 * s, "0000", "...."},
		{"holds to the end", 2 * s, "1111", "ppFf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &alert{hold: tt.hold}
			got := ""
			for i, c := range tt.holds {
				fired, resolved := a.step(des.Time(i+1)*s, c == '1')
				switch {
				case fired:
					got += "F"
				case resolved:
					got += "R"
				default:
					got += string(".pf"[a.state])
				}
			}
			if got != tt.want {
				t.Errorf("holds %s: got %s, want %s", tt.holds, got, tt.want)
			}
		})
	}
}
