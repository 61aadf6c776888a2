package scenariofile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

// Mistakes in the keys about state are reported like any other: where, what
// was expected, and a did-you-mean.
func TestBrokenStateKeys(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           string // "line:col: message fragment"
	}{
		{"unknown write kind", `timeout = "2s"`, "timeout = \"2s\"\nwrite = \"nonidempotent\"",
			`8:9: client "users": write must be one of "none", "idempotent", "non_idempotent", "conditional", got "nonidempotent"; did you mean "non_idempotent"?`},
		{"hedge and retries", `timeout = "2s"`, "timeout = \"2s\"\nhedge = { max_attempts = 3 }",
			`8:9: client "users": give either hedge or retry with max_attempts > 1, not both`},
		{"hedge without max_attempts", `retry = { max_attempts = 3 }`, `hedge = { hedging_delay = "10ms" }`,
			`8:1: client "users" hedge: missing "max_attempts"`},
		{"hedge max_attempts below 2", `retry = { max_attempts = 3 }`, `hedge = { max_attempts = 1 }`,
			`8:26: client "users" hedge: max_attempts must be between 2 and 100, got 1`},
		{"hedge outcome typo", `retry = { max_attempts = 3 }`, `hedge = { max_attempts = 2, non_fatal = ["eror"] }`,
			`8:42: client "users" hedge: non_fatal: "eror" is not an outcome; use "timeout", "error", "rejected"; did you mean "error"?`},
		{"unitless hedging delay", `retry = { max_attempts = 3 }`, `hedge = { max_attempts = 2, hedging_delay = 10 }`,
			`8:45: hedging_delay: 10 has no unit`},
		{"hedge with a breaker", `retry = { max_attempts = 3 }`, "hedge = { max_attempts = 2 }\nbreaker = {}",
			`9:11: client "users": breaker is not supported together with hedge`},
		{"hedge with a retry budget", `retry = { max_attempts = 3 }`, "hedge = { max_attempts = 2 }\nretry = { max_attempts = 1, budget = { kind = \"grpc\" } }",
			`9:9: client "users": a retry budget is not supported together with hedge`},
		{"fallback for a write", `timeout = "30s"`, "timeout = \"30s\"\nwrite = \"idempotent\"\nfallback = {}",
			`23:12: service "api" call[0]: a fallback answers a read from a stale copy or a default; this call is a write`},
		{"fallback key typo", `timeout = "30s"`, "timeout = \"30s\"\nfallback = { latncy = \"1ms\" }",
			`22:14: service "api" call[0] fallback: unknown key "latncy"; did you mean "latency"?`},
		{"key store without ttl", `query_time = "10ms"`, "query_time = \"10ms\"\nidempotency_keys = {}",
			`26:1: database "db" idempotency_keys: missing "ttl"`},
		{"key store ttl zero", `query_time = "10ms"`, "query_time = \"10ms\"\nidempotency_keys = { ttl = \"0s\" }",
			`26:28: database "db" idempotency_keys: ttl must be more than zero`},
		{"partial failure policy typo", `workers = 10`, "workers = 10\non_partial_failure = \"retry_step\"",
			`17:22: service "api": on_partial_failure must be one of "none", "rollback", "retry-step", got "retry_step"; did you mean "retry-step"?`},
		{"partial failure policy without a write step", `workers = 10`, "workers = 10\non_partial_failure = \"rollback\"",
			`17:22: service "api": on_partial_failure applies to a handler with a write step`},
		{"repair backoff without retry-step", `workers = 10`, "workers = 10\nrepair_backoff = { base = \"1s\" }",
			`17:18: service "api": repair_backoff applies to on_partial_failure = "retry-step"`},
		{"partial failure policy on a database", `query_time = "10ms"`, "query_time = \"10ms\"\non_partial_failure = \"none\"",
			`26:1: database "db": unknown key "on_partial_failure"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(valid, tt.old) {
				t.Fatalf("test bug: %q not in the valid scenario", tt.old)
			}
			_, err := Parse("t.toml", []byte(strings.Replace(valid, tt.old, tt.new, 1)), "")
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want Errors", err)
			}
			if all := errs.Error(); !strings.Contains(all, "t.toml:"+tt.want) {
				t.Fatalf("errors:\n%s\nwant one containing:\nt.toml:%s", all, tt.want)
			}
		})
	}
}

// stateKeys uses every key about state.
const stateKeys = `
[client.users]
target = "api"
rate = 10
hedge = { max_attempts = 9, hedging_delay = "20ms", non_fatal = ["error", "rejected"] }

[service.api]
workers = 4
service_time = "1ms"
on_partial_failure = "retry-step"

[[service.api.call]]
to = "db"
write = "non_idempotent"

[[service.api.call]]
to = "cache"
fallback = { latency = "2ms" }

[database.db]
connections = 2
query_time = "1ms"
idempotency_keys = { ttl = "24h" }

[database.cache]
connections = 2
query_time = "1ms"
`

// The keys decode into the model with their documented defaults; gRPC
// treats a maxAttempts above 5 as 5.
func TestStateKeysDecode(t *testing.T) {
	sc, err := Parse("t.toml", []byte(stateKeys), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	h := sc.Components[0].Client.Call.Hedge
	if *h != (topology.Hedge{MaxAttempts: 5, HedgingDelay: 20 * time.Millisecond, NonFatal: topology.OnError | topology.OnRejected}) {
		t.Errorf("hedge %+v", *h)
	}
	api := sc.Components[1].Server
	if api.OnPartialFailure != topology.PartialRetryStep || api.Repair.Base != time.Second || api.Repair.Cap != time.Minute || api.PartialPos.Line != 10 {
		t.Errorf("partial failure %v, repair %+v, at %+v", api.OnPartialFailure, api.Repair, api.PartialPos)
	}
	if api.Calls[0].Write != topology.WriteNonIdempotent || api.Calls[1].Write != topology.WriteNone || api.Calls[1].Fallback.Latency != 2*time.Millisecond {
		t.Errorf("calls %+v", api.Calls)
	}
	if ks := sc.Components[2].Server.IdempotencyKeys; ks.TTL != 24*time.Hour || ks.Durable {
		t.Errorf("key store %+v", ks)
	}
	for _, tt := range []struct {
		calls []topology.Call
		want  bool
	}{
		{[]topology.Call{{CallPolicy: topology.CallPolicy{Write: topology.WriteIdempotent}}, {}}, true},
		{[]topology.Call{{CallPolicy: topology.CallPolicy{Write: topology.WriteIdempotent}}, {CallPolicy: topology.CallPolicy{Write: topology.WriteNonIdempotent}}}, true},
		{[]topology.Call{{}, {CallPolicy: topology.CallPolicy{Write: topology.WriteIdempotent}}}, false},                                                                // nothing after the write
		{[]topology.Call{{CallPolicy: topology.CallPolicy{Write: topology.WriteIdempotent}}, {CallPolicy: topology.CallPolicy{Fallback: &topology.Fallback{}}}}, false}, // what follows cannot fail
		{api.Calls, false}, // the cache read after the write falls back
	} {
		if got := topology.PartialFailureRisk(tt.calls); got != tt.want {
			t.Errorf("%+v: risk %v, want %v", tt.calls, got, tt.want)
		}
	}
}
