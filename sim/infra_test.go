package sim_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// A semaphore bulkhead admits at most its size into the step and fails the
// rest at once: every job reaches the step once, and either got in (the
// database saw it) or was refused.
func TestBulkheadAdmitsAtMostItsSize(t *testing.T) {
	r := run(t, `duration = "10s"
[client.users]
target = "api"
rate = 100
[service.api]
workers = 1000
service_time = "1ms"
[[service.api.call]]
to = "db"
bulkhead = 3
[database.db]
connections = 1000
query_time = "1s"
`)
	api, db := r.Summary.Components["api"], r.Summary.Components["db"]
	if most := slices.Max(r.Series.Get("api", "bulkhead_in_use.db")); most != 3 {
		t.Errorf("at most %v jobs in the step, want 3", most)
	}
	if db.Arrivals+api.BulkheadRejected != api.Arrivals-api.InFlight+db.InFlight || api.BulkheadRejected == 0 {
		t.Errorf("%d reached the db, %d refused, of %d calls (%d in flight)", db.Arrivals, api.BulkheadRejected, api.Arrivals, api.InFlight)
	}
	if db.Arrivals > 33 {
		t.Errorf("db saw %d calls; 3 at a time for 1s each allows at most 33 in 10s", db.Arrivals)
	}
}

// A step with a fraction runs for that fraction of jobs (binomial, 4 sd).
func TestFractionOfJobsMakeTheStep(t *testing.T) {
	r := run(t, `duration = "60s"
[client.users]
target = "api"
rate = 200
[service.api]
workers = 100
service_time = "1ms"
[[service.api.call]]
to = "db"
fraction = 0.3
[database.db]
connections = 100
query_time = "1ms"
`)
	n := float64(r.Summary.Components["api"].Arrivals)
	got := float64(r.Summary.Components["db"].Arrivals)
	if sd := math.Sqrt(n * 0.3 * 0.7); math.Abs(got-0.3*n) > 4*sd {
		t.Errorf("%v of %v jobs made the step, want %v ± %.0f", got, n, 0.3*n, 4*sd)
	}
}

const queueScenario = `duration = "20s"
[client.producer]
target = "q"
rate = 100
[queue.q]
consumer = "worker"
%s
[service.worker]
workers = 5
service_time = "10ms"
[[fault]]
target = "worker"
kind = "crash"
at = "0s"
for = "10s"
`

// A full queue refuses; a message stored longer than the retention is
// dropped and counted; the books balance (the run checks: stored = acked +
// expired + held).
func TestQueueCapacityAndRetention(t *testing.T) {
	full := run(t, fmt.Sprintf(queueScenario, "capacity = 300")).Summary.Components["q"].Queue
	if full.MaxBacklog != 300 || full.Rejected == 0 || full.Expired != 0 {
		t.Errorf("capacity 300: %+v", full)
	}
	r := run(t, fmt.Sprintf(queueScenario, `retention = "2s"`))
	q := r.Summary.Components["q"].Queue
	if q.Expired < 600 || q.Expired > 1000 || q.MaxAgeS > 2 {
		t.Errorf("retention 2s with the consumer down 10s: %+v; want about 800 expired, none older than 2s", q)
	}
	if most := slices.Max(r.Series.Get("q", "oldest_age_s")); most > 2 {
		t.Errorf("a message waited %.2fs, past the 2s retention", most)
	}
	if q.Acked == 0 || q.Stored != q.Acked+q.Expired+q.Held {
		t.Errorf("books: %+v", q)
	}
}

// Coalescing: with one key and a 1s fetch, every request in the first
// second waits for the first one's fetch; without it each is a fetch.
func TestCoalescingMakesOneFetch(t *testing.T) {
	const sc = `duration = "5s"
[client.users]
target = "cache"
rate = 50
[service.cache]
workers = 1000
service_time = "1ms"
cache = { keys = 1, coalesce = %v }
[[service.cache.call]]
to = "db"
[database.db]
connections = 100
query_time = "1s"
`
	with := run(t, fmt.Sprintf(sc, true)).Summary.Components["cache"]
	without := run(t, fmt.Sprintf(sc, false)).Summary.Components["cache"]
	if c := with.Cache; c.Fetches != 1 || c.Coalesced != c.Misses-1 || c.Misses < 30 || c.Hits+c.Misses != with.Arrivals-with.InFlight {
		t.Errorf("coalescing: %+v of %d calls", c, with.Arrivals)
	}
	if c := without.Cache; c.Fetches != c.Misses || c.Misses != with.Cache.Misses {
		t.Errorf("no coalescing: %+v, want a fetch per miss, as many misses as with it (%d)", c, with.Cache.Misses)
	}
}

// The cache warms as the closed form says: uniform keys, room for all,
// requests at rate λ: the hit ratio at time t is 1 - exp(-λt/N), averaged
// over each 1s bucket.
func TestCacheWarmsInTheEngine(t *testing.T) {
	r := run(t, `duration = "30s"
[client.users]
target = "cache"
rate = 1000
[service.cache]
workers = 1000
service_time = "1us"
cache = { keys = 10000 }
[[service.cache.call]]
to = "db"
[database.db]
connections = 1000
query_time = "1us"
`)
	hit := r.Series.Get("cache", "cache_hit_ratio")
	for _, b := range []int{1, 5, 10, 20} {
		// mean of 1 - exp(-λt/N) over [b, b+1)
		a, z := float64(b)*1000/10000, float64(b+1)*1000/10000
		want := 1 - (math.Exp(-a)-math.Exp(-z))/(z-a)
		if sd := math.Sqrt(want * (1 - want) / 1000); math.Abs(hit[b]-want) > 5*sd {
			t.Errorf("second %d: hit ratio %.4f, want %.4f ± %.4f", b, hit[b], want, 5*sd)
		}
	}
}

// Delivery is at least once: a delivery that fails, or that the consumer
// does not answer within the visibility timeout, puts the message back, and
// it is delivered again.
func TestQueueRedelivers(t *testing.T) {
	const sc = `duration = "20s"
[client.producer]
target = "q"
rate = 5
[queue.q]
consumer = "worker"
%s
[service.worker]
workers = 1
service_time = "100ms"
%s
`
	tests := []struct {
		name, queue, worker string
		acked               bool // any message acked
		redelivered         bool
	}{
		{"answered in time", `visibility_timeout = "150ms"`, "", true, false},
		{"too slow for the visibility timeout", `visibility_timeout = "50ms"`, "", false, true},
		{"every delivery fails", "", "error_rate = 1", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := run(t, fmt.Sprintf(sc, tt.queue, tt.worker)).Summary
			q, w := s.Components["q"].Queue, s.Components["worker"]
			if (q.Acked > 0) != tt.acked || (q.Redelivered > 0) != tt.redelivered {
				t.Fatalf("%+v", q)
			}
			// Every delivery is acked or redelivered once its outcome is known;
			// with one worker at most one awaits it when the run ends.
			if n := q.Acked + q.Redelivered; n > w.Arrivals || n < w.Arrivals-1 {
				t.Errorf("%d deliveries, %d acked + %d redelivered", w.Arrivals, q.Acked, q.Redelivered)
			}
			if q.Stored != q.Acked+q.Expired+q.Held {
				t.Errorf("books: %+v", q)
			}
		})
	}
}
