package sim_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology/scenariofile"
)

// FuzzRun runs whatever scenario the loader accepts, seeded from the shipped
// ones, for a few simulated seconds: the engine must never panic, and its
// books must balance (sim.Run checks the invariants at every bucket here).
func FuzzRun(f *testing.F) {
	for _, file := range shippedFiles(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint64(1))
	}
	f.Add([]byte(stateStress), uint64(1))
	f.Add([]byte(infraEdgeCases), uint64(1))
	if _, err := scenariofile.Parse("network.toml", []byte(networkStress), ""); err != nil {
		f.Fatalf("the networkStress seed must load, or it seeds nothing: %v", err)
	}
	f.Add([]byte(networkStress), uint64(1))
	f.Add([]byte(fanoutStress), uint64(1))
	if _, err := scenariofile.Parse("operated.toml", []byte(operatedEarly), ""); err != nil {
		f.Fatalf("the operatedEarly seed must load, or it seeds nothing: %v", err)
	}
	f.Add([]byte(operatedEarly), uint64(1))
	f.Fuzz(func(t *testing.T, src []byte, seed uint64) {
		sc, err := scenariofile.Parse("f.toml", src, "")
		if err != nil {
			return
		}
		sc.Duration = min(sc.Duration, 5*time.Second)
		// A scenario may ask for any load: bound the work, not the checks.
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		defer cancel()
		if _, err := sim.Run(ctx, sc, sim.Options{Seed: seed, MaxInFlight: 20_000, Debug: true}); err != nil {
			t.Fatal(err)
		}
	})
}

// operatedEarly has every intervention kind, one triggered by an alert, and
// an autoscaler acting within the few seconds FuzzRun simulates.
const operatedEarly = `
[client.c]
target = "lb"
rate = 500
timeout = "50ms"
retry = { max_attempts = 3, backoff = "none" }
[load_balancer.lb]
targets = ["api"]
retry_policy = { num_retries = 1 }
[service.api]
instances = 1
max_instances = 4
workers = 2
service_time = { dist = "exponential", mean = "5ms" }
concurrency_limit = { kind = "aimd", initial_limit = 4 }
[service.api.autoscale]
target = 0.5
interval = "500ms"
window = "1s"
provisioning_delay = "300ms"
cooldown = "0s"
warmup = "1s"
warmup_factor = 3
[[intervention]]
target = "api"
kind = "scale"
instances = 3
at = "1s"
for = "1s"
[[intervention]]
name = "fewer workers"
target = "api"
kind = "scale"
workers = 1
at = "1.5s"
for = "1s"
[[intervention]]
target = "api-1"
kind = "restart"
downtime = "200ms"
at = "2s"
[[intervention]]
target = "lb"
kind = "restart"
at = "2.1s"
[[intervention]]
target = "lb"
kind = "shed-load"
fraction = 0.3
at = "2.5s"
for = "1s"
[[intervention]]
target = "c"
kind = "shed-load"
fraction = 0.2
at = "3s"
[[intervention]]
target = "c"
kind = "retries-off"
at = "3.2s"
for = "500ms"
[[intervention]]
target = "c"
kind = "timeout"
timeout = "none"
at = "3.5s"
for = "1s"
[[alert]]
name = "failing"
target = "c"
metric = "error_ratio"
above = 0
[[intervention]]
name = "shed on alert"
target = "lb"
kind = "shed-load"
fraction = 0.5
on_alert = "failing"
reaction_delay = "100ms"
for = "1.5s"
`

// networkStress has links that delay and lose both ways under a load
// balancer, hedges and cancellations crossing them, partitions and drifts
// within the few seconds FuzzRun simulates, and conditional writes racing on
// a hot record retried without a count limit.
const networkStress = `
[network]
delay = { dist = "exponential", mean = "2ms" }
loss = 0.05
[client.c]
target = "lb"
rate = 300
timeout = "30ms"
deadline = "200ms"
cancel = true
retry = { max_attempts = "none", backoff = "exponential", base = "1ms", cap = "20ms", budget = { kind = "token_bucket", capacity = 5 } }
[load_balancer.lb]
targets = ["api"]
retry_policy = { num_retries = 2, per_try_timeout = "20ms" }
[service.api]
instances = 3
workers = 4
service_time = { dist = "exponential", mean = "2ms" }
[[service.api.call]]
to = "db"
timeout = "15ms"
hedge = { max_attempts = 2, hedging_delay = "3ms" }
write = "conditional"
cancel = true
[[service.api.call]]
to = "cache"
timeout = "10ms"
retry = { max_attempts = 3, budget = { kind = "retry_breaker", window = "1s", minimum_number_of_calls = 5 } }
[database.db]
connections = 3
query_time = { dist = "exponential", mean = "3ms" }
records = { keys = 3, popularity = "hot", hot_fraction = 0.8 }
idempotency_keys = { ttl = "1s" }
[database.cache]
connections = 2
query_time = "1ms"
[[link]]
from = "api"
to = "cache"
response_loss = 0.3
[[fault]]
partition = "api -> db"
direction = "responses"
at = "1s"
for = "1s"
[[fault]]
link = "lb -> *"
kind = "latency"
latency = { dist = "uniform", min = "0s", max = "10ms" }
at = "2s"
for = "1s"
[[fault]]
link = "* -> cache"
kind = "drift"
what = "loss"
to = 1
at = "3s"
for = "1s"
[[fault]]
target = "db"
kind = "crash"
at = "4s"
for = "500ms"
`
