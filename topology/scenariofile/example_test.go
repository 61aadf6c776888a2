package scenariofile_test

import (
	"fmt"

	"github.com/failsim/failsim/topology/scenariofile"
)

// A scenario with two mistakes: both are reported, each where it is.
func ExampleParse() {
	_, err := scenariofile.Parse("s.toml", []byte(`
[client.users]
target = "apii"
rate = 100
timeout = 2

[service.api]
workers = 4
service_time = "20ms"
`), "")
	fmt.Print(err.(scenariofile.Errors).Pretty())
	// Output:
	// error: s.toml:3:10: client "users": target: no component named "apii"; did you mean "api"?
	//    |
	//  3 | target = "apii"
	//    |          ^
	//
	// error: s.toml:5:11: timeout: 2 has no unit; write a duration with its unit, e.g. "2s" or "2ms"
	//    |
	//  5 | timeout = 2
	//    |           ^
}
