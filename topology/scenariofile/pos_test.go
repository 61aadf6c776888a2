package scenariofile

import (
	"testing"

	"github.com/failsim/failsim/topology"
)

// The keys findings point at carry their positions, a variant's from the
// variant's own lines, and a key set from the command line none.
func TestKeyPositions(t *testing.T) {
	const src = `[client.users]
target = "lb"
rate = 10
timeout = "2s"
retry = { max_attempts = 3, budget = { kind = "grpc" } }
breaker = {}

[load_balancer.lb]
targets = ["api"]
timeout = "5s"
retry_policy = { per_try_timeout = "1s" }
circuit_breakers = { retry_budget = {} }

[service.api]
workers = 4
service_time = "10ms"
queue = { capacity = 10 }

[[service.api.call]]
to = "db"
timeout = "30s"

[database.db]
connections = 2
query_time = "5ms"

[variant.v]
[[variant.v.service.api.call]]
to = "db"
timeout = "1s"
`
	line := func(p topology.Pos) int { return p.Line }
	sc, err := Parse("p.toml", []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	users, lb, api, db := sc.Components[0].Client.Call, sc.Components[1].Balancer, sc.Components[2].Server, sc.Components[3].Server
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"client", line(users.Pos), 1},
		{"client timeout", line(users.TimeoutPos), 4},
		{"client deadline (not written)", line(users.DeadlinePos), 0},
		{"client retry", line(users.Retry.Pos), 5},
		{"client budget", line(users.Retry.Budget.Pos), 5},
		{"client breaker", line(users.Breaker.Pos), 6},
		{"balancer route timeout", line(lb.Call.DeadlinePos), 10},
		{"balancer per-try timeout", line(lb.Call.TimeoutPos), 11},
		{"balancer retry_policy", line(lb.Call.Retry.Pos), 11},
		{"balancer retry_budget", line(lb.Call.Retry.Budget.Pos), 12},
		{"workers", line(api.WorkersPos), 15},
		{"queue", line(api.Queue.Pos), 17},
		{"call", line(api.Calls[0].Pos), 19},
		{"call timeout", line(api.Calls[0].TimeoutPos), 21},
		{"connections", line(db.WorkersPos), 24},
		{"queue (not written)", line(db.Queue.Pos), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: line %d, want %d", c.name, c.got, c.want)
		}
	}
	if f := users.TimeoutPos.File; f != "p.toml" {
		t.Errorf("file %q", f)
	}

	v, err := Parse("p.toml", []byte(src), "v", Setting{Key: "client.users.timeout", Value: "3s"})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Components[2].Server.Calls[0].TimeoutPos.Line; got != 30 {
		t.Errorf("variant's call timeout at line %d, want 30", got)
	}
	if got := v.Components[0].Client.Call.TimeoutPos; got != (topology.Pos{}) {
		t.Errorf("a --set timeout has position %+v, want none", got)
	}
}
