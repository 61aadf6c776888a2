package sim_test

import (
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Every call to api fails from 10s to 30s. Alerts are evaluated at the end
// of every 1s bucket, on the bucket that just closed.
const failingAPI = `
duration = "90s"

[client.users]
target = "api"
rate = 200
timeout = "1s"
retry = { max_attempts = 1 }

[service.api]
workers = 50
service_time = "5ms"

[[fault]]
name = "api errors"
target = "api"
kind = "errors"
error_rate = 1
at = "10s"
for = "20s"

[[slo]]
target = "users"
objective = 0.999
time_scale = 60             # windows: 14.4x over 60 and 5 buckets, 6x over 360 and 30

[[alert]]
name = "burn"
slo = "users"

[[alert]]
name = "errors"
target = "users"
metric = "error_ratio"
above = 0.5
for = "5s"
`

func alertTimes(t *testing.T, s results.Summary) map[string][2]float64 {
	t.Helper()
	out := map[string][2]float64{}
	for _, a := range s.Alerts {
		if _, ok := out[a.Name]; ok {
			t.Fatalf("%s fired twice: %+v", a.Name, s.Alerts)
		}
		resolved := math.Inf(1)
		if a.ResolvedAtS != nil {
			resolved = *a.ResolvedAtS
		}
		out[a.Name] = [2]float64{a.FiredAtS, resolved}
	}
	return out
}

// Hand-computed: the evaluation at 11s sees the first failing bucket
// [10s, 11s). The threshold alert is pending from then and fires 5s later,
// at 16s; it resolves at 31s, the first evaluation of a clean bucket. The
// burn-rate alert fires at 11s: with one failing bucket in the last 5 the
// short window burns at 200x, with one in 11 the long window (all the run
// so far) at 90x.
// Its 14.4x pair stops once the 5-bucket window is clean (35s); the 6x pair
// holds until its 30-bucket short window is clean, at 60s.
func TestAlertsFireAndResolveOnTime(t *testing.T) {
	s := run(t, failingAPI).Summary
	got := alertTimes(t, s)
	want := map[string][2]float64{"burn": {11, 60}, "errors": {16, 31}}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s fired and resolved at %v, want %v", name, got[name], w)
		}
	}
	if s.Alerts[0].Name != "burn" || *s.Alerts[0].TimeToDetectS != 1 || *s.Alerts[1].TimeToDetectS != 6 {
		t.Errorf("alerts in firing order with their time to detect: %+v", s.Alerts)
	}
	d := s.Detection
	if d == nil || d.FirstAlert != "burn" || *d.TimeToDetectS != 1 || *d.FirstFaultAtS != 10 || len(d.UndetectedFaults) != 0 {
		t.Errorf("detection %+v", d)
	}
}

// The state column shows each evaluation's verdict on its bucket: pending
// (1) over the buckets [10s, 15s) evaluated at 11s..15s, firing (2) from
// the bucket evaluated at 16s.
func TestAlertStateIsAMetric(t *testing.T) {
	r := run(t, failingAPI)
	state := r.Series.Get("users", "alert.errors")
	want := map[int]float64{9: 0, 10: 1, 14: 1, 15: 2, 29: 2, 30: 0}
	for b, w := range want {
		if state[b] != w {
			t.Errorf("bucket %d: state %g, want %g", b, state[b], w)
		}
	}
}

// An alert that cannot fire leaves its fault undetected, and says so.
func TestUndetectedFault(t *testing.T) {
	s := run(t, failingAPI+`
[[alert]]
name = "never"
target = "api"
metric = "queue_mean"
above = 1e9
`).Summary
	// An error ratio cannot pass 1, and the long window never sees more
	// than 20 failing buckets in 30 (667x).
	s2 := run(t, strings.NewReplacer(`above = 0.5`, `above = 2`, `slo = "users"`, `slo = "users"
burn_rates = [{ rate = 900, long = "1h", short = "5m" }]`).Replace(failingAPI)).Summary
	if len(s.Detection.UndetectedFaults) != 0 {
		t.Errorf("with alerts that fire: undetected %v", s.Detection.UndetectedFaults)
	}
	if d := s2.Detection; len(s2.Alerts) != 0 || d.FirstAlert != "" || d.TimeToDetectS != nil || len(d.UndetectedFaults) != 1 || d.UndetectedFaults[0] != "api errors" {
		t.Errorf("with alerts that cannot fire: alerts %+v, detection %+v", s2.Alerts, d)
	}
}

// A latency drift from 0 to 100ms over [10s, 110s) on 10ms queries adds,
// in the bucket starting at t, the drift's value at t: 10ms + (t-10s)/1000.
func TestDriftLatencyIsLinear(t *testing.T) {
	r := run(t, `
duration = "120s"

[client.users]
target = "db"
rate = 20
timeout = "1s"

[database.db]
connections = 100
query_time = "10ms"

[[fault]]
target = "db"
kind = "drift"
what = "latency"
to = "100ms"
at = "10s"
for = "100s"
`)
	p50 := r.Series.Get("db", "latency_p50_s")
	for _, b := range []int{5, 10, 11, 35, 60, 109, 115} {
		want := 0.010
		if b >= 10 && b < 110 {
			want += 0.1 * float64(b-10) / 100
		}
		near(t, "p50 in the bucket at "+strconv.Itoa(b)+"s", p50[b], want, 0.01)
	}
}

// A capacity drift from 10 to 2 connections over [10s, 90s) leaves, in the
// bucket starting at t, round(10 - (t-10s)/10s) connections.
func TestDriftCapacityStepsDown(t *testing.T) {
	r := run(t, `
duration = "100s"

[client.users]
target = "db"
rate = 20
timeout = "1s"

[database.db]
connections = 10
query_time = "10ms"

[[fault]]
target = "db"
kind = "drift"
what = "capacity"
to = 2
at = "10s"
for = "80s"
`)
	workers := r.Series.Get("db", "workers")
	for _, tt := range []struct {
		bucket int
		want   float64
	}{{9, 10}, {10, 10}, {14, 10}, {15, 10}, {16, 9}, {50, 6}, {84, 3}, {85, 3}, {86, 2}, {89, 2}, {90, 10}} {
		if workers[tt.bucket] != tt.want {
			t.Errorf("bucket at %ds: %g connections, want %g", tt.bucket, workers[tt.bucket], tt.want)
		}
	}
}

// scenarios/slow-drift.toml: the burn-rate alert on the latency SLO fires
// before the collapse (the first bucket in which more than 5% of the
// clients' requests fail), the plain threshold alert on errors after it.
// Without its latency objective the SLO burns only once requests fail, and
// its alert fires after the collapse too.
func TestSlowDriftBurnRateAlertFiresBeforeTheCollapse(t *testing.T) {
	slow(t)
	for _, tt := range []struct {
		variant        string
		beforeCollapse bool // the burn-rate alert fires before the collapse
	}{
		{"", true},
		{"availability-only", false},
	} {
		t.Run(orBase(tt.variant), func(t *testing.T) {
			r := runFile(t, "../scenarios/slow-drift.toml", tt.variant)
			failed, succeeded := r.Series.Get("users", "failed"), r.Series.Get("users", "succeeded")
			collapse := math.Inf(1)
			for b, f := range failed {
				if f > 0.05*(f+succeeded[b]) {
					collapse = r.Series.Times[b]
					break
				}
			}
			got := alertTimes(t, r.Summary)
			burn, threshold := got["budget-burn"][0], got["client-errors"][0]
			t.Logf("burn-rate alert at %gs, collapse at %gs, threshold alert at %gs", burn, collapse, threshold)
			if collapse >= threshold {
				t.Errorf("collapse at %gs, threshold alert at %gs: want the collapse first", collapse, threshold)
			}
			if (burn < collapse) != tt.beforeCollapse {
				t.Errorf("burn-rate alert at %gs, collapse at %gs: want the alert first: %v", burn, collapse, tt.beforeCollapse)
			}
			if d := r.Summary.Detection; d.FirstAlert != "budget-burn" || *d.TimeToDetectS != burn-120 {
				t.Errorf("detection %+v, want the burn-rate alert %gs after the drift began", d, burn-120)
			}
		})
	}
}

// SLO counting and alert evaluation allocate nothing per request or per
// evaluation: a run ten times longer allocates about the same.
func TestAlertsDoNotAllocatePerEvent(t *testing.T) {
	slow(t)
	sc, err := scenariofile.Parse("test.toml", []byte(failingAPI), "")
	if err != nil {
		t.Fatal(err)
	}
	mallocs := func(d time.Duration) (allocs, events uint64) {
		c := *sc
		c.Duration = d
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := mustRun(t, &c, 1)
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs, r.Summary.Events
	}
	shortAllocs, shortEvents := mallocs(5 * time.Minute)
	longAllocs, longEvents := mallocs(50 * time.Minute)
	perEvent := float64(longAllocs-shortAllocs) / float64(longEvents-shortEvents)
	t.Logf("%.5f allocations per extra event", perEvent)
	if perEvent > 0.001 {
		t.Errorf("%.5f allocations per event in steady state, want ~0", perEvent)
	}
}
