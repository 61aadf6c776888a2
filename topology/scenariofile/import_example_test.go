package scenariofile_test

import (
	"fmt"
	"testing/fstest"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// A client takes its call policy from the gRPC service config it runs
// with: the methodConfig of its method, with gRPC's defaults and rules.
func ExampleParseFS() {
	fsys := fstest.MapFS{"configs/orders.json": {Data: []byte(`{
  "methodConfig": [{
    "name": [{"service": "orders.Orders"}],
    "timeout": "1.5s",
    "retryPolicy": {
      "maxAttempts": 4,
      "initialBackoff": "0.1s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }],
  "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}
}`)}}
	sc, err := scenariofile.ParseFS(fsys, "s.toml", []byte(`
[client.app]
target = "api"
rate = 100
grpc_service_config = "configs/orders.json"
grpc_method = "orders.Orders/Create"

[service.api]
workers = 4
service_time = "10ms"
`), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	p := sc.Components[0].Client.Call
	b := p.Retry.Backoff
	fmt.Printf("deadline %s, %d attempts on rejected=%v\n", p.Deadline, p.Retry.MaxAttempts, p.Retry.On == topology.OnRejected)
	fmt.Printf("wait before retry n: U(0, min(%s * %g^(n-1), %s)), full jitter=%v\n", b.Base, b.Multiplier, b.Cap, b.Jitter == topology.JitterFull)
	fmt.Printf("throttling: %g tokens, %g per success\n", p.Retry.Budget.MaxTokens, p.Retry.Budget.TokenRatio)
	// Output:
	// deadline 1.5s, 4 attempts on rejected=true
	// wait before retry n: U(0, min(100ms * 2^(n-1), 1s)), full jitter=true
	// throttling: 10 tokens, 0.1 per success
}
