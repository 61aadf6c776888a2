package scenariofile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

// validNetwork uses every key about links, records and the new retry
// guards.
const validNetwork = `
name = "net"
duration = "60s"

[network]
delay = "1ms"

[client.users]
target = "lb"
rate = 100
timeout = "1s"
deadline = "5s"
retry = { max_attempts = "none", budget = { kind = "token_bucket", capacity = 10, deposit = 0.1, cost = 1, initial = "empty" } }

[load_balancer.lb]
targets = ["api"]

[service.api]
instances = 2
workers = 10
service_time = "5ms"

[[service.api.call]]
to = "db"
timeout = "100ms"
write = "conditional"
retry = { max_attempts = 3, budget = { kind = "retry_breaker", failure_rate_threshold = 20, window = "lifetime" } }

[database.db]
connections = 10
query_time = "5ms"
records = { keys = 100, popularity = "hot", hot_fraction = 0.3 }

[[link]]
from = "api"
to = "db"
request_delay = { dist = "uniform", min = "1ms", max = "3ms" }
response_loss = 0.01

[[fault]]
partition = "api -> db"
at = "10s"
for = "20s"

[[fault]]
link = "* -> db"
kind = "loss"
loss = 0.5
direction = "responses"
at = "30s"
for = "5s"

[[fault]]
link = "lb -> *"
kind = "drift"
what = "latency"
from = "0s"
to = "50ms"
at = "40s"
for = "10s"
`

// Links, link faults, records and the new guards read into the model: a
// [[link]] overrides the default key by key, a replicated service stands
// for all its instances, and "*" for every callee or caller.
func TestNetworkKeys(t *testing.T) {
	sc, err := Parse("n.toml", []byte(validNetwork), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	idx := map[string]int{}
	for i, c := range sc.Components {
		idx[c.Name] = i
	}
	if d := sc.Network.Default; d.RequestDelay.Value != time.Millisecond || d.ResponseDelay.Value != time.Millisecond || d.Lossy() {
		t.Errorf("default link %+v", d)
	}
	if n := len(sc.Network.Links); n != 2 {
		t.Fatalf("%d edge links, want one per instance of api", n)
	}
	for _, api := range []string{"api-1", "api-2"} {
		l, _ := sc.Network.LinkOf(topology.Edge{From: idx[api], To: idx["db"]})
		if l.RequestDelay.Kind != topology.DistUniform || l.ResponseDelay.Value != time.Millisecond || l.ResponseLoss != 0.01 || l.RequestLoss != 0 {
			t.Errorf("%s -> db: %+v", api, l)
		}
	}
	f := sc.Faults
	if f[0].Kind != topology.FaultPartition || len(f[0].Link.Edges) != 2 || f[0].Link.Direction != topology.BothWays || f[0].Name != "partition api -> db" {
		t.Errorf("partition %+v", f[0])
	}
	if f[1].Kind != topology.FaultLoss || f[1].Loss != 0.5 || len(f[1].Link.Edges) != 2 || f[1].Link.Direction != topology.ResponsesOnly {
		t.Errorf("loss %+v", f[1])
	}
	if f[2].Kind != topology.FaultDrift || f[2].Drift.What != topology.DriftLatency || f[2].Drift.To != 0.05 || len(f[2].Link.Edges) != 2 {
		t.Errorf("drift %+v", f[2])
	}
	db := sc.Components[idx["db"]].Server.Records
	if db == nil || db.Keys != 100 || db.Popularity != topology.HotKey || db.Hot != 0.3 {
		t.Errorf("records %+v", db)
	}
	r := sc.Components[idx["users"]].Client.Call.Retry
	if r.MaxAttempts != topology.Unlimited || r.Budget.Kind != topology.BudgetTokenBucket || !r.Budget.StartEmpty || r.Budget.Cost != 1 {
		t.Errorf("client retry %+v, budget %+v", r, r.Budget)
	}
	b := sc.Components[idx["api-1"]].Server.Calls[0].Retry.Budget
	if b.Kind != topology.BudgetRetryBreaker || b.Window != 0 || b.FailureRateThreshold != 20 || b.MinimumNumberOfCalls != 20 {
		t.Errorf("retry breaker %+v", b)
	}
}

// Every mistake the issue names, in one file, is reported at once, each at
// its place.
func TestNetworkMistakesAllAtOnce(t *testing.T) {
	src := strings.NewReplacer(
		`delay = "1ms"`, "delay = \"1ms\"\nloss = 1.5",
		`cost = 1,`, `cost = 20,`,
		`to = "db"`+"\nrequest_delay", `to = "users"`+"\nrequest_delay",
		`partition = "api -> db"`, `partition = "db -> api"`,
		`records = { keys = 100, popularity = "hot", hot_fraction = 0.3 }`, ``,
	).Replace(validNetwork)
	_, err := Parse("n.toml", []byte(src), "")
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got %v, want Errors", err)
	}
	for _, want := range []string{
		`n.toml:7:8: network: loss must be between 0 and 1, got 1.5`,
		`n.toml:14:105: client "users" retry budget: cost 20 exceeds capacity 10`,
		`n.toml:27:1: api: write = "conditional" reads and writes a keyed record, but database "db" keeps no records`,
		`n.toml:37:6: link[0]: api does not call users; it calls "db"`,
		`n.toml:42:13: fault[0]: partition: no edge db -> api: db does not call api, api calls db: a link is named caller first, did you mean "api -> db"?`,
	} {
		if !strings.Contains(errs.Error(), want) {
			t.Errorf("errors:\n%s\nwant one containing:\n%s", errs.Error(), want)
		}
	}
	if len(errs) != 5 {
		t.Errorf("%d errors, want the 5 mistakes:\n%s", len(errs), errs.Error())
	}
}

// Other mistakes about links, records and retry guards, one at a time.
func TestBrokenNetworkKeys(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           string // "line:col: message fragment"
	}{
		{"link key typo", `response_loss = 0.01`, `response_los = 0.01`,
			`38:1: link[0]: unknown key "response_los"; did you mean "response_loss"?`},
		{"delay and a direction's delay", `response_loss = 0.01`, "response_loss = 0.01\ndelay = \"2ms\"",
			`37:17: link[0]: give delay (both ways) or request_delay, not both`},
		{"a link twice", `response_loss = 0.01`, "response_loss = 0.01\n[[link]]\nfrom = \"api\"\nto = \"db\"",
			`41:6: link[1]: the link api-1 -> db is already set by link[0]`},
		{"unknown component", `to = "db"` + "\nrequest_delay", `to = "dbb"` + "\nrequest_delay",
			`36:6: link[0]: to: no component named "dbb"; did you mean "db"?`},
		{"a link fault without an arrow", `partition = "api -> db"`, `partition = "api db"`,
			`41:13: fault[0]: partition: "api db" is not a link`},
		{"nothing calls it", `link = "* -> db"`, `link = "* -> users"`,
			`46:8: fault[1]: link: no edge * -> users: nothing calls users`},
		{"loss out of range", `loss = 0.5`, `loss = -0.5`,
			`48:8: fault[1]: loss must be between 0 and 1, got -0.5`},
		{"loss fault without loss", `loss = 0.5`, ``,
			`45:3: fault[1]: missing "loss"`},
		{"component fault kind on a link", `kind = "loss"`, `kind = "slowdown"`,
			`47:8: fault[1]: a slowdown fault hits components`},
		{"partition on a component", "partition = \"api -> db\"", "kind = \"partition\"\ntarget = \"db\"",
			`40:3: fault[0]: missing "link"`},
		{"direction on a component fault", "partition = \"api -> db\"", "kind = \"crash\"\ntarget = \"db\"\ndirection = \"both\"",
			`43:13: fault[0]: direction applies to faults on links`},
		{"target and link", "partition = \"api -> db\"", "partition = \"api -> db\"\ntarget = \"db\"",
			`42:10: fault[0]: give target (a component) or partition (links), not both`},
		{"drift of capacity on a link", `what = "latency"`, `what = "capacity"`,
			`56:8: fault[2]: capacity drifts on components; on links, what is "latency" or "loss"`},
		{"records without keys", `records = { keys = 100, popularity = "hot", hot_fraction = 0.3 }`, `records = { popularity = "uniform" }`,
			`32:1: database "db" records: missing "keys"`},
		{"hot fraction without hot", `popularity = "hot", hot_fraction = 0.3`, `popularity = "zipf", hot_fraction = 0.3`,
			`32:61: database "db" records: hot_fraction applies to popularity = "hot"`},
		{"max_attempts none without a deadline", "deadline = \"5s\"\n", ``,
			`12:26: client "users": max_attempts = "none" leaves only a deadline to bound the attempts`},
		{"max_attempts a word", `max_attempts = "none"`, `max_attempts = "many"`,
			`13:26: client "users" retry: max_attempts must be a whole number between 1 and 100, or "none"`},
		{"retry breaker window zero", `window = "lifetime"`, `window = "0s"`,
			`27:102: service "api" call[0] retry budget: window must be more than zero, or "lifetime"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validNetwork, tt.old) {
				t.Fatalf("test bug: %q not in the valid scenario", tt.old)
			}
			_, err := Parse("t.toml", []byte(strings.Replace(validNetwork, tt.old, tt.new, 1)), "")
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
