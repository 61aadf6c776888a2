package sim_test

import (
	"fmt"
	"strings"
	"testing"
)

// failingTwice is failingAPI with a second spell of errors from 50s to 70s:
// the threshold alert "errors" fires at 16s and again at 56s (pending from
// the first failing bucket, firing 5s later). The intervention it triggers
// changes the client's timeout to one no call comes near, so the alerts see
// the same run whatever it does.
var failingTwice = failingAPI + `
[[fault]]
name = "api errors again"
target = "api"
kind = "errors"
error_rate = 1
at = "50s"
for = "20s"

[[intervention]]
name = "longer timeout"
target = "users"
kind = "timeout"
timeout = "2s"
on_alert = "errors"
reaction_delay = "%s"
`

// Each firing applies the intervention its reaction delay later; a firing
// whose reaction would come after the run's end (90s) applies nothing.
func TestInterventionOnAlertTiming(t *testing.T) {
	for _, tc := range []struct {
		delay string
		want  []string // at_s: trigger
	}{
		{"0s", []string{"16: alert errors fired at 16s + 0s", "56: alert errors fired at 56s + 0s"}},
		{"3s", []string{"19: alert errors fired at 16s + 3s", "59: alert errors fired at 56s + 3s"}},
		{"40s", []string{"56: alert errors fired at 16s + 40s"}},
	} {
		t.Run(tc.delay, func(t *testing.T) {
			s := run(t, fmt.Sprintf(failingTwice, tc.delay)).Summary
			var fired []float64
			for _, a := range s.Alerts {
				if a.Name == "errors" {
					fired = append(fired, a.FiredAtS)
				}
			}
			if fmt.Sprint(fired) != "[16 56]" {
				t.Fatalf("errors fired at %v, want [16 56]", fired)
			}
			var got []string
			for _, iv := range s.Interventions {
				got = append(got, fmt.Sprintf("%g: %s", iv.AtS, iv.Trigger))
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("interventions %q, want %q", got, tc.want)
			}
		})
	}
}

// An alert that never fires leaves its interventions unapplied.
func TestInterventionOnAlertThatNeverFires(t *testing.T) {
	s := run(t, strings.Replace(fmt.Sprintf(failingTwice, "1s"), "above = 0.5", "above = 1.5", 1)).Summary
	if len(s.Interventions) != 0 {
		t.Errorf("interventions %+v, want none: the alert cannot fire", s.Interventions)
	}
}

// An alert that fires again while the change it triggered still holds
// renews the hold: the first application ends at the second, which holds on
// and puts back what the first found. Here api's workers go 50 → 60 at 16s
// for 45s; the second firing at 56s holds them at 60 past the run's end.
func TestInterventionOnAlertRenewed(t *testing.T) {
	scenario := strings.Replace(failingTwice, `kind = "timeout"
timeout = "2s"`, `kind = "scale"
workers = 60
for = "%s"`, 1)
	scenario = strings.Replace(scenario, `target = "users"
kind = "scale"`, `target = "api"
kind = "scale"`, 1)
	for _, tc := range []struct {
		hold, ends string
		workers    [3]float64 // api's workers at 40s, 60s and 80s
	}{
		{"20s", "36 76", [3]float64{50, 60, 50}},    // 16s to 36s, 56s to 76s
		{"45s", "56 end", [3]float64{60, 60, 60}},   // 16s to 56s, renewed to 101s
		{"1m30s", "56 end", [3]float64{60, 60, 60}}, // renewed before its end at 106s
	} {
		t.Run(tc.hold, func(t *testing.T) {
			r := run(t, fmt.Sprintf(scenario, tc.hold, "0s"))
			var ends []string
			for _, iv := range r.Summary.Interventions {
				end := "end"
				if iv.EndS != nil {
					end = fmt.Sprint(*iv.EndS)
				}
				ends = append(ends, end)
			}
			if got := strings.Join(ends, " "); got != tc.ends {
				t.Errorf("applications end at %s, want %s", got, tc.ends)
			}
			for i, ts := range []float64{40, 60, 80} {
				if w := at(r, "api", "workers", ts); w != tc.workers[i] {
					t.Errorf("api has %g workers at %gs, want %g", w, ts, tc.workers[i])
				}
			}
		})
	}
}
