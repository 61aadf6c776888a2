package scenariofile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/topology"
)

// A valid scenario used as the base of the broken ones below.
const valid = `name = "t"
duration = "60s"

[client.users]
target = "lb"
rate = 100
timeout = "2s"
retry = { max_attempts = 3 }

[load_balancer.lb]
targets = ["api"]
timeout = "5s"

[service.api]
instances = 2
workers = 10
service_time = { dist = "exponential", mean = "5ms" }

[[service.api.call]]
to = "db"
timeout = "30s"

[database.db]
connections = 5
query_time = "10ms"

[[fault]]
target = "db"
kind = "slowdown"
factor = 10
at = "10s"
for = "20s"

[variant.aligned]
description = "shorter timeouts"
load_balancer.lb.timeout = "1.8s"
`

func TestValidScenario(t *testing.T) {
	sc, err := Parse("t.toml", []byte(valid), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	var names []string
	for _, c := range sc.Components {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "users lb api-1 api-2 db" {
		t.Fatalf("components %q, want clients first, then balancers, services and databases, instances expanded", got)
	}
	lb := sc.Components[1].Balancer
	if len(lb.Targets) != 2 || lb.Call.Deadline != 5*time.Second || lb.Call.Retry.MaxAttempts != 1 {
		t.Fatalf("load balancer decoded as %+v", lb)
	}
	if c := sc.Components[0].Client; c.Call.Retry.MaxAttempts != 3 || c.Call.Retry.Backoff.Kind != topology.BackoffExponential || c.Call.Retry.Backoff.Jitter != topology.JitterFull {
		t.Fatalf("client retry defaults: %+v", c.Call.Retry)
	}
	if len(sc.Faults) != 1 || sc.Faults[0].Targets[0] != 4 || sc.Faults[0].Name != "slowdown db" {
		t.Fatalf("faults: %+v", sc.Faults)
	}
	if sc.Variants[0] != "aligned" || sc.Variant != "" {
		t.Fatalf("variants %v, selected %q", sc.Variants, sc.Variant)
	}

	v, err := Parse("t.toml", []byte(valid), "aligned")
	if err != nil {
		t.Fatal(err)
	}
	if d := v.Components[1].Balancer.Call.Deadline; d != 1800*time.Millisecond {
		t.Fatalf("variant timeout %s, want 1.8s", d)
	}
	if v.Components[0].Client.Call.Timeout != 2*time.Second || v.VariantDescription != "shorter timeouts" {
		t.Fatal("variant lost a base key or its description")
	}
}

// Each broken scenario is the valid one with one edit: the line to replace
// (or "" to append), its replacement, and the error expected with its
// position.
func TestBrokenScenarios(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           string // "line:col: message fragment"
	}{
		{"toml syntax", `rate = 100`, `rate = = 100`, "6:8: expected value"},
		{"unknown top-level key", `duration = "60s"`, `duraton = "60s"`, `2:1: the scenario: unknown key "duraton"; did you mean "duration"?`},
		{"unknown component key", `timeout = "2s"`, `timeot = "2s"`, `7:1: client "users": unknown key "timeot"; did you mean "timeout"?`},
		{"unitless duration", `timeout = "2s"`, `timeout = 2`, `7:11: timeout: 2 has no unit; write a duration with its unit, e.g. "2s"`},
		{"negative duration", `timeout = "2s"`, `timeout = "-2s"`, `7:11: timeout: must not be negative, got -2s`},
		{"zero timeout", `timeout = "2s"`, `timeout = "0s"`, `7:11: client "users": timeout must be more than zero; write "none" for no limit`},
		{"bad duration", `timeout = "2s"`, `timeout = "2 seconds"`, `7:11: timeout: "2 seconds" is not a duration like "250ms"`},
		{"undefined target", `target = "lb"`, `target = "lbb"`, `5:10: client "users": target: no component named "lbb"; did you mean "lb"?`},
		{"call a replicated service directly", `target = "lb"`, `target = "api"`, `5:10: client "users": target: service "api" has 2 instances; call it through a load_balancer`},
		{"call a client", `to = "db"`, `to = "users"`, `20:6: service "api" call[0]: to: "users" is a client`},
		{"out of range", `rate = 100`, `rate = -5`, `6:8: client "users": rate must be between 0 and 1e+09, got -5`},
		{"probability above one", `query_time = "10ms"`, "query_time = \"10ms\"\nerror_rate = 1.5", `26:14: database "db": error_rate must be between 0 and 1, got 1.5`},
		{"whole number expected", `workers = 10`, `workers = 2.5`, `16:11: service "api": workers must be a whole number, got the number 2.5`},
		{"missing required key", `workers = 10`, ``, `14:10: service "api": missing "workers" (how many calls it serves at once)`},
		{"enum with did-you-mean", `timeout = "5s"`, "timeout = \"5s\"\npolicy = \"round-robin\"", `13:10: load_balancer "lb": policy must be one of "round_robin", "random", "least_request", "power_of_two", got "round-robin"; did you mean "round_robin"?`},
		{"both open and closed loop", `rate = 100`, "rate = 100\nusers = 5", `7:9: client "users": give either rate`},
		{"requests on an open-loop client", `rate = 100`, "rate = 100\nrequests = 5", `7:12: client "users": requests applies to closed-loop clients (users): each user makes that many requests, then stops`},
		{"bad distribution", `query_time = "10ms"`, `query_time = { dist = "expo", mean = "1ms" }`, `25:23: database "db" query_time: dist must be one of "constant", "exponential", "uniform", "lognormal", "empirical", got "expo"; did you mean "exponential"?`},
		{"lognormal p99 below median", `query_time = "10ms"`, `query_time = { dist = "lognormal", median = "20ms", p99 = "10ms" }`, `25:59: database "db" query_time: need 0 < median < p99, got median 20ms and p99 10ms`},
		{"percentiles must not decrease", `query_time = "10ms"`, `query_time = { dist = "empirical", percentiles = { min = "1ms", p50 = "20ms", p90 = "10ms", max = "1s" } }`, `25:85: database "db" query_time: p90 is 10ms, less than p50 at 20ms: percentiles must not decrease`},
		{"fault on a client", `target = "db"`, `target = "users"`, `28:10: fault[0]: a slowdown fault cannot hit client "users"; it hits services and databases`},
		{"fault parameter of another kind", `factor = 10`, "factor = 10\nlatency = \"1s\"", `31:11: fault[0]: latency does not apply to a slowdown fault (a slowdown fault takes factor)`},
		{"fault after the end", `at = "10s"`, `at = "90s"`, `31:6: fault[0]: the fault starts at 1m30s, after the run ends at 1m0s`},
		{"call cycle", "[database.db]", "[[service.api.call]]\nto = \"lb\"\n\n[database.db]", `24:6: call cycle: lb -> api -> lb; a request would never finish`}, // at the to = "lb" that closes it,
		{"duplicate name", "[database.db]", "[database.lb]\nconnections = 1\nquery_time = \"1ms\"\n\n[database.db]", `23:11: database "lb": the name is already used by load_balancer at line 10`},
		{"bad name", "[database.db]", "[database.\"d b\"]\nconnections = 1\nquery_time = \"1ms\"\n\n[database.db]", `23:11: database name "d b": use letters, digits`},
		{"unknown key in a variant", `load_balancer.lb.timeout = "1.8s"`, `load_balancer.lb.timout = "1.8s"`, `36:18: variant "aligned": load_balancer "lb": unknown key "timout"; did you mean "timeout"?`},
		{"bad value in a variant", `load_balancer.lb.timeout = "1.8s"`, `load_balancer.lb.timeout = 1.8`, `36:28: variant "aligned": timeout: 1.8 has no unit`},
		{"unknown budget kind", `retry = { max_attempts = 3 }`, `retry = { max_attempts = 3, budget = { kind = "grcp" } }`, `8:47: client "users" retry budget: kind must be one of "grpc", "aws", "envoy", "finagle", got "grcp"; did you mean "grpc"?`},
		{"key of another budget kind", `retry = { max_attempts = 3 }`, `retry = { max_attempts = 3, budget = { kind = "aws", token_ratio = 0.1 } }`, `8:54: client "users" retry budget: unknown key "token_ratio"`},
		{"breaker key typo", `timeout = "2s"`, "timeout = \"2s\"\nbreaker = { failure_rate_treshold = 30 }", `8:13: client "users" breaker: unknown key "failure_rate_treshold"; did you mean "failure_rate_threshold"?`},
		{"throttle out of range", `timeout = "2s"`, "timeout = \"2s\"\nthrottle = { k = 0.5 }", `8:18: client "users" throttle: k must be between 1 and 100, got 0.5`},
		{"cancel is a boolean", `timeout = "2s"`, "timeout = \"2s\"\ncancel = \"yes\"", `8:10: client "users": cancel must be true or false, got "yes"`},
		{"concurrency limit without kind", `workers = 10`, "workers = 10\nconcurrency_limit = { limit = 5 }", `17:21: service "api" concurrency_limit must be a table with a kind: "static" or "aimd"`},
		{"max_retries and a retry budget", `timeout = "5s"`, "timeout = \"5s\"\ncircuit_breakers = { max_retries = 2, retry_budget = {} }", `13:36: load_balancer "lb" circuit_breakers: max_retries is ignored when retry_budget is set`},
		{"lifo_above without adaptive LIFO", `workers = 10`, "workers = 10\nqueue = { lifo_above = 3 }", `17:24: service "api" queue: lifo_above applies to discipline = "adaptive_lifo"`},
		{"unitless deadline overhead", `workers = 10`, "workers = 10\ndeadline_overhead = 5", `17:21: deadline_overhead: 5 has no unit`},
		{"outlier key typo", `timeout = "5s"`, "timeout = \"5s\"\noutlier_detection = { consecutive_5xxx = 3 }", `13:23: load_balancer "lb" outlier_detection: unknown key "consecutive_5xxx"; did you mean "consecutive_5xx"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(valid, tt.old) {
				t.Fatalf("test bug: %q not in the valid scenario", tt.old)
			}
			src := strings.Replace(valid, tt.old, tt.new, 1)
			_, err := Parse("t.toml", []byte(src), "")
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want Errors", err)
			}
			all := errs.Error()
			if !strings.Contains(all, "t.toml:"+tt.want) {
				t.Fatalf("errors:\n%s\nwant one containing:\nt.toml:%s", all, tt.want)
			}
		})
	}
}

func TestAllErrorsAreReportedAtOnce(t *testing.T) {
	src := strings.NewReplacer(`timeout = "2s"`, `timeout = 2`, `rate = 100`, `rate = "fast"`, `workers = 10`, `workrs = 10`).Replace(valid)
	_, err := Parse("t.toml", []byte(src), "")
	errs := err.(Errors)
	if len(errs) < 4 { // rate, timeout, workrs unknown, workers missing
		t.Fatalf("got %d errors, want at least 4:\n%s", len(errs), errs)
	}
	for i := 1; i < len(errs); i++ {
		if errs[i].Pos.Line < errs[i-1].Pos.Line {
			t.Fatalf("errors not in file order:\n%s", errs)
		}
	}
}

func TestPrettyShowsTheLineAndACaret(t *testing.T) {
	_, err := Parse("t.toml", []byte(strings.Replace(valid, `timeout = "2s"`, `timeout = 2`, 1)), "")
	want := `error: t.toml:7:11: timeout: 2 has no unit; write a duration with its unit, e.g. "2s" or "2ms"
   |
 7 | timeout = 2
   |           ^
`
	if got := err.(Errors).Pretty(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestUnknownVariant(t *testing.T) {
	_, err := Parse("t.toml", []byte(valid), "algned")
	if err == nil || !strings.Contains(err.Error(), `no variant "algned": this scenario defines "aligned"; did you mean "aligned"?`) {
		t.Fatalf("got %v", err)
	}
}

func TestPercentileKeys(t *testing.T) {
	for key, want := range map[string]float64{"min": 0, "p0": 0, "p5": 0.05, "p50": 0.5, "p99": 0.99, "p999": 0.999, "p9999": 0.9999, "p100": 1, "p101": 0.101, "max": 1} {
		if got, ok := percentileKey(key); !ok || got != want {
			t.Errorf("percentileKey(%q) = %g, %v; want %g", key, got, ok, want)
		}
	}
	for _, bad := range []string{"p", "q50", "p5x", "50", "p1234567890"} {
		if _, ok := percentileKey(bad); ok {
			t.Errorf("percentileKey(%q) accepted", bad)
		}
	}
}

// Every shipped scenario and every variant of it loads.
func TestShippedScenariosLoad(t *testing.T) {
	files, _ := filepath.Glob("../../scenarios/*.toml")
	more, _ := filepath.Glob("../../scenarios/*/*.toml")
	files = append(files, more...)
	if len(files) < 3 {
		t.Fatalf("found %d scenario files", len(files))
	}
	for _, f := range files {
		sc, err := Load(f, "")
		if err != nil {
			t.Fatalf("%s:\n%v", f, err)
		}
		for _, v := range sc.Variants {
			if _, err := Load(f, v); err != nil {
				t.Errorf("%s --variant %s: %v", f, v, err)
			}
		}
	}
}

func TestSettingsOverrideTheChosenVariant(t *testing.T) {
	sets := []Setting{
		{"client.users.timeout", "4s"},
		{"client.users.retry.max_attempts", "5"},
		{"service.api.workers", "7"},
		{"service.api.call[0].timeout", "none"},
		{"client.users.retry.budget", `{ kind = "grpc" }`},
	}
	sc, err := Parse("t.toml", []byte(valid), "aligned", sets...)
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	c := sc.Components[0].Client
	if c.Call.Timeout != 4*time.Second || c.Call.Retry.MaxAttempts != 5 || c.Call.Retry.Budget == nil {
		t.Fatalf("client: %+v", c.Call)
	}
	if s := sc.Components[2].Server; s.Workers != 7 || s.Calls[0].Timeout != 0 {
		t.Fatalf("api: workers %d, call timeout %s", s.Workers, s.Calls[0].Timeout)
	}
	if d := sc.Components[1].Balancer.Call.Deadline; d != 1800*time.Millisecond || sc.Variant != "aligned" {
		t.Fatalf("the variant was lost: lb timeout %s, variant %q", d, sc.Variant)
	}
	// The base in memory is untouched: parsing again without settings gives it back.
	if sc2, _ := Parse("t.toml", []byte(valid), ""); sc2.Components[0].Client.Call.Timeout != 2*time.Second {
		t.Fatal("a setting leaked into the base")
	}
}

func TestBadSettings(t *testing.T) {
	tests := []struct {
		set  Setting
		want string
	}{
		{Setting{"client.users.timout", "4s"}, `--set client.users.timout=4s: client "users": unknown key "timout"; did you mean "timeout"?`},
		{Setting{"client.users.timeout", "4"}, `--set client.users.timeout=4: timeout: 4 has no unit`},
		{Setting{"service.api.call[3].timeout", "1s"}, `--set service.api.call[3].timeout=1s: service.api.call has no element [3]`},
		{Setting{"client.users.target.x", "1"}, `--set client.users.target.x=1: client.users.target is not a table`},
		{Setting{"service.api.workers", "0"}, `--set service.api.workers=0: service "api": workers must be between 1 and 1000000, got 0`},
		// A typo in a component's name is no new component with every key
		// missing: a setting changes components, it never adds one.
		{Setting{"client.userz.timeout", "2s"}, `--set client.userz.timeout=2s: no client "userz"; did you mean "users"?`},
		{Setting{"database.dbb.connections", "8"}, `--set database.dbb.connections=8: no database "dbb"; did you mean "db"?`},
		{Setting{"service.cache", "{ workers = 1 }"}, `--set service.cache={ workers = 1 }: no service "cache"`},
	}
	for _, tt := range tests {
		_, err := Parse("t.toml", []byte(valid), "", tt.set)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.set, err, tt.want)
		}
	}
}

// A variant that names a component the base does not have is a typo,
// reported where it is written with a did-you-mean, unless the variant
// lists the component in adds.
func TestVariantsAddComponentsOnlyWhenTheySaySo(t *testing.T) {
	tests := []struct {
		name, variant, want string
	}{
		{"a typo", "[variant.v]\ndatabase.dbb.connections = 8\n",
			`t.toml:39:10: variant "v": the base has no database "dbb"; did you mean "db"?; to add a component in a variant, list it: adds = ["database.dbb"]`},
		{"a new table without adds", "[variant.v.service.cache]\nworkers = 1\nservice_time = \"1ms\"\n",
			`t.toml:38:20: variant "v": the base has no service "cache"; to add a component in a variant, list it: adds = ["service.cache"]`},
		{"adds names no component", "[variant.v]\nadds = [\"service.cache\"]\n",
			`t.toml:39:9: variant "v": adds: the variant defines no service "cache"`},
		{"adds names a base component", "[variant.v]\nadds = [\"service.api\"]\nservice.api.workers = 3\n",
			`t.toml:39:9: variant "v": adds: the base already has service "api"`},
		{"adds is no KIND.NAME", "[variant.v]\nadds = [\"cache\"]\n",
			`t.toml:39:9: variant "v": adds: "cache" is not KIND.NAME`},
		{"listed", "[variant.v]\nadds = [\"client.batch\"]\n[variant.v.client.batch]\ntarget = \"lb\"\nusers = 3\n", ""},
	}
	for _, tt := range tests {
		sc, err := Parse("t.toml", []byte(valid+"\n"+tt.variant), "v")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == "" && len(sc.Components) != 6:
			t.Errorf("%s: %d components, want the base's 5 and the one added", tt.name, len(sc.Components))
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

// A warm-up is a whole number of buckets and leaves something to measure.
func TestBadWarmup(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"metrics.warmup=15s", "warmup 15s is not a whole number of 10s buckets"},
		{"metrics.warmup=60s", "warmup 1m0s leaves nothing of the run (duration 1m0s) to measure"},
	} {
		_, err := Parse("t.toml", []byte(valid+"\n[metrics]\nbucket = \"10s\"\n"), "", Setting{"metrics.warmup", strings.TrimPrefix(tc.set, "metrics.warmup=")})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.set, err, tc.want)
		}
	}
}

func TestParseSetting(t *testing.T) {
	if s, err := ParseSetting("client.users.timeout = 4s"); err != nil || s != (Setting{"client.users.timeout", "4s"}) {
		t.Fatalf("got %+v, %v", s, err)
	}
	if _, err := ParseSetting("timeout"); err == nil {
		t.Fatal("accepted a setting without =")
	}
}
