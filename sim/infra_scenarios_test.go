package sim_test

import (
	"context"
	"math"
	"testing"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// mean is the mean of a metric over the buckets [from, to) seconds.
func mean(r *results.Run, comp, metric string, from, to int) float64 {
	v := r.Series.Get(comp, metric)
	var sum float64
	for _, x := range v[from:to] {
		sum += x
	}
	return sum / float64(to-from)
}

// cold-cache: warm, the cache answers as Che's approximation says and the
// database is comfortable; after the restart every read goes to it, it falls
// behind, the cache never warms again and goodput does not come back.
// Shedding load at the database lets fetches succeed and the cache warm, and
// so does a fetch that outlives its reader's timeout; coalescing alone saves
// a few queries and does not.
func TestColdCache(t *testing.T) {
	slow(t)
	const file = "../scenarios/cold-cache.toml"
	base := runFile(t, file, "")
	che := topology.Cache{Keys: 100000, Capacity: 20000, Popularity: topology.Zipf, ZipfS: 0.9}.WarmHitRatio()
	if h := mean(base, "cache", "cache_hit_ratio", 50, 60); math.Abs(h-che) > 0.05*che {
		t.Errorf("warm hit ratio %.3f; Che's approximation gives %.3f", h, che)
	}
	if q := mean(base, "db", "arrivals", 66, 80); q < 650 {
		t.Errorf("db arrivals after the restart %.0f/s, want far over its capacity of 500/s", q)
	}
	if h := mean(base, "cache", "cache_hit_ratio", 200, 240); h > 0.6 {
		t.Errorf("hit ratio at the end %.3f; the cache should stay cold", h)
	}
	if r := base.Summary.Recovery.Recovered; r == nil || *r {
		t.Errorf("base recovery: %s; want no recovery", base.Summary.Recovery.Verdict)
	}
	for _, v := range []string{"load-shedding", "fetch-to-completion"} {
		r := runFile(t, file, v)
		if h := mean(r, "cache", "cache_hit_ratio", 200, 240); math.Abs(h-che) > 0.05*che {
			t.Errorf("%s: hit ratio at the end %.3f, want warm again (%.3f)", v, h, che)
		}
		if rec := r.Summary.Recovery; rec.Recovered == nil || !*rec.Recovered || *rec.RecoveredAtS > 95 {
			t.Errorf("%s: %s; want recovered within 30s of the restart", v, rec.Verdict)
		}
	}
	co := runFile(t, file, "coalescing")
	c := co.Summary.Components["cache"].Cache
	if c.Coalesced == 0 || co.Summary.Components["db"].Arrivals >= base.Summary.Components["db"].Arrivals {
		t.Errorf("coalescing: %+v; want fewer queries than the base", c)
	}
}

// queue-buffer: synchronous, every order placed during the outage fails;
// through a durable queue none does, the backlog holds the outage's orders
// and drains within 90s of the consumer's return.
func TestQueueBuffer(t *testing.T) {
	slow(t)
	const file = "../scenarios/queue-buffer.toml"
	base := runFile(t, file, "").Summary
	if f := base.Clients.Failed; f < 11000 {
		t.Errorf("sync chain: %d orders failed, want every one of the outage's 12000", f)
	}
	r := runFile(t, file, "durable-queue")
	s := r.Summary
	if s.Clients.Failed != 0 {
		t.Errorf("durable queue: %d orders failed", s.Clients.Failed)
	}
	q := s.Components["orders"].Queue
	if q.MaxBacklog < 11000 || q.Expired != 0 || q.Rejected != 0 {
		t.Errorf("durable queue: %+v; want the outage's orders held, none lost", q)
	}
	if b := r.Series.Get("orders", "backlog"); b[210] > 100 {
		t.Errorf("backlog %v at t=210s; want drained within 90s of the consumer's return", b[210])
	}
	if age := mean(r, "orders", "oldest_age_s", 115, 120); age < 50 {
		t.Errorf("oldest message at the end of the outage %.0fs old, want about 60", age)
	}
}

// slow-dependency: during the slowdown the API fails far more requests than
// the tenth that call recommendations; with a bulkhead it fails no more.
func TestSlowDependency(t *testing.T) {
	slow(t)
	const file = "../scenarios/slow-dependency.toml"
	for _, tt := range []struct {
		variant  string
		min, max float64 // success during the slowdown
	}{{"", 0, 0.3}, {"bulkheads", 0.85, 1}} {
		r := runFile(t, file, tt.variant)
		ok := mean(r, "users", "succeeded", 70, 120) / mean(r, "users", "logical_requests", 70, 120)
		if ok < tt.min || ok > tt.max {
			t.Errorf("%q: %.1f%% succeed during the slowdown, want %.0f%% to %.0f%%", tt.variant, 100*ok, 100*tt.min, 100*tt.max)
		}
	}
}

// The new scenarios' books balance at the end of every bucket, in every
// variant: restarts with fetches and coalesced waiters in flight, consumer
// crashes with deliveries in flight, bulkheads through timeouts.
func TestInfraScenariosKeepTheirBooks(t *testing.T) {
	slow(t)
	for _, file := range []string{"cold-cache", "queue-buffer", "slow-dependency"} {
		path := "../scenarios/" + file + ".toml"
		base, err := scenariofile.Load(path, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range append([]string{""}, base.Variants...) {
			sc, err := scenariofile.Load(path, v)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sim.Run(context.Background(), sc, sim.Options{Seed: 3, Debug: true}); err != nil {
				t.Errorf("%s %q: %v", file, v, err)
			}
		}
	}
}

// infraEdgeCases has every awkward path of caches, queues and bulkheads
// within its first seconds (FuzzRun starts from it too).
const infraEdgeCases = `duration = "30s"
[client.readers]
target = "cache"
rate = 400
timeout = "150ms"
cancel = true
retry = { max_attempts = 2 }
[client.producer]
target = "orders"
rate = 100
[service.cache]
workers = 50
service_time = "1ms"
cache = { keys = 50, capacity = 20, popularity = "zipf", ttl = "2s", coalesce = true }
[[service.cache.call]]
to = "db"
timeout = "120ms"
cancel = true
bulkhead = 30
[[service.cache.call]]
to = "db"
fraction = 0.2
bulkhead = 2
[database.db]
connections = 4
query_time = { dist = "exponential", mean = "20ms" }
[queue.orders]
consumer = "worker"
capacity = 500
retention = "1s"
visibility_timeout = "50ms"
[service.worker]
instances = 2
workers = 3
service_time = { dist = "exponential", mean = "40ms" }
error_rate = 0.05
[[fault]]
target = "cache"
kind = "crash"
at = "2s"
for = "1s"
[[fault]]
target = "worker-1"
kind = "crash"
at = "1s"
for = "8s"
[[fault]]
target = "db"
kind = "slowdown"
factor = 5
at = "3s"
for = "5s"
`

// The awkward paths keep the books too: callers that cancel coalesced
// waiters and fetches, a restart with both in flight, a TTL, deliveries
// that outlive the visibility timeout, a consumer that crashes with
// deliveries in flight, bulkheads whose callers cancel.
func TestInfraEdgeCasesKeepTheirBooks(t *testing.T) {
	src := infraEdgeCases
	sc, err := scenariofile.Parse("edge.toml", []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(4) {
		r, err := sim.Run(context.Background(), sc, sim.Options{Seed: seed, Debug: true})
		if err != nil {
			t.Fatal(err)
		}
		c, q := r.Summary.Components["cache"].Cache, r.Summary.Components["orders"].Queue
		if c.Coalesced == 0 || q.Redelivered == 0 || q.Expired == 0 || r.Summary.Components["cache"].BulkheadRejected == 0 {
			t.Errorf("seed %d: a path was not taken: cache %+v, queue %+v, bulkhead rejected %d", seed, c, q, r.Summary.Components["cache"].BulkheadRejected)
		}
	}
}
