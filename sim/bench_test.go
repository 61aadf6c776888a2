package sim_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// benchScenario runs a scenario b.N times and reports events/s and logical
// requests (customers) per second of wall time.
func benchScenario(b *testing.B, sc *topology.Scenario) {
	b.ReportAllocs()
	var events, customers uint64
	for i := range b.N {
		r := mustRun(b, sc, uint64(i+1))
		events += r.Summary.Events
		customers += uint64(r.Summary.Clients.LogicalRequests)
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(events)/s/1e6, "Mevents/s")
	b.ReportMetric(float64(customers)/s/1e6, "Mcustomers/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}

func load(b *testing.B, path string, d time.Duration, sets ...scenariofile.Setting) *topology.Scenario {
	sc, err := scenariofile.Load(path, "", sets...)
	if err != nil {
		b.Fatal(err)
	}
	if d > 0 {
		sc.Duration = d
	}
	return sc
}

// BenchmarkMM1 is scenarios/validation/mm1.toml through the whole stack,
// metrics on: one million customers per op.
func BenchmarkMM1(b *testing.B) {
	benchScenario(b, load(b, "../scenarios/validation/mm1.toml", 2000*time.Second))
}

// BenchmarkMM1Minimal is the same M/M/1 queue as the minimal hand-written
// event loop the performance figures are measured against: a value-typed
// binary heap of (time, kind) events, a FIFO of arrival times, two random
// streams, and the mean response time as the only metric.
func BenchmarkMM1Minimal(b *testing.B) {
	const lambda, mu, customers = 500.0, 1000.0, 1_000_000
	type event struct {
		at     float64
		depart bool
	}
	for i := range b.N {
		arrivals := rand.New(rand.NewPCG(uint64(i), 1))
		service := rand.New(rand.NewPCG(uint64(i), 2))
		var heap []event
		push := func(e event) {
			heap = append(heap, e)
			for j := len(heap) - 1; j > 0; {
				p := (j - 1) / 2
				if heap[p].at <= heap[j].at {
					break
				}
				heap[p], heap[j] = heap[j], heap[p]
				j = p
			}
		}
		pop := func() event {
			top := heap[0]
			last := len(heap) - 1
			heap[0] = heap[last]
			heap = heap[:last]
			for j := 0; ; {
				c := 2*j + 1
				if c >= last {
					break
				}
				if c+1 < last && heap[c+1].at < heap[c].at {
					c++
				}
				if heap[j].at <= heap[c].at {
					break
				}
				heap[j], heap[c] = heap[c], heap[j]
				j = c
			}
			return top
		}
		var queue []float64 // arrival times of customers in the system
		var sum float64
		push(event{at: arrivals.ExpFloat64() / lambda})
		for served := 0; served < customers; {
			e := pop()
			if e.depart {
				sum += e.at - queue[0]
				queue = queue[1:]
				served++
				if len(queue) > 0 {
					push(event{at: e.at + service.ExpFloat64()/mu, depart: true})
				}
				continue
			}
			queue = append(queue, e.at)
			if len(queue) == 1 {
				push(event{at: e.at + service.ExpFloat64()/mu, depart: true})
			}
			push(event{at: e.at + arrivals.ExpFloat64()/lambda})
		}
		_ = sum
	}
	b.ReportMetric(float64(b.N)*customers/b.Elapsed().Seconds()/1e6, "Mcustomers/s")
}

// BenchmarkTimeoutMismatch10x is the shipped scenario at ten times its load
// and capacity: retries, timeouts, a spiral, abandoned work.
func BenchmarkTimeoutMismatch10x(b *testing.B) {
	benchScenario(b, load(b, "../scenarios/timeout-mismatch.toml", 0,
		scenariofile.Setting{Key: "client.users.rate", Value: "3000"},
		scenariofile.Setting{Key: "database.db.connections", Value: "220"},
		scenariofile.Setting{Key: "service.api.instances", Value: "40"},
	))
}

// BenchmarkComponents isolates each component kind behind a client: the
// cost of a call through it, per logical request.
func BenchmarkComponents(b *testing.B) {
	for _, tc := range []struct{ name, toml string }{
		{"client", `[client.c]
target = "s"
rate = 1000
[service.s]
workers = 1000
service_time = "1us"`},
		{"load_balancer", `[client.c]
target = "lb"
rate = 1000
[load_balancer.lb]
targets = ["s"]
policy = "least_request"
[service.s]
instances = 4
workers = 1000
service_time = "1us"`},
		{"service", `[client.c]
target = "s"
rate = 1000
[service.s]
workers = 1
service_time = { dist = "exponential", mean = "0.8ms" }`},
		{"database", `[client.c]
target = "db"
rate = 1000
[database.db]
connections = 10
query_time = { dist = "lognormal", median = "5ms", p99 = "20ms" }
slowdown = { linear = "10us" }`},
		{"timeouts and retries", `[client.c]
target = "s"
rate = 1000
timeout = "2ms"
retry = { max_attempts = 3, backoff = "exponential", base = "1ms" }
[service.s]
workers = 1
service_time = { dist = "exponential", mean = "0.8ms" }`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			sc, err := scenariofile.Parse("bench.toml", []byte("duration = \"1000s\"\n"+tc.toml), "")
			if err != nil {
				b.Fatal(err)
			}
			benchScenario(b, sc)
		})
	}
}

// BenchmarkScaling shows how the cost of an event grows with the topology:
// wider load balancers (more targets to choose from) and deeper call chains
// (more records and events per request), and with the number of requests in
// flight (a slow service with many workers keeps more pending).
func BenchmarkScaling(b *testing.B) {
	chain := func(depth int) string {
		s := "[client.c]\ntarget = \"s1\"\nrate = 1000\ntimeout = \"1s\"\n"
		for i := 1; i <= depth; i++ {
			s += fmt.Sprintf("[service.s%d]\nworkers = 100\nservice_time = { dist = \"exponential\", mean = \"1ms\" }\n", i)
			if i < depth {
				s += fmt.Sprintf("[[service.s%d.call]]\nto = \"s%d\"\ntimeout = \"1s\"\n", i, i+1)
			}
		}
		return s
	}
	wide := func(n int) string {
		return fmt.Sprintf("[client.c]\ntarget = \"lb\"\nrate = 1000\n[load_balancer.lb]\ntargets = [\"s\"]\n"+
			"[service.s]\ninstances = %d\nworkers = 10\nservice_time = { dist = \"exponential\", mean = \"1ms\" }\n", n)
	}
	inFlight := func(n int) string { // n calls in service on average (Little: rate x time)
		return fmt.Sprintf("[client.c]\ntarget = \"s\"\nrate = 1000\n[service.s]\nworkers = %d\nservice_time = \"%dms\"\n", 2*n, n)
	}
	cases := []struct{ name, toml string }{}
	for _, d := range []int{1, 3, 6} {
		cases = append(cases, struct{ name, toml string }{fmt.Sprintf("depth=%d", d), chain(d)})
	}
	for _, n := range []int{2, 16, 128} {
		cases = append(cases, struct{ name, toml string }{fmt.Sprintf("targets=%d", n), wide(n)})
	}
	for _, n := range []int{10, 1000, 100000} {
		cases = append(cases, struct{ name, toml string }{fmt.Sprintf("in_flight=%d", n), inFlight(n)})
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			sc, err := scenariofile.Parse("bench.toml", []byte("duration = \"500s\"\n"+tc.toml), "")
			if err != nil {
				b.Fatal(err)
			}
			benchScenario(b, sc)
		})
	}
}

// BenchmarkTailAtScaleHour is scenarios/perf/tail-at-scale-hour.toml: an
// hour of a front end fanning out to 100 leaves at 100 requests/s, 36
// million leaf calls per op. Run it with -benchtime 1x.
func BenchmarkTailAtScaleHour(b *testing.B) {
	sc := load(b, "../scenarios/perf/tail-at-scale-hour.toml", 0)
	b.ReportAllocs()
	var events, calls uint64
	for i := range b.N {
		r := mustRun(b, sc, uint64(i+1))
		events += r.Summary.Events
		for _, c := range r.Summary.Components {
			if c.Group == "leaf" { // the 100 leaves, a fleet
				calls += uint64(c.Arrivals)
			}
		}
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(events)/s/1e6, "Mevents/s")
	b.ReportMetric(float64(calls)/s/1e6, "Mleafcalls/s")
	b.ReportMetric(s/float64(b.N), "s/op")
}

// BenchmarkFanout is the tail at scale for two simulated minutes: a front
// end waiting for all of 100 leaves, and the same hedged after the leaves'
// p95, for comparing changes to the engine's fan-out.
func BenchmarkFanout(b *testing.B) {
	for _, v := range []string{"", "hedged"} {
		name := v
		if name == "" {
			name = "base"
		}
		b.Run(name, func(b *testing.B) {
			sc, err := scenariofile.Load("../scenarios/tail-at-scale.toml", v)
			if err != nil {
				b.Fatal(err)
			}
			benchScenario(b, sc)
		})
	}
}

// BenchmarkGrowth measures how the cost of an event and the memory grow
// with the size of what is simulated, one axis at a time: instances of one
// service behind a balancer (reported as a fleet past 64) or as many
// single-instance services, at 1000 requests/s, long enough that setting up
// ten thousand instances is a small part of the run; calls in flight, at 10,000
// requests/s with a service time that holds that many (Little's law: two
// instances half busy); and
// the rate, with calls of 1ms. docs/performance.md runs each case as its
// own process to read its peak memory.
func BenchmarkGrowth(b *testing.B) {
	cases := []struct{ name, toml string }{}
	add := func(name, toml string) { cases = append(cases, struct{ name, toml string }{name, toml}) }
	for _, n := range []int{10, 100, 1000, 10000} {
		add(fmt.Sprintf("instances=%d", n), fleetInstances(n, 1000, "1000s"))
	}
	for _, n := range []int{10, 100, 1000} { // 10,000 services would keep 75 million values of series
		add(fmt.Sprintf("services=%d", n), fleetServices(n, 1000, "300s"))
	}
	for _, n := range []int{1000, 10_000, 100_000, 1_000_000} {
		add(fmt.Sprintf("in_flight=%d", n), fmt.Sprintf("duration = \"200s\"\n[metrics]\nbucket = \"10s\"\n[client.c]\ntarget = \"lb\"\nrate = 10000\n"+
			"[load_balancer.lb]\ntargets = [\"s\"]\n[service.s]\ninstances = 2\nworkers = %d\nservice_time = { dist = \"exponential\", mean = \"%gs\" }\n", n, float64(n)/10000))
	}
	for _, r := range []int{1000, 10_000, 100_000} {
		add(fmt.Sprintf("rate=%d", r), fmt.Sprintf("duration = \"%ds\"\n[client.c]\ntarget = \"s\"\nrate = %d\n"+
			"[service.s]\nworkers = 1000\nservice_time = { dist = \"exponential\", mean = \"1ms\" }\n", 2_000_000/r, r))
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			sc := parse(b, tc.toml) // a thousand services' file takes 20 ms to read: not a cost per event
			b.ResetTimer()
			benchScenario(b, sc)
		})
	}
}

func parse(b *testing.B, toml string) *topology.Scenario {
	sc, err := scenariofile.Parse("bench.toml", []byte(toml), "")
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// fleetServices is a load balancer in front of n single-instance services.
func fleetServices(n, rate int, d string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "duration = %q\n[client.c]\ntarget = \"lb\"\nrate = %d\ntimeout = \"1s\"\n[load_balancer.lb]\ntargets = [", d, rate)
	for i := range n {
		if i > 0 {
			s.WriteString(", ")
		}
		fmt.Fprintf(&s, "\"s%d\"", i)
	}
	s.WriteString("]\n")
	for i := range n {
		fmt.Fprintf(&s, "[service.s%d]\nworkers = 4\nservice_time = { dist = \"exponential\", mean = \"1ms\" }\n", i)
	}
	return s.String()
}

// fleetInstances is a load balancer in front of one service of n instances.
func fleetInstances(n, rate int, d string) string {
	return fmt.Sprintf("duration = %q\n[client.c]\ntarget = \"lb\"\nrate = %d\ntimeout = \"1s\"\n[load_balancer.lb]\ntargets = [\"s\"]\n"+
		"[service.s]\ninstances = %d\nworkers = 4\nservice_time = { dist = \"exponential\", mean = \"1ms\" }\n", d, rate, n)
}
