package plots

import (
	"math"
	"slices"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

var nan = math.NaN()

func TestTicks(t *testing.T) {
	labels := func(tk interface {
		majors(min, max float64) []float64
	}, min, max float64) []float64 {
		return tk.majors(min, max)
	}
	tests := []struct {
		name      string
		got, want []float64
	}{
		{"time over five minutes: every 30s", labels(timeTicks{}, 0, 300), []float64{0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300}},
		{"time over 91s: every 10s", labels(timeTicks{}, 0, 91), []float64{0, 10, 20, 30, 40, 50, 60, 70, 80, 90}},
		{"time over an hour: every 5 minutes", labels(timeTicks{}, 0, 3600), []float64{0, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000, 3300, 3600}},
		{"counts", labels(linearTicks{n: 5}, 0, 1575), []float64{0, 500, 1000, 1500}},
		{"fractions", labels(linearTicks{n: 5}, 0, 1), []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{"latency decades", labels(latencyTicks{}, -2, 1), []float64{-2, -1, 0, 1}},
	}
	for _, tt := range tests {
		if !slices.EqualFunc(tt.got, tt.want, func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}

	short := latencyTicks{}.Ticks(-2, 0) // 10ms to 1s: 2 and 5 labelled too
	var got []string
	for _, tk := range short {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if want := []string{"10ms", "20ms", "50ms", "100ms", "200ms", "500ms", "1s"}; !slices.Equal(got, want) {
		t.Errorf("latency labels %q, want %q", got, want)
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		v, step float64
		want    string
	}{
		{0, 10000, "0"}, {math.Copysign(0, -1), 1, "0"}, {20000, 10000, "20k"}, {2500, 500, "2500"}, {2500, 2500, "2.5k"}, {3e6, 1e6, "3M"},
		{0.2, 0.2, "0.2"}, {0.25, 0.25, "0.25"}, {1500, 500, "1500"}, {40, 10, "40"},
	}
	for _, tt := range tests {
		if got := countLabel(tt.v, tt.step); got != tt.want {
			t.Errorf("countLabel(%g, %g) = %q, want %q", tt.v, tt.step, got, tt.want)
		}
	}
}

// The latency panel explains the buckets where the p50 and the p99.9
// meet: every request took as long.
func TestMeetingCountsEqualQuantiles(t *testing.T) {
	p50 := []float64{0.02, 6, 6, nan, 0}
	p999 := []float64{0.4, 6, 5.9, nan, 0}
	if got := meeting(p50, p999); got != 1 {
		t.Errorf("meeting = %d, want 1 (the bucket at 6s; not the missing or the empty one)", got)
	}
}

// A fault's label names it and says what and where, once.
func TestFaultLabelSaysItOnce(t *testing.T) {
	for _, tc := range []struct {
		f    results.Fault
		want string
	}{
		{results.Fault{Name: "capacity db", Kind: "capacity", Targets: []string{"db"}}, "capacity db"},
		{results.Fault{Name: "db slowdown", Kind: "slowdown", Targets: []string{"db"}}, "db slowdown"},
		{results.Fault{Name: "capacity drop", Kind: "capacity", Targets: []string{"api-1", "api-2"}}, "capacity drop (capacity on api-1, api-2)"},
		{results.Fault{Name: "crash api-1", Kind: "crash", Targets: []string{"api-1", "api-2"}}, "crash api-1 (crash on api-1, api-2)"},
		{results.Fault{Kind: "latency", Targets: []string{"db"}}, "latency on db"},
		{results.Fault{Name: "partition api -> db", Kind: "partition", Targets: []string{"api -> db"}, Direction: "both"}, "partition api -> db"},
		{results.Fault{Name: "partition api -> db", Kind: "partition", Targets: []string{"api -> db"}, Direction: "responses"}, "partition api -> db (answers only)"},
		{results.Fault{Name: "lossy wifi", Kind: "loss", Targets: []string{"users -> api", "users -> cdn"}, Direction: "requests"}, "lossy wifi (loss on users -> api, users -> cdn, calls only)"},
		{results.Fault{Name: "partition api", Kind: "partition", Targets: []string{"api -> db"}, Direction: "both"}, "partition api (partition on api -> db)"},
	} {
		if got := faultLabel(tc.f); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
		}
	}
}
