package sim_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
)

// fleetScenario has a service of eight instances, one of them failing for a
// while, behind a balancer, with retries and a threshold alert on the
// service: perInstance decides whether the outputs show each instance or
// the eight together.
func fleetScenario(perInstance int) string {
	return fmt.Sprintf(`name = "fleet"
duration = "60s"
seed = 7
[metrics]
per_instance_up_to = %d
[client.users]
target = "lb"
rate = 300
timeout = "150ms"
retry = { max_attempts = 3, backoff = "exponential", base = "10ms" }
[load_balancer.lb]
targets = ["api"]
[service.api]
instances = 8
workers = 2
service_time = { dist = "exponential", mean = "20ms" }
[[service.api.call]]
to = "db"
timeout = "100ms"
[database.db]
connections = 20
query_time = { dist = "exponential", mean = "5ms" }
[[fault]]
name = "bad deploy"
target = "api-3"
kind = "errors"
error_rate = 1
at = "20s"
for = "20s"
[[alert]]
name = "api-errors"
target = "api"
metric = "error_ratio"
above = 0.05
for = "5s"
`, perInstance)
}

// A fleet is a way of reporting, not of running: the run is the same, and
// the fleet's counts are its instances' counts added up, bucket by bucket.
func TestFleetReportsItsInstancesTogether(t *testing.T) {
	each, together := run(t, fleetScenario(8)), run(t, fleetScenario(7))

	if each.Summary.Events != together.Summary.Events {
		t.Fatalf("events: %d instance by instance, %d as a fleet: reporting changed the run", each.Summary.Events, together.Summary.Events)
	}
	for _, part := range []struct {
		name      string
		each, tog any
	}{{"clients", each.Summary.Clients, together.Summary.Clients}, {"alerts", each.Summary.Alerts, together.Summary.Alerts}} {
		e, _ := json.Marshal(part.each)
		g, _ := json.Marshal(part.tog)
		if string(e) != string(g) {
			t.Errorf("%s differ:\n%s\n%s", part.name, e, g)
		}
	}
	api, ok := together.Summary.Components["api"]
	if !ok || api.Instances != 8 {
		t.Fatalf("no fleet api of 8 instances in %v", together.Summary.Order)
	}
	if _, ok := together.Summary.Components["api-1"]; ok {
		t.Error("api-1 reported apart from its fleet")
	}

	var arrivals, completed, errors, busy int64
	var utilWeighted, workers float64
	for i := 1; i <= 8; i++ {
		c := each.Summary.Components[fmt.Sprintf("api-%d", i)]
		arrivals, completed, errors = arrivals+c.Arrivals, completed+c.Completed, errors+c.Errors
		busy += int64(math.Round(c.BusyS * 1e6))
		utilWeighted += c.Utilization * 2
		workers += 2
	}
	if api.Arrivals != arrivals || api.Completed != completed || api.Errors != errors {
		t.Errorf("fleet arrivals/completed/errors %d/%d/%d, instances add up to %d/%d/%d",
			api.Arrivals, api.Completed, api.Errors, arrivals, completed, errors)
	}
	near(t, "busy seconds", api.BusyS, float64(busy)/1e6, 1e-6)
	near(t, "utilization", api.Utilization, utilWeighted/workers, 1e-9)

	for _, m := range []string{"arrivals", "completed", "errors", "rejected", "cancelled"} {
		got := together.Series.Get("api", m)
		for b := range got {
			var sum float64
			for i := 1; i <= 8; i++ {
				sum += each.Series.Get(fmt.Sprintf("api-%d", i), m)[b]
			}
			if got[b] != sum {
				t.Fatalf("%s in bucket %d: fleet %g, instances add up to %g", m, b, got[b], sum)
			}
		}
	}
	inFlight, most := together.Series.Get("api", "in_flight_mean"), together.Series.Get("api", "in_flight_max")
	for b := range inFlight {
		var sum, sumMax, largest float64
		for i := 1; i <= 8; i++ {
			name := fmt.Sprintf("api-%d", i)
			sum += each.Series.Get(name, "in_flight_mean")[b]
			sumMax += each.Series.Get(name, "in_flight_max")[b]
			largest = max(largest, each.Series.Get(name, "in_flight_max")[b])
		}
		if math.Abs(inFlight[b]-sum) > 1e-9*max(1, sum) {
			t.Fatalf("in flight in bucket %d: fleet mean %g, instances add up to %g", b, inFlight[b], sum)
		}
		if most[b] < largest || most[b] > sumMax {
			t.Fatalf("in flight in bucket %d: fleet max %g outside [%g, %g]", b, most[b], largest, sumMax)
		}
	}
	if got := together.Series.Get("api", "alert.api-errors"); got == nil {
		t.Error("the fleet has no column for the alert that watches it")
	}
}
