package check_test

import (
	"fmt"

	"github.com/failsim/failsim/topology/check"
	"github.com/failsim/failsim/topology/scenariofile"
)

// A client that gives up after 1s, in front of a service that waits up to
// 5s for its database: the check finds the mismatch before anything runs.
func ExampleRun() {
	sc, err := scenariofile.Parse("s.toml", []byte(`
[client.users]
target = "api"
rate = 50
timeout = "1s"

[service.api]
workers = 500
service_time = "5ms"

[[service.api.call]]
to = "db"
timeout = "5s"

[database.db]
connections = 10
query_time = "20ms"
timeout = "5s"
`), "")
	if err != nil {
		panic(err)
	}
	for _, f := range check.Run(sc).Findings {
		fmt.Println(f.Line())
	}
	// Output:
	// warning[orphaned-work]: s.toml:5:1: users gives up on api after 1s, but api keeps the call for up to 5s
}
