package sim_test

import (
	"context"
	"fmt"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology/scenariofile"
)

// A client whose 100ms timeout is shorter than the service's 150ms work: every
// attempt times out, every retry adds load, and the service works only for
// callers that have already left.
func ExampleRun() {
	sc, err := scenariofile.Parse("example.toml", []byte(`
duration = "60s"

[client.users]
target = "api"
rate = 10
timeout = "100ms"
retry = { max_attempts = 3, backoff = "none" }

[service.api]
workers = 100
service_time = "150ms"
`), "")
	if err != nil {
		panic(err)
	}
	r, err := sim.Run(context.Background(), sc, sim.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	c, api := r.Summary.Clients, r.Summary.Components["api"]
	fmt.Printf("success rate %.0f%%, %.1f calls per logical request at api\n", 100*c.SuccessRate, api.Amplification)
	fmt.Printf("api finished %d calls, %.2fs of work, all of it wasted: %.2fs\n", api.Completed, 0.15*float64(api.Completed), api.WastedWorkS)
	// Output:
	// success rate 0%, 3.0 calls per logical request at api
	// api finished 1834 calls, 275.10s of work, all of it wasted: 275.10s
}

// The same mismatch, fixed by an operator at 30s: the client's timeout
// becomes 500ms, longer than the work. The summary says what changed.
func ExampleRun_intervention() {
	sc, err := scenariofile.Parse("example.toml", []byte(`
duration = "60s"

[client.users]
target = "api"
rate = 10
timeout = "100ms"
retry = { max_attempts = 3, backoff = "none" }

[service.api]
workers = 100
service_time = "150ms"

[[intervention]]
name = "raise the timeout"
target = "users"
kind = "timeout"
timeout = "500ms"
at = "30s"
`), "")
	if err != nil {
		panic(err)
	}
	r, err := sim.Run(context.Background(), sc, sim.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	iv := r.Summary.Interventions[0]
	fmt.Printf("%s at %gs: %s\n", iv.Name, iv.AtS, iv.Effect)
	succeeded := r.Series.Get("users", "succeeded")
	before, after := 0.0, 0.0
	for b, t := range r.Series.Times {
		if t < 30 {
			before += succeeded[b]
		} else {
			after += succeeded[b]
		}
	}
	fmt.Printf("requests succeeded: %g before, %g after\n", before, after)
	// Output:
	// raise the timeout at 30s: users timeout 100ms → 500ms
	// requests succeeded: 0 before, 306 after
}
