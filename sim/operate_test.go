package sim_test

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

// sum adds a metric of a component over the buckets that start in [from, to).
func sum(r *results.Run, comp, metric string, from, to float64) float64 {
	v := r.Series.Get(comp, metric)
	total := 0.0
	for b, t := range r.Series.Times {
		if t >= from && t < to && !math.IsNaN(v[b]) {
			total += v[b]
		}
	}
	return total
}

// at is a metric of a component in the bucket that starts at t.
func at(r *results.Run, comp, metric string, t float64) float64 {
	for b, bt := range r.Series.Times {
		if bt == t {
			return r.Series.Get(comp, metric)[b]
		}
	}
	return math.NaN()
}

// Each intervention kind, on a system simple enough that its effect is
// exact: what changed, from when, and until when.
func TestInterventionEffects(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scenario string
		effect   string // a regular expression
		check    func(t *testing.T, r *results.Run)
	}{{
		// One worker, 100ms a call, always busy: 10 calls/s. The three
		// workers added at 10s finish calls at 10.1s, ..., 20s: 99 of them
		// in [10s, 20s) and one more each at 20s, when the change is undone.
		name: "scale workers",
		scenario: `
[client.c]
target = "api"
rate = 100
[service.api]
workers = 1
service_time = "100ms"
[[intervention]]
target = "api"
kind = "scale"
workers = 4
at = "10s"
for = "10s"`,
		effect: "api workers 1 → 4 for 10s",
		check: func(t *testing.T, r *results.Run) {
			for _, c := range []struct{ from, to, want float64 }{{1, 10, 90}, {10, 20, 100 + 3*99}, {20, 30, 100 + 3}} {
				if got := sum(r, "api", "completed", c.from, c.to); got != c.want {
					t.Errorf("api completed %g calls in [%gs, %gs), want %g", got, c.from, c.to, c.want)
				}
			}
		},
	}, {
		// One of three replicas serves; at 10s all three do, and the round
		// robin shares the calls among them; at 20s two stop serving again.
		name: "scale instances",
		scenario: `
[client.c]
target = "lb"
rate = 300
[load_balancer.lb]
targets = ["api"]
[service.api]
instances = 1
max_instances = 3
workers = 100
service_time = "10ms"
[[intervention]]
target = "api"
kind = "scale"
instances = 3
at = "10s"
for = "10s"`,
		effect: "api instances 1 → 3 for 10s",
		check: func(t *testing.T, r *results.Run) {
			if got := sum(r, "api-2", "arrivals", 0, 10) + sum(r, "api-3", "arrivals", 20, 30); got != 0 {
				t.Errorf("standby replicas took %g calls", got)
			}
			all := sum(r, "lb", "arrivals", 10, 20)
			for _, name := range []string{"api-1", "api-2", "api-3"} {
				if got := sum(r, name, "arrivals", 10, 20); math.Abs(got-all/3) > 1 {
					t.Errorf("%s took %g of %g calls while three served, want a third", name, got, all)
				}
			}
			for _, c := range []struct{ t, want float64 }{{9, 1}, {10, 3}, {19, 3}, {20, 1}} {
				if got := at(r, "api", "replicas", c.t); got != c.want {
					t.Errorf("api replicas at %gs = %g, want %g", c.t, got, c.want)
				}
			}
		},
	}, {
		// A backlog of calls is dropped at 10s (each an error to its caller),
		// calls are refused for 5s, then served again.
		name: "restart",
		scenario: `
[client.c]
target = "api"
rate = 100
[service.api]
workers = 1
service_time = "100ms"
[[intervention]]
target = "api"
kind = "restart"
downtime = "5s"
at = "10s"`,
		effect: `api dropped \d+ calls; down for 5s`,
		check: func(t *testing.T, r *results.Run) {
			var dropped float64
			fmt.Sscanf(r.Summary.Interventions[0].Effect, "api dropped %g", &dropped)
			if got := at(r, "api", "errors", 10); got != dropped {
				t.Errorf("api failed %g calls at the restart, the effect says it dropped %g", got, dropped)
			}
			if got := at(r, "api", "in_flight_max", 11); got != 0 {
				t.Errorf("api held %g calls just after the restart, want none", got)
			}
			if rej, arr := sum(r, "api", "rejected", 10, 15), sum(r, "api", "arrivals", 10, 15); rej != arr || arr == 0 {
				t.Errorf("api refused %g of the %g calls of its downtime, want all", rej, arr)
			}
			if got := sum(r, "api", "completed", 16, 20); got != 40 {
				t.Errorf("api completed %g calls in [16s, 20s), want 40: it is back", got)
			}
		},
	}, {
		// Shedding everything refuses every new request at once.
		name: "shed-load at a client",
		scenario: `
[client.c]
target = "api"
rate = 100
[service.api]
workers = 10
service_time = "10ms"
[[intervention]]
target = "c"
kind = "shed-load"
fraction = 1
at = "10s"
for = "10s"`,
		effect: "c refuses 100% of new requests for 10s",
		check: func(t *testing.T, r *results.Run) {
			if shed, logical := sum(r, "c", "shed", 10, 20), sum(r, "c", "logical_requests", 10, 20); shed != logical || sum(r, "api", "arrivals", 10, 20) != 0 {
				t.Errorf("c shed %g of %g requests and api saw %g calls while shedding everything", shed, logical, sum(r, "api", "arrivals", 10, 20))
			}
			if got := sum(r, "c", "shed", 0, 10) + sum(r, "c", "shed", 20, 120); got != 0 {
				t.Errorf("c shed %g requests outside the intervention", got)
			}
		},
	}, {
		// A load balancer refuses a quarter of its calls.
		name: "shed-load at a load balancer",
		scenario: `
[client.c]
target = "lb"
rate = 1000
[load_balancer.lb]
targets = ["api"]
[service.api]
workers = 100
service_time = "10ms"
[[intervention]]
target = "lb"
kind = "shed-load"
fraction = 0.25
at = "10s"`,
		effect: "lb refuses 25% of new requests",
		check: func(t *testing.T, r *results.Run) {
			near(t, "fraction of calls lb shed", sum(r, "lb", "shed", 10, 120)/sum(r, "lb", "arrivals", 10, 120), 0.25, 0.02)
		},
	}, {
		// Every call fails, so every request makes its three attempts until
		// the kill switch leaves it one.
		name: "retries-off",
		scenario: `
[client.c]
target = "api"
rate = 100
retry = { max_attempts = 3, backoff = "none" }
[service.api]
workers = 100
service_time = "10ms"
error_rate = 1
[[intervention]]
target = "c"
kind = "retries-off"
at = "10s"`,
		effect: `c no longer retries \(was up to 3 attempts\)`,
		check: func(t *testing.T, r *results.Run) {
			before := sum(r, "api", "arrivals", 1, 9) / sum(r, "c", "logical_requests", 1, 9)
			after := sum(r, "api", "arrivals", 11, 120) / sum(r, "c", "logical_requests", 11, 120)
			if math.Abs(before-3) > 0.01 || after != 1 {
				t.Errorf("attempts per request %.3f before, %.3f after; want 3 then 1", before, after)
			}
		},
	}, {
		// Calls take 300ms: a 1s timeout lets them all succeed, a 100ms one
		// none.
		name: "timeout",
		scenario: `
[client.c]
target = "api"
rate = 100
timeout = "1s"
[service.api]
workers = 1000
service_time = "300ms"
[[intervention]]
target = "c"
kind = "timeout"
timeout = "100ms"
at = "10s"`,
		effect: "c timeout 1s → 100ms",
		check: func(t *testing.T, r *results.Run) {
			if f := sum(r, "c", "failed", 0, 9.7); f != 0 {
				t.Errorf("%g requests failed before the change", f)
			}
			if s := sum(r, "c", "succeeded", 11, 120); s != 0 {
				t.Errorf("%g requests succeeded after the timeout fell below the service time", s)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, "duration = \"2m\"\n"+tc.scenario)
			ivs := r.Summary.Interventions
			if len(ivs) != 1 || ivs[0].AtS != 10 || !regexp.MustCompile("^"+tc.effect+"$").MatchString(ivs[0].Effect) {
				t.Fatalf("interventions %+v, want one at 10s with effect %q", ivs, tc.effect)
			}
			tc.check(t, r)
		})
	}
}

// An intervention that holds for a while says when it was undone.
func TestInterventionEnd(t *testing.T) {
	r := run(t, `
duration = "1m"
[client.c]
target = "api"
rate = 10
[service.api]
workers = 1
service_time = "1ms"
[[intervention]]
name = "more workers"
target = "api"
kind = "scale"
workers = 2
at = "10s"
for = "15s"
[[intervention]]
target = "api"
kind = "restart"
at = "30s"`)
	var got []string
	for _, iv := range r.Summary.Interventions {
		end := "-"
		if iv.EndS != nil {
			end = fmt.Sprint(*iv.EndS)
		}
		got = append(got, fmt.Sprintf("%s %s %g %s", iv.Name, iv.Kind, iv.AtS, end))
	}
	if want := "more workers scale 10 25; restart api restart 30 -"; strings.Join(got, "; ") != want {
		t.Errorf("interventions %q, want %q", strings.Join(got, "; "), want)
	}
}
