package sim_test

import (
	"context"
	"fmt"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology/scenariofile"
)

// A client gives up on a charge after 1s and retries, but each charge takes
// 1.5s and completes anyway: three attempts, three charges. Idempotency keys
// at the database leave one, and answer the last attempt from the store.
func ExampleRun_duplicateWrites() {
	src := `
duration = "60s"

[client.shop]
target = "db"
rate = 10
schedule = [{ at = "50s", rate = 0 }]
timeout = "1s"
retry = { max_attempts = 3, backoff = "none" }
write = "non_idempotent"

[database.db]
connections = 100
query_time = "1.5s"

[variant.keys]
database.db.idempotency_keys = { ttl = "24h" }
`
	for _, variant := range []string{"", "keys"} {
		sc, err := scenariofile.Parse("example.toml", []byte(src), variant)
		if err != nil {
			panic(err)
		}
		r, err := sim.Run(context.Background(), sc, sim.Options{Seed: 1})
		if err != nil {
			panic(err)
		}
		n, st := float64(r.Summary.Clients.LogicalRequests), r.Summary.State
		name := map[string]string{"": "no keys", "keys": "keys"}[variant]
		fmt.Printf("%-8s charges per order %.0f, duplicates %.0f, from the key store %.0f, succeeded %.0f%%\n", name+":",
			float64(st.Writes)/n, float64(st.DuplicateWrites)/n, float64(st.Deduplicated)/n, 100*r.Summary.Clients.SuccessRate)
	}
	// Output:
	// no keys: charges per order 3, duplicates 2, from the key store 0, succeeded 0%
	// keys:    charges per order 1, duplicates 0, from the key store 2, succeeded 100%
}
