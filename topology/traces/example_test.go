package traces_test

import (
	"fmt"
	"strings"

	"github.com/failsim/failsim/topology/traces"
)

// One request through a gateway whose first try to the api timed out and
// whose second succeeded: the scenario has the gateway's retry and the
// timeout that fired, and says how little evidence one trace is.
func ExampleModel_Scenario() {
	r := traces.NewReader()
	if err := r.ReadFile("testdata/small-otlp.jsonl"); err != nil {
		fmt.Println(err)
		return
	}
	m, err := r.Infer()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(string(m.Scenario("small").TOML), "\n") {
		if strings.HasPrefix(line, "[") || strings.HasPrefix(line, "to =") || strings.HasPrefix(line, "timeout") ||
			strings.HasPrefix(line, "retry") || strings.HasPrefix(line, "# Note") || strings.Contains(line, "timed out") {
			fmt.Println(line)
		}
	}
	// Output:
	// # Note: one trace is little evidence: every number below comes from a single request; no rate can be measured.
	// [client.gateway-callers]
	// [service.api]
	// [service.gateway]
	// [[service.gateway.call]]
	// to = "api"
	// # 1 try of 2 timed out, after p50 1.9ms (min 1.9ms, max 1.9ms).
	// timeout = "1.9ms"
	// retry = { max_attempts = 2, backoff = "none" }
}
