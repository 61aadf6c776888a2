package sim_test

import (
	"fmt"
	"testing"
)

// The autoscaler in the engine: 15 calls/s against instances of one worker
// that take 100ms a call, 1.5 workers' worth. One instance is saturated
// (utilization 1 against a target of 0.6): the first decision asks for
// ceil(1 × 1/0.6) = 2. The second instance serves 10s later, and the next
// window, still draining the backlog, asks for a third. At three,
// utilization is 0.5: ceil(3 × 0.5/0.6) = 3, and it stays.
func TestAutoscalerDecisionsAndProvisioning(t *testing.T) {
	r := run(t, `
duration = "3m"
[client.c]
target = "lb"
rate = 15
[load_balancer.lb]
targets = ["api"]
policy = "least_request"
[service.api]
instances = 1
max_instances = 5
workers = 1
service_time = "100ms"
[service.api.autoscale]
target = 0.6
interval = "15s"
window = "15s"
provisioning_delay = "10s"
cooldown = "0s"
`)
	a := r.Summary.Autoscaling
	if len(a) != 1 {
		t.Fatalf("autoscaling %+v, want one autoscaler", a)
	}
	var got string
	for _, d := range a[0].Decisions {
		got += fmt.Sprintf("%gs %d→%d; ", d.AtS, d.From, d.To)
	}
	if want := "15s 1→2; 30s 2→3; "; got != want {
		t.Errorf("decisions %q, want %q", got, want)
	}
	if a[0].Peak != 3 || a[0].Final != 3 {
		t.Errorf("peak %d, final %d; want 3 and 3", a[0].Peak, a[0].Final)
	}
	// Asked for at 15s, the second instance serves from 25s; the third,
	// asked for at 30s, from 40s.
	for _, c := range []struct{ t, want float64 }{{24, 1}, {25, 2}, {39, 2}, {40, 3}} {
		if got := at(r, "api", "replicas", c.t); got != c.want {
			t.Errorf("replicas at %gs = %g, want %g", c.t, got, c.want)
		}
	}
	if got := at(r, "api", "desired_replicas", 15); got != 2 {
		t.Errorf("desired replicas at the end of the bucket of the first decision = %g, want 2", got)
	}
}

// A cold start: a new instance works warmup_factor times slower for its
// first warmup, so its calls take longer then than later.
func TestAutoscalerColdStart(t *testing.T) {
	r := run(t, `
duration = "1m"
[client.c]
target = "lb"
rate = 15
[load_balancer.lb]
targets = ["api"]
policy = "least_request"
[service.api]
instances = 1
max_instances = 2
workers = 1
service_time = "50ms"
[service.api.autoscale]
target = 0.3
interval = "10s"
window = "10s"
warmup = "10s"
warmup_factor = 3
`)
	cold := at(r, "api-2", "latency_p50_s", 12)
	warm := at(r, "api-2", "latency_p50_s", 30)
	if cold < 0.15 || warm > 0.1 {
		t.Errorf("api-2 median latency %gs while warming up, %gs later; want 150ms (3 × 50ms) or more, then about 50ms", cold, warm)
	}
}

// Scaling workers: a single instance grows its own pool.
func TestAutoscalerWorkers(t *testing.T) {
	r := run(t, `
duration = "1m"
[client.c]
target = "api"
rate = 30
[service.api]
workers = 1
service_time = "100ms"
[service.api.autoscale]
target = 0.5
max = 8
interval = "10s"
window = "10s"
cooldown = "0s"
`)
	a := r.Summary.Autoscaling[0]
	if a.Scale != "workers" || a.Decisions[0].From != 1 || a.Decisions[0].To != 2 {
		t.Fatalf("autoscaler %+v, want workers scaled from 1 to 2 first", a)
	}
	if got := at(r, "api", "workers", 59); got != float64(a.Final) || a.Final != 6 {
		t.Errorf("api workers at the end %g, final %d; want 6 (30 calls/s × 100ms / 0.5)", got, a.Final)
	}
}

// Scaling on the queue: eleven users who never think keep one instance with
// one worker busy and ten calls waiting, exactly. Against a target of 5
// waiting per instance, the autoscaler asks for ceil(1 × 10/5) = 2; two
// instances hold 4.5 waiting each, within the tolerance of 5, and it stays.
func TestAutoscalerOnQueue(t *testing.T) {
	r := run(t, `
duration = "1m"
[client.c]
target = "lb"
users = 11
think = "0s"
[load_balancer.lb]
targets = ["api"]
policy = "least_request"
[service.api]
instances = 1
max_instances = 4
workers = 1
service_time = "100ms"
[service.api.autoscale]
metric = "queue"
target = 5
`)
	var got string
	for _, d := range r.Summary.Autoscaling[0].Decisions {
		got += fmt.Sprintf("%gs %d→%d (%g); ", d.AtS, d.From, d.To, d.Metric)
	}
	if want := "15s 1→2 (10); "; got != want {
		t.Errorf("decisions %q, want %q", got, want)
	}
}
