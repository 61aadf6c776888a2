package sim_test

import (
	"math"
	"testing"
)

// mix is one client sending three classes to api: browse reads the
// catalog, search asks search, checkout reads the catalog and pays.
const mix = `
duration = "200s"
[metrics]
bucket = "10s"
[client.web]
target = "api"
rate = 500
[client.web.operation.browse]
weight = 70
criticality = "sheddable_plus"
path.api = { steps = ["catalog"], service_time = "2ms" }
[client.web.operation.search]
weight = 25
criticality = "sheddable"
path.api = { steps = ["search"] }
[client.web.operation.checkout]
weight = 5
criticality = "critical_plus"
path.api = { steps = ["catalog", "payments"], service_time = "10ms" }
[service.api]
workers = 1000
service_time = "5ms"
[[service.api.call]]
to = "catalog"
[[service.api.call]]
to = "search"
[[service.api.call]]
to = "payments"
[database.catalog]
connections = 1000
query_time = "1ms"
[database.search]
connections = 1000
query_time = "20ms"
[database.payments]
connections = 1000
query_time = "30ms"
`

// Each class takes its share of the requests, its own steps and its own
// service time; the client's statistics are reported once more per class.
func TestClassesTakeTheirShareAndTheirPath(t *testing.T) {
	r := run(t, mix)
	s := r.Summary
	total := float64(s.Clients.LogicalRequests)
	for _, tc := range []struct {
		class   string
		share   float64
		latency float64 // api's work and the class's calls, nothing queues
	}{
		{"browse", 0.70, 0.002 + 0.001},
		{"search", 0.25, 0.005 + 0.020},
		{"checkout", 0.05, 0.010 + 0.001 + 0.030},
	} {
		c, ok := s.Clients.Classes[tc.class]
		if !ok {
			t.Fatalf("no clients.classes.%s in the summary", tc.class)
		}
		if got := float64(c.LogicalRequests) / total; math.Abs(got-tc.share) > 0.005 {
			t.Errorf("%s: %.3f of the requests, want %.2f", tc.class, got, tc.share)
		}
		near(t, tc.class+" mean latency", c.Latency.Mean, tc.latency, 0.002)
		if len(r.Series.Get("web", "goodput_rps."+tc.class)) == 0 {
			t.Errorf("timeseries.csv has no goodput_rps.%s for web", tc.class)
		}
	}
	// Each class calls only its steps: the catalog hears browse and
	// checkout, search only search, payments only checkout.
	calls := func(db string) int64 { return s.Components[db].Arrivals }
	if got, want := calls("catalog"), s.Clients.Classes["browse"].LogicalRequests+s.Clients.Classes["checkout"].LogicalRequests; got != want {
		t.Errorf("catalog: %d calls, want browse + checkout = %d", got, want)
	}
	if got, want := calls("payments"), s.Clients.Classes["checkout"].LogicalRequests; got != want {
		t.Errorf("payments: %d calls, want checkout's %d", got, want)
	}
	var sum int64
	for _, c := range s.Clients.Classes {
		sum += c.LogicalRequests
	}
	if sum != s.Clients.LogicalRequests {
		t.Errorf("classes add up to %d requests, the clients made %d", sum, s.Clients.LogicalRequests)
	}
}

// A queue by criticality is a non-preemptive priority queue: in an M/M/1
// server, class k waits W0 / ((1 - σ(k-1))(1 - σ(k))) (Cobham, 1954), where
// W0 = Σ λ_i E[S²]/2 is the work found in service and σ(k) the load of the
// classes at k's level and above.
func TestCriticalityQueueFollowsCobham(t *testing.T) {
	slow(t)
	r := run(t, `
duration = "2000s"
[metrics]
bucket = "10s"
[client.c]
target = "server"
rate = 700
[client.c.operation.pay]
weight = 3
criticality = "critical_plus"
[client.c.operation.batch]
weight = 4
criticality = "sheddable"
[service.server]
workers = 1
service_time = { dist = "exponential", mean = "1ms" }
queue = { by_criticality = true }
`)
	const mu, lh, ll = 1000.0, 300.0, 400.0
	w0 := (lh + ll) * (2 / (mu * mu)) / 2
	rh, rl := lh/mu, ll/mu
	high := w0/(1-rh) + 1/mu
	low := w0/((1-rh)*(1-rh-rl)) + 1/mu
	near(t, "critical_plus W", r.Summary.Clients.Classes["pay"].Latency.Mean, high, 0.03)
	near(t, "sheddable W", r.Summary.Clients.Classes["batch"].Latency.Mean, low, 0.03)
	// Together they wait as in M/M/1: priorities move waiting, not its sum.
	near(t, "W", r.Summary.Components["server"].MeanResponseS, 1/(mu-lh-ll), 0.03)
}

// A full queue by criticality makes room for a call by shedding a waiting
// call of a lower level: the critical class is refused only when nothing
// below it waits, and its sheddable requests are not retried.
func TestAFullQueueShedsTheLowestFirst(t *testing.T) {
	r := run(t, `
duration = "100s"
[metrics]
bucket = "10s"
[client.c]
target = "server"
rate = 1500
retry = { max_attempts = 3, backoff = "none" }
[client.c.operation.pay]
weight = 1
criticality = "critical"
[client.c.operation.batch]
weight = 2
criticality = "sheddable"
[service.server]
workers = 1
service_time = { dist = "exponential", mean = "1ms" }
queue = { capacity = 20, by_criticality = true }
`)
	pay, batch := r.Summary.Clients.Classes["pay"], r.Summary.Clients.Classes["batch"]
	if pay.Failed != 0 {
		t.Errorf("critical: %d requests failed, want none while sheddable ones wait", pay.Failed)
	}
	if batch.Failed == 0 || batch.Failures.Rejected != batch.Failed {
		t.Errorf("sheddable: %d failed (%d refused), want many, all refused", batch.Failed, batch.Failures.Rejected)
	}
	if batch.Attempts != batch.LogicalRequests {
		t.Errorf("sheddable: %d attempts for %d requests; a refused sheddable request is not retried", batch.Attempts, batch.LogicalRequests)
	}
	// Refused on arrival when nothing lower waits, or pushed out (shed).
	if srv := r.Summary.Components["server"]; srv.Rejected != batch.Failed || srv.Shed == 0 {
		t.Errorf("the server refused %d calls (%d pushed out), want the %d sheddable requests that failed, some pushed out",
			srv.Rejected, srv.Shed, batch.Failed)
	}
}

// A class bulkhead bounds the calls of its class inside a server, the
// same-named classes of every client together; the other classes keep the
// rest.
func TestAClassBulkheadBoundsItsClass(t *testing.T) {
	r := run(t, `
duration = "60s"
[metrics]
bucket = "10s"
[client.c]
target = "api"
rate = 200
[client.c.operation.search]
weight = 1
[client.c.operation.browse]
weight = 1
path.api = { service_time = "1ms" }
[client.bot]
target = "api"
rate = 100
[client.bot.operation.search]
weight = 1
[service.api]
workers = 100
service_time = "200ms"
class_bulkheads = { search = 10 }
`)
	search, browse := r.Summary.Clients.Classes["search"], r.Summary.Clients.Classes["browse"]
	// 200 searches a second for 200ms would hold 40 places; 10 are allowed:
	// about three in four are refused (half, were each client's bounded alone).
	if got := float64(search.Failed) / float64(search.LogicalRequests); got < 0.7 || got > 0.8 {
		t.Errorf("search: %.2f of requests refused by its bulkhead of 10, want about 3/4", got)
	}
	if browse.Failed != 0 {
		t.Errorf("browse: %d requests failed; the bulkhead is search's", browse.Failed)
	}
}

// An operator's kill switch and timeout on a client act on its request
// classes too: each class has a policy of its own, the client's where it
// set none.
func TestInterventionsOnAClientReachItsClasses(t *testing.T) {
	r := run(t, `
duration = "20s"
[metrics]
bucket = "1s"
[client.c]
target = "s"
rate = 200
retry = { max_attempts = 3, backoff = "none", retry_on = ["error"] }
[client.c.operation.a]
weight = 1
[client.c.operation.b]
weight = 1
timeout = "1s"
[service.s]
workers = 100
service_time = "10ms"
error_rate = 0.5
[[intervention]]
target = "c"
kind = "retries-off"
at = "5s"
for = "5s"
[[intervention]]
target = "c"
kind = "timeout"
timeout = "5ms"
at = "12s"
for = "4s"
`)
	for _, class := range []string{"a", "b"} {
		retries := r.Series.Get("c", "retries."+class)
		timedOut := r.Series.Get("c", "timed_out."+class)
		var off, during, before float64
		for b := 6; b < 10; b++ {
			off += retries[b]
		}
		for b := 13; b < 16; b++ {
			during += timedOut[b]
		}
		for b := 0; b < 5; b++ {
			before += retries[b]
		}
		if off != 0 || before == 0 {
			t.Errorf("class %s: %g retries while retries were off, %g before", class, off, before)
		}
		if during == 0 {
			t.Errorf("class %s: no attempt timed out under a 5ms timeout", class)
		}
	}
}
