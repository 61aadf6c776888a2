package scenariofile

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/failsim/failsim/topology"
)

// testdataFS holds the real-looking configurations of testdata/import, with
// extra files laid over them.
func testdataFS(t testing.TB, extra map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, name := range []string{"orders.json", "route.yaml", "cluster.yaml"} {
		b, err := os.ReadFile("testdata/import/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	for name, text := range extra {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// grpcClient is a scenario whose client imports its policy from c.json
// (orders.json when the table gives no file).
func grpcClient(method, extra string) string {
	return `[client.web]
target = "api"
rate = 10
grpc_service_config = "c.json"
grpc_method = "` + method + `"
` + extra + `
[service.api]
workers = 1
service_time = "1ms"
`
}

func TestGRPCMethodPrecedence(t *testing.T) {
	throttling := &topology.Budget{Kind: topology.BudgetGRPC, MaxTokens: 10, TokenRatio: 0.1}
	exact := topology.Retry{MaxAttempts: 4, On: topology.OnRejected | topology.OnTimeout | topology.OnError, Budget: throttling,
		Backoff: topology.Backoff{Kind: topology.BackoffExponential, Jitter: topology.JitterFull, Base: 50 * time.Millisecond, Cap: 500 * time.Millisecond, Multiplier: 1.5}}
	tests := []struct {
		method   string
		deadline time.Duration
		retry    topology.Retry
		hedge    *topology.Hedge
	}{
		{"orders.Orders/Create", 1500 * time.Millisecond, exact, nil}, // the exact method
		{"orders.Orders/Cancel", 1500 * time.Millisecond, exact, nil}, // a second name of the same methodConfig
		{"/orders.Orders/Create", 1500 * time.Millisecond, exact, nil},
		{"orders.Orders/List", 2 * time.Second, topology.Retry{MaxAttempts: 3, On: topology.OnRejected, Budget: throttling, // the service
			Backoff: topology.Backoff{Kind: topology.BackoffExponential, Jitter: topology.JitterFull, Base: 100 * time.Millisecond, Cap: time.Second, Multiplier: 2}}, nil},
		{"orders.Orders/Get", 300 * time.Millisecond, topology.Retry{MaxAttempts: 1}, // hedged: retryThrottling is ignored, as asked
			&topology.Hedge{MaxAttempts: 3, HedgingDelay: 50 * time.Millisecond, NonFatal: topology.OnRejected | topology.OnError}},
		{"billing.Billing/Pay", 10 * time.Second, topology.Retry{MaxAttempts: 1}, nil}, // the default: a timeout only
	}
	for _, tc := range tests {
		fsys := testdataFS(t, nil)
		fsys["c.json"] = fsys["orders.json"]
		ignore := `grpc_ignore = ["loadBalancingConfig", "waitForReady"]`
		if tc.hedge != nil {
			ignore = `grpc_ignore = ["loadBalancingConfig", "waitForReady", "retryThrottling"]`
		}
		sc, err := ParseFS(fsys, "s.toml", []byte(grpcClient(tc.method, ignore)), "")
		if err != nil {
			t.Fatalf("%s: %v", tc.method, err)
		}
		p := withoutPos(sc.Components[0].Client.Call)
		if p.Deadline != tc.deadline || !reflect.DeepEqual(p.Retry, tc.retry) || !reflect.DeepEqual(p.Hedge, tc.hedge) || p.Timeout != 0 {
			t.Errorf("%s: deadline %v retry %+v hedge %+v\nwant %v %+v %+v", tc.method, p.Deadline, p.Retry, p.Hedge, tc.deadline, tc.retry, tc.hedge)
		}
	}
}

// One field at a time: gRPC's rules and defaults.
func TestGRPCFields(t *testing.T) {
	const policy = `{"maxAttempts": 3, "initialBackoff": "1s", "maxBackoff": "2s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}`
	tests := []struct {
		name, config string
		check        func(topology.CallPolicy) bool
	}{
		{"maxAttempts above 5 counts as 5", `{"methodConfig": [{"name": [{}], "retryPolicy": ` + strings.Replace(policy, `"maxAttempts": 3`, `"maxAttempts": 9`, 1) + `}]}`,
			func(p topology.CallPolicy) bool { return p.Retry.MaxAttempts == 5 }},
		{"no timeout, no deadline", `{"methodConfig": [{"name": [{}], "retryPolicy": ` + policy + `}]}`,
			func(p topology.CallPolicy) bool { return p.Deadline == 0 && p.Retry.MaxAttempts == 3 }},
		{"nanosecond durations", `{"methodConfig": [{"name": [{}], "timeout": "0.000000001s"}]}`,
			func(p topology.CallPolicy) bool { return p.Deadline == 1 }},
		{"status codes by number", `{"methodConfig": [{"name": [{}], "retryPolicy": ` + strings.Replace(policy, `["UNAVAILABLE"]`, `[4, 14, 2]`, 1) + `}]}`,
			func(p topology.CallPolicy) bool {
				return p.Retry.On == topology.OnTimeout|topology.OnRejected|topology.OnError
			}},
		{"a multiplier below 1 shrinks the wait", `{"methodConfig": [{"name": [{}], "retryPolicy": ` + strings.Replace(policy, `"backoffMultiplier": 2`, `"backoffMultiplier": 0.5`, 1) + `}]}`,
			func(p topology.CallPolicy) bool { return p.Retry.Backoff.Multiplier == 0.5 }},
		{"maxBackoff below initialBackoff caps every wait", `{"methodConfig": [{"name": [{}], "retryPolicy": ` + strings.Replace(policy, `"maxBackoff": "2s"`, `"maxBackoff": "0.5s"`, 1) + `}]}`,
			func(p topology.CallPolicy) bool { return p.Retry.Backoff.Cap == 500*time.Millisecond }},
		{"hedging defaults: all at once, every failure fatal", `{"methodConfig": [{"name": [{}], "hedgingPolicy": {"maxAttempts": 2}}]}`,
			func(p topology.CallPolicy) bool {
				return *p.Hedge == topology.Hedge{MaxAttempts: 2} && p.Retry.MaxAttempts == 1
			}},
		{"throttling keeps three decimals", `{"retryThrottling": {"maxTokens": 7.5, "tokenRatio": 0.1239}, "methodConfig": [{"name": [{}], "retryPolicy": ` + policy + `}]}`,
			func(p topology.CallPolicy) bool {
				return *withoutPos(p).Retry.Budget == topology.Budget{Kind: topology.BudgetGRPC, MaxTokens: 7.5, TokenRatio: 0.123}
			}},
		{"throttling without a retry or hedging policy has nothing to limit", `{"retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}, "methodConfig": [{"name": [{}], "timeout": "1s"}]}`,
			func(p topology.CallPolicy) bool { return p.Retry.Budget == nil }},
	}
	for _, tc := range tests {
		sc, err := ParseFS(fstest.MapFS{"c.json": {Data: []byte(tc.config)}}, "s.toml", []byte(grpcClient("a.B/C", "")), "")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p := sc.Components[0].Client.Call; !tc.check(p) {
			t.Errorf("%s: got deadline %v retry %+v hedge %+v", tc.name, p.Deadline, p.Retry, p.Hedge)
		}
	}
}

// envoyBalancer is a scenario whose balancer "orders" imports Envoy files.
func envoyBalancer(keys string, instances int) string {
	return `[client.web]
target = "orders"
rate = 10

[load_balancer.orders]
targets = ["api"]
` + keys + `

[service.api]
instances = ` + fmt.Sprint(instances) + `
workers = 1
service_time = "1ms"
`
}

func TestEnvoyImport(t *testing.T) {
	sc, err := Load("testdata/import/scenario.toml", "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	b := sc.Components[1].Balancer
	b.Call = withoutPos(b.Call)
	want := &topology.Balancer{
		Targets: b.Targets,
		Policy:  topology.PowerOfTwo, // LEAST_REQUEST with Envoy's choice_count of 2
		Call: topology.CallPolicy{
			Deadline: 3 * time.Second,
			Timeout:  800 * time.Millisecond,
			Retry: topology.Retry{MaxAttempts: 3, On: topology.OnTimeout | topology.OnError | topology.OnRejected,
				Backoff: topology.Backoff{Kind: topology.BackoffEnvoy, Base: 50 * time.Millisecond, Cap: 400 * time.Millisecond},
				Budget:  &topology.Budget{Kind: topology.BudgetEnvoy, BudgetPercent: 25, MinRetryConcurrency: 5}},
		},
		Thresholds: &topology.Thresholds{MaxRequests: 200, MaxPendingRequests: 100, MaxRetries: 3},
		Outlier:    &topology.Outlier{Consecutive5xx: 3, Interval: 5 * time.Second, BaseEjectionTime: 15 * time.Second, MaxEjectionTime: 300 * time.Second, MaxEjectionPercent: 50},
	}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("got  %+v\n%+v\nwant %+v\n%+v", b, b.Call.Retry, want, want.Call.Retry)
	}
}

// Envoy's defaults, one field at a time.
func TestEnvoyDefaults(t *testing.T) {
	route := func(action string) string {
		return "virtual_hosts:\n- name: v\n  domains: [\"*\"]\n  routes:\n  - match: {prefix: \"/\"}\n    route: {cluster: orders" + action + "}\n"
	}
	envoyBackoff := topology.Backoff{Kind: topology.BackoffEnvoy, Base: 25 * time.Millisecond, Cap: 250 * time.Millisecond}
	tests := []struct {
		name, keys, file string
		check            func(*topology.Balancer) bool
	}{
		{"route timeout 15s, no retries", `envoy_route = "f.yaml"`, route(""),
			func(b *topology.Balancer) bool {
				return b.Call.Deadline == 15*time.Second && b.Call.Retry.MaxAttempts == 1
			}},
		{"timeout 0s turns the route timeout off", `envoy_route = "f.yaml"`, route(", timeout: 0s"),
			func(b *topology.Balancer) bool { return b.Call.Deadline == 0 }},
		{"one retry, 25ms back-off capped at 10 times", `envoy_route = "f.yaml"`, route(`, retry_policy: {retry_on: "5xx"}`),
			func(b *topology.Balancer) bool {
				r := b.Call.Retry
				return r.MaxAttempts == 2 && r.Backoff == envoyBackoff && r.On == topology.OnTimeout|topology.OnError|topology.OnRejected && b.Call.Timeout == 0
			}},
		{"no retry_on retries nothing", `envoy_route = "f.yaml"`, route(`, retry_policy: {num_retries: 3}`),
			func(b *topology.Balancer) bool { return b.Call.Retry.MaxAttempts == 4 && b.Call.Retry.On == 0 }},
		{"max_interval defaults to 10 times base_interval", `envoy_route = "f.yaml"`, route(`, retry_policy: {retry_on: "5xx", retry_back_off: {base_interval: 0.1s}}`),
			func(b *topology.Balancer) bool { return b.Call.Retry.Backoff.Cap == time.Second }},
		{"intervals under 1ms count as 1ms", `envoy_route = "f.yaml"`, route(`, retry_policy: {retry_on: "5xx", retry_back_off: {base_interval: 0.0001s, max_interval: 0.0005s}}`),
			func(b *topology.Balancer) bool {
				return b.Call.Retry.Backoff.Base == time.Millisecond && b.Call.Retry.Backoff.Cap == time.Millisecond
			}},
		{"the virtual host's retry policy when the route has none", `envoy_route = "f.yaml"`,
			"virtual_hosts:\n- name: v\n  domains: [\"*\"]\n  retry_policy: {retry_on: \"5xx\", num_retries: 4}\n  routes:\n  - match: {prefix: \"/\"}\n    route: {cluster: orders}\n",
			func(b *topology.Balancer) bool { return b.Call.Retry.MaxAttempts == 5 }},
		{"circuit breaker defaults apply to every cluster", `envoy_cluster = "f.yaml"`, "name: orders\n",
			func(b *topology.Balancer) bool {
				return *b.Thresholds == topology.Thresholds{MaxRequests: 1024, MaxPendingRequests: 1024, MaxRetries: 3} && b.Policy == topology.RoundRobin && b.Outlier == nil && b.Call.Retry.Budget == nil
			}},
		{"retry budget defaults", `envoy_cluster = "f.yaml"`, "name: orders\ncircuit_breakers: {thresholds: [{retry_budget: {}}]}\n",
			func(b *topology.Balancer) bool {
				return *withoutPos(b.Call).Retry.Budget == topology.Budget{Kind: topology.BudgetEnvoy, BudgetPercent: 20, MinRetryConcurrency: 3}
			}},
		{"outlier detection defaults", `envoy_cluster = "f.yaml"`, "name: orders\nlb_policy: RANDOM\noutlier_detection: {}\n",
			func(b *topology.Balancer) bool {
				return *b.Outlier == topology.Outlier{Consecutive5xx: 5, Interval: 10 * time.Second, BaseEjectionTime: 30 * time.Second, MaxEjectionTime: 300 * time.Second, MaxEjectionPercent: 10} && b.Policy == topology.Random
			}},
		{"HIGH priority thresholds left out when ignored", "envoy_cluster = \"f.yaml\"\nenvoy_ignore = [\"HIGH\"]",
			"name: orders\ncircuit_breakers:\n  thresholds:\n  - {priority: HIGH, max_requests: 5}\n  - {max_requests: 50}\n",
			func(b *topology.Balancer) bool { return b.Thresholds.MaxRequests == 50 }},
	}
	for _, tc := range tests {
		sc, err := ParseFS(fstest.MapFS{"f.yaml": {Data: []byte(tc.file)}}, "s.toml", []byte(envoyBalancer(tc.keys, 2)), "")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if b := sc.Components[1].Balancer; !tc.check(b) {
			t.Errorf("%s: got %+v, call %+v, thresholds %+v, outlier %+v", tc.name, b, b.Call, b.Thresholds, b.Outlier)
		}
	}
}

// The testdata scenario's imports, written out as scenario keys.
const importsInTOML = `# Imports every file of this directory; topology tests load it.
duration = "30s"
[client.web]
target = "lb"
rate = 100
deadline = "1.5s"
retry = { max_attempts = 4, retry_on = ["timeout", "error", "rejected"], backoff = "exponential", jitter = "full", base = "50ms", cap = "500ms", multiplier = 1.5, budget = { kind = "grpc", max_tokens = 10, token_ratio = 0.1 } }

[load_balancer.lb]
targets = ["orders"]
policy = "power_of_two"
timeout = "3s"
retry_policy = { num_retries = 2, per_try_timeout = "800ms", retry_on = ["timeout", "error", "rejected"], retry_back_off = { base_interval = "50ms", max_interval = "400ms" } }
circuit_breakers = { max_requests = 200, max_pending_requests = 100, retry_budget = { budget_percent = 25, min_retry_concurrency = 5 } }
outlier_detection = { consecutive_5xx = 3, interval = "5s", base_ejection_time = "15s", max_ejection_percent = 50 }

[service.orders]
instances = 3
workers = 10
service_time = "10ms"
`

func TestImportEqualsTOML(t *testing.T) {
	imported, err := Load("testdata/import/scenario.toml", "")
	if err != nil {
		t.Fatal(err)
	}
	written, err := Parse("testdata/import/scenario.toml", []byte(importsInTOML), "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range imported.Components {
		a, b := imported.Components[i], written.Components[i]
		clearPos(reflect.ValueOf(&a).Elem())
		clearPos(reflect.ValueOf(&b).Elem())
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s imported:\n%s\nwritten in TOML:\n%s", a.Name, dump(a), dump(b))
		}
	}
}

func dump(c topology.Component) string {
	if c.Client != nil {
		return fmt.Sprintf("%+v\n%+v\n%+v", c.Client.Call, c.Client.Call.Retry, c.Client.Call.Retry.Budget)
	}
	if b := c.Balancer; b != nil {
		return fmt.Sprintf("%+v\n%+v\n%+v\n%+v\n%+v", *b, b.Call.Retry, b.Call.Retry.Budget, b.Thresholds, b.Outlier)
	}
	return fmt.Sprintf("%+v", c)
}

// withoutPos is p without the positions it records.
func withoutPos(p topology.CallPolicy) topology.CallPolicy {
	clearPos(reflect.ValueOf(&p).Elem())
	return p
}

// clearPos zeroes every Pos inside v, following pointers (copying what
// they point to, so that the scenario is not changed).
func clearPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(topology.Pos{}) {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				clearPos(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			cp := reflect.New(v.Type().Elem())
			cp.Elem().Set(v.Elem())
			clearPos(cp.Elem())
			v.Set(cp)
		}
	}
}

func TestImportErrors(t *testing.T) {
	const retry = `"retryPolicy": {"maxAttempts": 3, "initialBackoff": "1s", "maxBackoff": "2s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}`
	tests := []struct {
		name     string
		scenario string
		file     string // c.json for gRPC scenarios, f.yaml for Envoy ones
		want     string
	}{
		{"unknown field", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{}],
  "retryPolicy": {"max_attempts": 3}}]}`,
			`c.json:2:19: methodConfig[0] retryPolicy: unknown field "max_attempts"; did you mean "maxAttempts"?`},
		{"required field", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{}], "retryPolicy": {"maxAttempts": 3, "initialBackoff": "1s", "maxBackoff": "2s", "backoffMultiplier": 2}}]}`,
			`c.json:1:34: methodConfig[0] retryPolicy: missing "retryableStatusCodes" (the status codes to retry, e.g. ["UNAVAILABLE"]; gRPC requires them)`},
		{"maxAttempts 1", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{}], ` + strings.Replace(retry, `"maxAttempts": 3`, `"maxAttempts": 1`, 1) + `}]}`,
			`c.json:1:65: methodConfig[0] retryPolicy: maxAttempts must be between 2 and 2147483647, got 1`},
		{"retry and hedging", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{}], ` + retry + `, "hedgingPolicy": {"maxAttempts": 2}}]}`,
			`c.json:1:178: methodConfig[0]: give retryPolicy or hedgingPolicy, not both; gRPC rejects a methodConfig with both`},
		{"throttled hedges", grpcClient("a.B/C", ""), `{"retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}, "methodConfig": [{"name": [{}], "hedgingPolicy": {"maxAttempts": 2}}]}`,
			`c.json:1:2: retryThrottling of hedged calls is not simulated (failsim throttles retries, not hedges); list "retryThrottling" in grpc_ignore to simulate the hedges without it`},
		{"Go duration", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{}], "timeout": "1500ms"}]}`,
			`c.json:1:45: methodConfig[0]: timeout must be a duration in seconds with an "s", as protobuf writes it (e.g. "1.5s"), got "1500ms"; write "1.5s"`},
		{"duplicate name", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{"service": "a.B"}]}, {"name": [{"service": "a.B"}]}]}`,
			`c.json:1:61: methodConfig[1]: the name "a.B/" (every method) is already given at line 1; gRPC rejects the config`},
		{"method without service", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{"method": "C"}]}]}`,
			`c.json:1:40: methodConfig[0] name[0]: a method needs its service; gRPC rejects the config`},
		{"code the model never produces", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{}], ` + strings.Replace(retry, `["UNAVAILABLE"]`, `["UNAVAILABLE", "ABORTED"]`, 1) + `}]}`,
			`c.json:1:176: methodConfig[0] retryPolicy: retryableStatusCodes: failsim's callees never answer ABORTED (they time out: DEADLINE_EXCEEDED, refuse: UNAVAILABLE, or fail: UNKNOWN); remove it, or add "ABORTED" to grpc_ignore in the scenario`},
		{"misspelt code", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{}], ` + strings.Replace(retry, `["UNAVAILABLE"]`, `["Unavailable"]`, 1) + `}]}`,
			`c.json:1:161: methodConfig[0] retryPolicy: retryableStatusCodes: "Unavailable" is not a gRPC status code; did you mean "UNAVAILABLE"?`},
		{"unsupported field", grpcClient("a.B/C", ""), `{"methodConfig": [{"name": [{}], "waitForReady": true}]}`,
			`c.json:1:34: methodConfig[0]: waitForReady is a gRPC field failsim does not simulate; remove it, or add "waitForReady" to grpc_ignore in the scenario to run without it`},
		{"no methodConfig applies", grpcClient("a.B/Cx", ""), `{"methodConfig": [{"name": [{"service": "a.B", "method": "C"}]}]}`,
			`s.toml:5:15: client "web": no methodConfig of c.json applies to a.B/Cx (it names "a.B/C"); gRPC would call it without a timeout or retries; did you mean "\"a.B/C\""?`},
		{"stale ignore entry", grpcClient("a.B/C", `grpc_ignore = ["waitForReady"]`), `{"methodConfig": [{"name": [{}]}]}`,
			`s.toml:6:16: client "web": grpc_ignore: "waitForReady" is not something in c.json that failsim leaves out`},
		{"policy in two places", grpcClient("a.B/C", `timeout = "1s"`), `{"methodConfig": [{"name": [{}]}]}`,
			`s.toml:6:11: client "web": timeout: the call policy comes from grpc_service_config; give timeout in one place only`},
		{"bad method", grpcClient("Create", ""), `{}`,
			`s.toml:5:15: client "web": grpc_method must be "package.Service/Method", got "Create"`},
		{"missing file", strings.Replace(grpcClient("a.B/C", ""), "c.json", "d.json", 1), `{}`,
			`s.toml:4:23: client "web": grpc_service_config: cannot read d.json: file does not exist`},
		{"outside the directory", strings.Replace(grpcClient("a.B/C", ""), "c.json", "../c.json", 1), `{}`,
			`s.toml:4:23: client "web": grpc_service_config: "../c.json" must be a relative path below the scenario's directory, e.g. "configs/orders.json"`},
		{"JSON syntax", grpcClient("a.B/C", ""), "{\n  \"methodConfig\": [\n    {\"name\": [{}],}\n  ]\n}",
			`c.json:3:19: invalid JSON: invalid character '}' looking for beginning of object key string`},

		{"Envoy unknown field", envoyBalancer(`envoy_route = "f.yaml"`, 2), "virtual_hosts:\n- routes:\n  - route:\n      cluster: orders\n      retry_policy: {num_retrys: 2}\n",
			`f.yaml:5:22: retry_policy: unknown field "num_retrys"; did you mean "num_retries"?`},
		{"retry_on partial", envoyBalancer(`envoy_route = "f.yaml"`, 2), "virtual_hosts:\n- routes:\n  - route:\n      cluster: orders\n      retry_policy: {retry_on: \"connect-failure,retriable-4xx\"}\n",
			`f.yaml:5:33: retry_policy: retry_on "connect-failure" covers only refused connections, while the model's refusals stand for 503s from a full queue as well; add "5xx" (which covers them all), or add "connect-failure" to envoy_ignore in the scenario to leave it out`},
		{"retry_on never produced", envoyBalancer(`envoy_route = "f.yaml"`, 2), "virtual_hosts:\n- routes:\n  - route:\n      cluster: orders\n      retry_policy: {retry_on: \"5xx,retriable-4xx\"}\n",
			`f.yaml:5:37: retry_policy: retry_on "retriable-4xx" reacts to answers failsim's callees never give (they time out, fail with a 500, or refuse with a 503 or a reset); remove it, or add "retriable-4xx" to envoy_ignore in the scenario`},
		{"retry_on unknown", envoyBalancer(`envoy_route = "f.yaml"`, 2), "virtual_hosts:\n- routes:\n  - route:\n      cluster: orders\n      retry_policy: {retry_on: \"5xx,gateway-eror\"}\n",
			`f.yaml:5:37: retry_policy: retry_on: "gateway-eror" is not an Envoy retry condition; did you mean "gateway-error"?`},
		{"no route to the cluster", envoyBalancer(`envoy_route = "f.yaml"`, 2), "virtual_hosts:\n- routes:\n  - route: {cluster: order}\n",
			`s.toml:7:15: load_balancer "orders": no route of f.yaml sends to cluster "orders" (its routes send to "order"); did you mean "order"?; name the load balancer after the cluster, or import the cluster with envoy_cluster`},
		{"two routes to the cluster", envoyBalancer(`envoy_route = "f.yaml"`, 2), "virtual_hosts:\n- routes:\n  - route: {cluster: orders}\n  - route: {cluster: orders}\n",
			`f.yaml:4:5: a second route to cluster "orders" (the first is at line 3); failsim simulates one route per load balancer`},
		{"unsupported cluster field", envoyBalancer(`envoy_cluster = "f.yaml"`, 2), "name: orders\ncircuit_breakers:\n  thresholds:\n  - max_connections: 100\n",
			`f.yaml:4:5: circuit_breakers thresholds[0]: max_connections is a Envoy field failsim does not simulate; remove it, or add "max_connections" to envoy_ignore in the scenario to run without it`},
		{"Percent written as a number", envoyBalancer(`envoy_cluster = "f.yaml"`, 2), "name: orders\ncircuit_breakers:\n  thresholds:\n  - retry_budget: {budget_percent: 25}\n",
			`f.yaml:4:36: budget_percent (an envoy.type.v3.Percent, e.g. {value: 25}) must be an object, got the number 25`},
		{"hash-based balancing", envoyBalancer(`envoy_cluster = "f.yaml"`, 2), "name: orders\nlb_policy: MAGLEV\n",
			`f.yaml:2:12: cluster: lb_policy MAGLEV is not simulated (ROUND_ROBIN, RANDOM and LEAST_REQUEST are); add "MAGLEV" to envoy_ignore in the scenario to use ROUND_ROBIN`},
		{"success-rate ejection with 5 hosts", envoyBalancer(`envoy_cluster = "f.yaml"`, 5), "name: orders\noutlier_detection:\n  consecutive_5xx: 3\n",
			`f.yaml:3:3: outlier_detection: with 5 hosts Envoy also ejects by success rate (enforcing_success_rate 100), which the model does not; write enforcing_success_rate: 0, or add "enforcing_success_rate" to envoy_ignore in the scenario`},
		{"policy in two places", envoyBalancer("envoy_cluster = \"f.yaml\"\npolicy = \"random\"", 2), "name: orders\n",
			`s.toml:8:10: load_balancer "orders": policy: the policy comes from envoy_cluster; give policy in one place only`},
		{"YAML syntax", envoyBalancer(`envoy_cluster = "f.yaml"`, 2), "name: orders\n  lb_policy: RANDOM\n",
			`f.yaml:2:1: invalid YAML: mapping values are not allowed in this context`},
	}
	for _, tc := range tests {
		name := "c.json"
		if strings.Contains(tc.scenario, "envoy_") {
			name = "f.yaml"
		}
		_, err := ParseFS(fstest.MapFS{name: {Data: []byte(tc.file)}}, "s.toml", []byte(tc.scenario), "")
		var errs Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
			continue
		}
		if !slices.ContainsFunc(errs, func(e *Error) bool { return e.Error() == tc.want }) {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, errs.Error(), tc.want)
		}
	}
}

// A scenario given as text has no directory to read its imports from.
func TestParseWithoutDirectory(t *testing.T) {
	_, err := Parse("s.toml", []byte(grpcClient("a.B/C", "")), "")
	want := `s.toml:4:23: client "web": grpc_service_config: this scenario was read without its directory, so "c.json" cannot be read`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// A misspelt required field is reported once, as unknown with its
// did-you-mean, not a second time as missing.
func TestMisspeltFieldReportedOnce(t *testing.T) {
	config := `{"methodConfig": [{"name": [{}], "retryPolicy": {"max_attempts": 3, "initialBackoff": "1s", "maxBackoff": "2s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]}`
	_, err := ParseFS(fstest.MapFS{"c.json": {Data: []byte(config)}}, "s.toml", []byte(grpcClient("a.B/C", "")), "")
	want := `c.json:1:50: methodConfig[0] retryPolicy: unknown field "max_attempts"; did you mean "maxAttempts"?`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// A file imported twice (by two clients, or by the base and a variant) is
// checked each time and its problems are reported once.
func TestImportedTwice(t *testing.T) {
	scenario := grpcClient("a.B/C", "") + `
[client.other]
target = "api"
rate = 10
grpc_service_config = "c.json"
grpc_method = "a.B/D"
`
	config := `{"methodConfig": [{"name": [{}], "waitForReady": true}]}`
	_, err := ParseFS(fstest.MapFS{"c.json": {Data: []byte(config)}}, "s.toml", []byte(scenario), "")
	want := `c.json:1:34: methodConfig[0]: waitForReady is a gRPC field failsim does not simulate; remove it, or add "waitForReady" to grpc_ignore in the scenario to run without it`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	scenario = strings.Replace(scenario, "grpc_method = \"a.B/D\"", "grpc_method = \"a.B/D\"\ngrpc_ignore = [\"waitForReady\"]", 1)
	if _, err = ParseFS(fstest.MapFS{"c.json": {Data: []byte(config)}}, "s.toml", []byte(scenario), ""); err == nil || err.Error() != want {
		t.Fatalf("with the second client ignoring it: got %v, want %s", err, want)
	}
}

// Problems inside an imported file are listed where the scenario imports
// it, among the scenario's own problems (the variant's file at the
// variant's key, line 12); in a variant they say so.
func TestImportErrorsOrder(t *testing.T) {
	scenario := `[client.web]
target = "api"
rate = -1
grpc_service_config = "c.json"
grpc_method = "a.B/C"

[service.api]
workers = 0
service_time = "1ms"

[variant.v]
client.web.grpc_service_config = "d.json"
`
	fsys := fstest.MapFS{
		"c.json": {Data: []byte("{\n  \"methodConfig\": [{\"name\": [{}], \"timeout\": \"2\"}],\n  \"retryThrottle\": {}\n}")},
		"d.json": {Data: []byte(`{"methodConfig": [{"name": [{}], "timeout": "-1s"}]}`)},
	}
	_, err := ParseFS(fsys, "s.toml", []byte(scenario), "")
	var got []string
	for _, e := range err.(Errors) {
		got = append(got, e.Error())
	}
	want := []string{
		`s.toml:3:8: client "web": rate must be between 0 and 1e+09, got -1`,
		`c.json:2:46: methodConfig[0]: timeout must be a duration in seconds with an "s", as protobuf writes it (e.g. "1.5s"), got "2"`,
		`c.json:3:3: service config: unknown field "retryThrottle"; did you mean "retryThrottling"?`,
		`s.toml:8:11: service "api": workers must be between 1 and 1000000, got 0`,
		`d.json:1:45: variant "v": methodConfig[0]: timeout must be a duration in seconds with an "s", as protobuf writes it (e.g. "1.5s"), got "-1s"; it must not be negative`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
