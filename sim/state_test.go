package sim_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Requests arrive for 50s and every attempt ends by 60s, so the totals are
// exact multiples of the logical requests.
const stopAt50 = `schedule = [{ at = "50s", rate = 0 }]`

// Each attempt of a write that is not stopped when its caller gives up
// takes effect when its query completes. Attempts go at t, t+1s and t+2s
// (1s timeout, no backoff) and each query takes 1.5s, so they complete at
// t+1.5s, t+2.5s and t+3.5s; idempotency keys are checked when a query
// arrives and again when it completes.
func TestDuplicateWrites(t *testing.T) {
	tests := []struct {
		name, retryOn, write, keys string
		// per logical request
		writes, duplicates, deduplicated, succeeded float64
	}{
		{"every attempt takes effect", "", "non_idempotent", "", 3, 2, 0, 0},
		{"retrying only refusals repeats nothing", `, retry_on = ["rejected"]`, "non_idempotent", "", 1, 0, 0, 0},
		{"an idempotent write runs three times without a duplicate", "", "idempotent", "", 3, 0, 0, 0},
		// the second attempt completes after the first stored the key; the
		// third arrives with the key stored and is answered at once
		{"keys deduplicate both retries", "", "non_idempotent", `idempotency_keys = { ttl = "1h" }`, 1, 0, 2, 1},
		// the key of t+1.5s lives until t+2.5s: the third attempt (t+2s)
		// finds it, the second completes as it expires
		{"a key that expires too soon lets one through", "", "non_idempotent", `idempotency_keys = { ttl = "1s" }`, 2, 1, 1, 1},
		{"a key gone before any retry arrives protects nothing", "", "non_idempotent", `idempotency_keys = { ttl = "500ms" }`, 3, 2, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, fmt.Sprintf(`
duration = "60s"
[client.users]
target = "db"
rate = 20
%s
timeout = "1s"
retry = { max_attempts = 3, backoff = "none"%s }
write = "%s"
[database.db]
connections = 1000
query_time = "1.5s"
%s
`, stopAt50, tt.retryOn, tt.write, tt.keys)).Summary
			n := float64(r.Clients.LogicalRequests)
			st := r.State
			for _, c := range []struct {
				what      string
				got, want float64
			}{
				{"writes", float64(st.Writes), tt.writes * n},
				{"duplicate writes", float64(st.DuplicateWrites), tt.duplicates * n},
				{"deduplicated", float64(st.Deduplicated), tt.deduplicated * n},
				{"succeeded", float64(r.Clients.Succeeded), tt.succeeded * n},
			} {
				if c.got != c.want {
					t.Errorf("%s = %g, want %g for %g logical requests", c.what, c.got, c.want, n)
				}
			}
			if db := r.Components["db"]; db.DuplicateWrites != st.DuplicateWrites || db.Writes != st.Writes {
				t.Errorf("db %d writes, %d duplicates; the run %d, %d", db.Writes, db.DuplicateWrites, st.Writes, st.DuplicateWrites)
			}
		})
	}
}

// A crash loses a key store kept in memory, with every key in it, and
// retries after the crash take effect again; a durable store keeps them.
// The retry goes 3s after the first attempt, whose query completed at
// 1.5s: a request that started in [27.1s, 28.5s) wrote before the crash at
// 30s and retries after it.
func TestCrashLosesTheKeyStore(t *testing.T) {
	scenario := `
duration = "60s"
[client.users]
target = "db"
rate = 20
timeout = "1s"
retry = { max_attempts = 2, backoff = "constant", base = "2s" }
write = "non_idempotent"
[database.db]
connections = 1000
query_time = "1.5s"
idempotency_keys = { ttl = "1h", durable = %v }
[[fault]]
target = "db"
kind = "crash"
at = "30s"
for = "100ms"
`
	mem := run(t, fmt.Sprintf(scenario, false))
	stored := mem.Series.Get("db", "idempotency_keys")[29] // at the end of [29s, 30s): just before the crash
	if got := float64(mem.Summary.State.KeysLost); got != stored || got == 0 {
		t.Errorf("keys lost %g, want the %g stored when the crash came", got, stored)
	}
	if mem.Summary.State.DuplicateWrites == 0 {
		t.Error("no duplicate after the crash emptied the key store")
	}
	durable := run(t, fmt.Sprintf(scenario, true)).Summary.State
	if durable.KeysLost != 0 || durable.DuplicateWrites != 0 {
		t.Errorf("durable store: %d keys lost, %d duplicates; want none", durable.KeysLost, durable.DuplicateWrites)
	}
}

// partialFailure runs a handler that writes the database, then updates a
// cache that takes cacheTime, with its policy keys; extra is appended to
// the scenario.
func partialFailure(t *testing.T, policy, cacheTime string, cacheErrors float64, extra string) *results.Run {
	t.Helper()
	return run(t, fmt.Sprintf(`
duration = "60s"
[client.users]
target = "api"
rate = 50
%s
[service.api]
workers = 1000
service_time = "2ms"
%s
[[service.api.call]]
to = "db"
timeout = "100ms"
write = "idempotent"
[[service.api.call]]
to = "cache"
write = "idempotent"
[database.db]
connections = 1000
query_time = "10ms"
[service.cache]
workers = 1000
service_time = %q
error_rate = %g
%s
`, stopAt50, policy, cacheTime, cacheErrors, extra))
}

// With no policy, a step that fails after a write succeeded leaves the
// state inconsistent for good: every one stays open, and the oldest ages
// with the run.
func TestPartialFailureNone(t *testing.T) {
	r := partialFailure(t, `on_partial_failure = "none"`, "1ms", 1, "")
	api, n := r.Summary.Components["api"], r.Summary.Clients.LogicalRequests
	if api.Inconsistent != n || api.Repaired != 0 || api.InconsistentOpen != n || r.Summary.Clients.Failed != n {
		t.Errorf("%d requests: %d inconsistent, %d repaired, %d open, %d failed; want all inconsistent, open and failed",
			n, api.Inconsistent, api.Repaired, api.InconsistentOpen, r.Summary.Clients.Failed)
	}
	opened, open := r.Series.Get("api", "inconsistent"), r.Series.Get("api", "inconsistent_open")
	total := 0.0
	for b := range opened {
		total += opened[b]
		if open[b] != total {
			t.Fatalf("bucket %d: %g open, want all %g opened so far", b, open[b], total)
		}
	}
	if age := r.Summary.State.OldestOpenAgeS; age < 59 || age > 60 {
		t.Errorf("oldest open for %gs, want since the first request, at the start of the run", age)
	}
}

// Rollback undoes the earlier write: one compensating call to the database
// per failure, which is not itself a write; each closes its inconsistency.
func TestPartialFailureRollback(t *testing.T) {
	r := partialFailure(t, `on_partial_failure = "rollback"`, "1ms", 1, "")
	api, db, n := r.Summary.Components["api"], r.Summary.Components["db"], r.Summary.Clients.LogicalRequests
	if api.Inconsistent != n || api.Repaired != n || api.InconsistentOpen != 0 || r.Summary.Clients.Failed != n {
		t.Errorf("%d requests: %d inconsistent, %d repaired, %d open, %d failed; want all rolled back and failed",
			n, api.Inconsistent, api.Repaired, api.InconsistentOpen, r.Summary.Clients.Failed)
	}
	if db.Arrivals != 2*n || db.Writes != n {
		t.Errorf("db: %d calls, %d writes; want a write and a compensation for each of %d requests", db.Arrivals, db.Writes, n)
	}
}

// A compensation can fail: from 20s the database takes 210ms, past the
// 100ms timeout, so the rollbacks of requests whose cache call failed after
// 20s (it takes 1s) fail, and their inconsistency stays.
func TestPartialFailureRollbackCanFail(t *testing.T) {
	r := partialFailure(t, `on_partial_failure = "rollback"`, "1s", 1, `
[[fault]]
target = "db"
kind = "latency"
latency = "200ms"
at = "20s"
for = "40s"
`)
	api := r.Summary.Components["api"]
	stuck := api.Inconsistent - api.Repaired
	if stuck <= 0 || api.InconsistentOpen != stuck {
		t.Errorf("%d inconsistent, %d repaired, %d open: want the failed rollbacks still open", api.Inconsistent, api.Repaired, api.InconsistentOpen)
	}
	// about 50 requests/s over the second before 20s
	if stuck < 20 || stuck > 90 {
		t.Errorf("%d rollbacks failed, want about 50", stuck)
	}
	// the first of them opened when its cache call failed, just after 20s
	if age := r.Summary.State.OldestOpenAgeS; age < 39 || age > 40 {
		t.Errorf("oldest open for %gs, want since just after 20s", age)
	}
}

// Retry-step answers the client, keeps the write and retries the failed
// step until it succeeds: during a 20s cache outage the open ones pile up
// and age; with repairs every U(0, 1s), all are repaired within about a
// second of its end.
func TestPartialFailureRetryStep(t *testing.T) {
	r := partialFailure(t, "on_partial_failure = \"retry-step\"\nrepair_backoff = { base = \"1s\", cap = \"1s\" }", "1ms", 0, `
[[fault]]
target = "cache"
kind = "errors"
error_rate = 1
at = "0s"
for = "20s"
`)
	api, c := r.Summary.Components["api"], r.Summary.Clients
	if c.Succeeded != c.LogicalRequests || api.Inconsistent == 0 || api.Repaired != api.Inconsistent || api.InconsistentOpen != 0 {
		t.Errorf("%d of %d succeeded; %d inconsistent, %d repaired, %d open; want every request answered and every one repaired",
			c.Succeeded, c.LogicalRequests, api.Inconsistent, api.Repaired, api.InconsistentOpen)
	}
	open, age := r.Series.Get("api", "inconsistent_open"), r.Series.Get("api", "oldest_inconsistent_age_s")
	if open[18] < 800 || age[18] < 18 || age[18] > 19 {
		t.Errorf("at 19s: %g open, the oldest %gs old; want about 950, since the start", open[18], age[18])
	}
	if open[21] != 0 || age[21] != 0 {
		t.Errorf("at 22s: %g open, the oldest %gs old; want all repaired", open[21], age[21])
	}
	if api.RepairAttempts < api.Inconsistent {
		t.Errorf("%d repair attempts for %d repairs", api.RepairAttempts, api.Inconsistent)
	}
}

// A failed call answered from a fallback is a degraded success, counted
// apart from successes and failures, at the caller and at every caller
// above it, after the fallback's latency.
func TestFallbacks(t *testing.T) {
	tests := []struct {
		name, client, call          string
		succeeded, degraded, failed float64 // per logical request
		latency                     float64
	}{
		{"no fallback: the failure goes up", "", "", 0, 0, 1, 0.011},
		{"the client falls back after 5ms", `fallback = { latency = "5ms" }`, "", 0, 1, 0, 0.016},
		{"the service falls back, its answer is degraded", "", `fallback = { latency = "0s" }`, 0, 1, 0, 0.011},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, fmt.Sprintf(`
duration = "60s"
[client.users]
target = "api"
rate = 50
%s
%s
[service.api]
workers = 1000
service_time = "1ms"
[[service.api.call]]
to = "rec"
%s
[service.rec]
workers = 1000
service_time = "10ms"
error_rate = 1
`, stopAt50, tt.client, tt.call)).Summary
			c := r.Clients
			n := float64(c.LogicalRequests)
			if float64(c.Succeeded) != tt.succeeded*n || float64(c.Degraded) != tt.degraded*n || float64(c.Failed) != tt.failed*n {
				t.Errorf("%d succeeded, %d degraded, %d failed of %g", c.Succeeded, c.Degraded, c.Failed, n)
			}
			if math.Abs(c.Latency.Max-tt.latency) > 1e-3*tt.latency || math.Abs(c.Latency.P50-tt.latency) > 1e-3*tt.latency {
				t.Errorf("latency p50 %g, max %g; want %g", c.Latency.P50, c.Latency.Max, tt.latency)
			}
			api, users := r.Components["api"], r.Components["users"]
			if tt.call != "" && (float64(api.Fallbacks) != n || float64(api.Degraded) != n) {
				t.Errorf("api: %d fallbacks, %d degraded answers; want %g", api.Fallbacks, api.Degraded, n)
			}
			if tt.client != "" && float64(users.Fallbacks) != n {
				t.Errorf("users: %d fallbacks, want %g", users.Fallbacks, n)
			}
		})
	}
}

// Hedging follows gRPC's rules: a copy every hedging_delay until one
// succeeds or max_attempts are out; a non-fatal failure sends the next at
// once; a fatal one ends the call; the first success wins and the others
// are abandoned (cancelled, when the edge cancels).
func TestHedgingTiming(t *testing.T) {
	tests := []struct {
		name, client, service string
		attempts, failed      float64 // per logical request
		latency               float64 // every request's, seconds
		calleeCancelled       float64 // per logical request
	}{
		{"copies every 300ms until the first answer at 1s", `hedge = { max_attempts = 3, hedging_delay = "300ms" }`, `service_time = "1s"`, 3, 0, 1, 0},
		{"the losers are cancelled when the edge cancels", "hedge = { max_attempts = 3, hedging_delay = \"300ms\" }\ncancel = true", `service_time = "1s"`, 3, 0, 1, 2},
		{"no copy when the answer comes before the delay", `hedge = { max_attempts = 3, hedging_delay = "1.5s" }`, `service_time = "1s"`, 1, 0, 1, 0},
		{"a non-fatal failure sends the next copy at once", `hedge = { max_attempts = 3, hedging_delay = "10s", non_fatal = ["error"] }`, "service_time = \"100ms\"\nerror_rate = 1", 3, 1, 0.3, 0},
		{"a fatal failure ends the call", `hedge = { max_attempts = 3, hedging_delay = "10s" }`, "service_time = \"100ms\"\nerror_rate = 1", 1, 1, 0.1, 0},
		{"the last copy to time out fails the call", "hedge = { max_attempts = 2, hedging_delay = \"300ms\", non_fatal = [\"timeout\"] }\ntimeout = \"400ms\"", `service_time = "1s"`, 2, 1, 0.7, 0},
		{"a fatal timeout stops the other copies", "hedge = { max_attempts = 2, hedging_delay = \"300ms\" }\ntimeout = \"400ms\"", `service_time = "1s"`, 2, 1, 0.4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, fmt.Sprintf(`
duration = "60s"
[client.users]
target = "s"
rate = 50
%s
%s
[service.s]
workers = 1000
%s
`, stopAt50, tt.client, tt.service)).Summary
			c, s := r.Clients, r.Components["s"]
			n := float64(c.LogicalRequests)
			if float64(c.Attempts) != tt.attempts*n || float64(c.Hedges) != (tt.attempts-1)*n || float64(c.Failed) != tt.failed*n {
				t.Errorf("%d attempts, %d hedges, %d failed for %g requests; want %g attempts each", c.Attempts, c.Hedges, c.Failed, n, tt.attempts)
			}
			if math.Abs(c.Latency.Max-tt.latency) > 1e-3*tt.latency || math.Abs(c.Latency.P50-tt.latency) > 1e-3*tt.latency {
				t.Errorf("latency p50 %g, max %g; want %g", c.Latency.P50, c.Latency.Max, tt.latency)
			}
			if float64(s.Cancelled) != tt.calleeCancelled*n {
				t.Errorf("callee cancelled %d, want %g", s.Cancelled, tt.calleeCancelled*n)
			}
		})
	}
}

// Against exponential service times of mean m, two copies d apart finish
// at min(X1, d + X2): mean m(1 - e^(-d/m)/2), and the copy is sent only
// when the first is not done by d, with probability e^(-d/m); it wins half
// of those (memoryless).
func TestHedgingClosedForm(t *testing.T) {
	r := run(t, `
duration = "200s"
[client.users]
target = "s"
rate = 100
hedge = { max_attempts = 2, hedging_delay = "50ms" }
[service.s]
workers = 100000
service_time = { dist = "exponential", mean = "100ms" }
`).Summary
	m, d := 0.1, 0.05
	c := r.Clients
	n := float64(c.LogicalRequests)
	near(t, "mean latency", c.Latency.Mean, m*(1-math.Exp(-d/m)/2), 0.02)
	near(t, "hedges per request", float64(c.Hedges)/n, math.Exp(-d/m), 0.03)
	near(t, "hedge wins per request", float64(r.Components["users"].HedgeWins)/n, math.Exp(-d/m)/2, 0.05)
}

// Every copy of a hedged write takes effect: hedging a non-idempotent write
// duplicates it unless the callee deduplicates.
func TestHedgingDuplicatesWrites(t *testing.T) {
	for _, keys := range []string{"", `idempotency_keys = { ttl = "1h" }`} {
		r := run(t, fmt.Sprintf(`
duration = "60s"
[client.users]
target = "db"
rate = 50
%s
hedge = { max_attempts = 3, hedging_delay = "300ms" }
write = "non_idempotent"
[database.db]
connections = 1000
query_time = "1s"
%s
`, stopAt50, keys)).Summary
		n, st := r.Clients.LogicalRequests, r.State
		want := 2 * n
		if keys != "" {
			want = 0
		}
		if st.DuplicateWrites != want {
			t.Errorf("keys %q: %d duplicate writes for %d requests, want %d", keys, st.DuplicateWrites, n, want)
		}
	}
}

// stateStress uses every state mechanism at once, with cancellation,
// crashes and overload: the books must balance at every bucket.
const stateStress = `
duration = "60s"
[client.users]
target = "lb"
rate = 400
timeout = "500ms"
cancel = true
hedge = { max_attempts = 3, hedging_delay = "50ms", non_fatal = ["error", "rejected"] }
[load_balancer.lb]
targets = ["api"]
cancel = true
retry_policy = { num_retries = 2, per_try_timeout = "200ms" }
[service.api]
instances = 3
workers = 8
service_time = { dist = "exponential", mean = "5ms" }
abort_on_cancel = true
on_partial_failure = "rollback"
idempotency_keys = { ttl = "5s" }
[[service.api.call]]
to = "db"
timeout = "100ms"
cancel = true
retry = { max_attempts = 2, backoff = "none" }
write = "non_idempotent"
[[service.api.call]]
to = "cache"
timeout = "50ms"
hedge = { max_attempts = 2, hedging_delay = "10ms" }
fallback = { latency = "1ms" }
[[service.api.call]]
to = "events"
timeout = "100ms"
write = "idempotent"
[database.db]
connections = 10
query_time = { dist = "exponential", mean = "8ms" }
idempotency_keys = { ttl = "10s" }
[database.cache]
connections = 10
query_time = { dist = "exponential", mean = "2ms" }
error_rate = 0.2
[service.events]
workers = 10
service_time = "1ms"
error_rate = 0.1
[[fault]]
target = "api-2"
kind = "crash"
at = "15s"
for = "5s"
[[fault]]
target = "db"
kind = "crash"
at = "30s"
for = "2s"
[[fault]]
target = "db"
kind = "slowdown"
factor = 8
at = "40s"
for = "10s"
[variant.retry-step]
service.api.on_partial_failure = "retry-step"
service.api.repair_backoff = { base = "100ms", cap = "2s" }
`

func TestStateStress(t *testing.T) {
	for _, v := range []string{"", "retry-step"} {
		sc, err := scenariofile.Parse("stress.toml", []byte(stateStress), v)
		if err != nil {
			t.Fatal(err.(scenariofile.Errors).Pretty())
		}
		for seed := range uint64(3) {
			r, err := sim.Run(context.Background(), sc, sim.Options{Seed: seed, Debug: true})
			if err != nil {
				t.Fatal(err)
			}
			s := r.Summary
			if s.Clients.Hedges == 0 || s.State.Deduplicated == 0 || s.State.KeysLost == 0 || s.State.Inconsistent == 0 ||
				s.Components["api-1"].Fallbacks == 0 {
				t.Errorf("variant %q seed %d: a mechanism did nothing: %+v, %d hedges", v, seed, *s.State, s.Clients.Hedges)
			}
		}
	}
}

// A crash between a handler's calls, after its write, leaves the state
// inconsistent like a failed call does: for good with no policy (and with
// rollback: the handler that would compensate is gone); a repair kept with
// the data finishes the job after the restart. About 50 requests are
// waiting on their 1s cache call when the service crashes at 10s.
func TestCrashBetweenCalls(t *testing.T) {
	for _, tt := range []struct {
		policy   string
		repaired bool
	}{
		{`on_partial_failure = "none"`, false},
		{`on_partial_failure = "rollback"`, false},
		{"on_partial_failure = \"retry-step\"\nrepair_backoff = { base = \"1s\", cap = \"1s\" }", true},
	} {
		api := run(t, fmt.Sprintf(`
duration = "30s"
[client.users]
target = "api"
rate = 50
[service.api]
workers = 1000
service_time = "1ms"
%s
[[service.api.call]]
to = "db"
write = "idempotent"
[[service.api.call]]
to = "cache"
[database.db]
connections = 1000
query_time = "10ms"
[service.cache]
workers = 1000
service_time = "1s"
[[fault]]
target = "api"
kind = "crash"
at = "10s"
for = "1s"
`, tt.policy)).Summary.Components["api"]
		if api.Inconsistent < 20 || api.Inconsistent > 90 {
			t.Errorf("%s: %d inconsistent, want the ~50 cut off between their calls", tt.policy, api.Inconsistent)
		}
		if open := api.InconsistentOpen; (open == 0) != tt.repaired || api.Repaired+open != api.Inconsistent {
			t.Errorf("%s: %d repaired, %d open of %d", tt.policy, api.Repaired, open, api.Inconsistent)
		}
	}
}
