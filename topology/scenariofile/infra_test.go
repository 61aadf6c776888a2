package scenariofile

import (
	"errors"
	"strings"
	"testing"

	"github.com/failsim/failsim/topology"
)

// A valid scenario with a cache, a durable queue and a bulkhead, the base
// of the broken ones below.
const validInfra = `duration = "60s"

[client.users]
target = "api"
rate = 100

[service.api]
workers = 10
service_time = "1ms"
cache = { keys = 1000, capacity = 100, popularity = "zipf", zipf_s = 0.8, coalesce = true }

[[service.api.call]]
to = "orders"
fraction = 0.5
bulkhead = 4

[queue.orders]
consumer = "worker"
capacity = 50
retention = "10m"

[service.worker]
workers = 2
service_time = "10ms"
`

func TestInfraScenario(t *testing.T) {
	sc, err := Parse("t.toml", []byte(validInfra), "")
	if err != nil {
		t.Fatal(err.(Errors).Pretty())
	}
	api, q := sc.Components[1].Server, sc.Components[3]
	if c := api.Cache; c == nil || c.Keys != 1000 || c.Capacity != 100 || c.Popularity != topology.Zipf || c.ZipfS != 0.8 || !c.Coalesce || c.TTL != 0 {
		t.Errorf("cache %+v", api.Cache)
	}
	if call := api.Calls[0]; call.Fraction != 0.5 || call.Bulkhead != 4 || call.To != 3 {
		t.Errorf("call %+v", call)
	}
	if q.Kind != topology.KindQueue || q.Durable.Capacity != 50 || len(q.Durable.Consumers) != 1 || q.Durable.VisibilityTimeout != 0 {
		t.Errorf("queue %+v %+v", q, q.Durable)
	}
}

func TestBrokenInfra(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           string
	}{
		{"cache key typo", `coalesce = true`, `coalesse = true`, `10:75: service "api" cache: unknown key "coalesse"; did you mean "coalesce"?`},
		{"cache without keys", `keys = 1000, `, ``, `10:1: service "api" cache: missing "keys"`},
		{"zipf_s on uniform keys", `popularity = "zipf"`, `popularity = "uniform"`, `10:73: service "api" cache: zipf_s applies to popularity = "zipf"`},
		{"unknown popularity", `popularity = "zipf"`, `popularity = "zipfian"`, `10:53: service "api" cache: popularity must be one of "uniform", "zipf", "hot", got "zipfian"; did you mean "zipf"?`},
		{"cache without a call", "[[service.api.call]]\nto = \"orders\"\nfraction = 0.5\nbulkhead = 4", ``, `10:9: service "api": a cache sends its misses to the service's calls`},
		{"fraction zero", `fraction = 0.5`, `fraction = 0`, `14:12: service "api" call[0]: fraction must be more than zero`},
		{"fraction above one", `fraction = 0.5`, `fraction = 2`, `14:12: service "api" call[0]: fraction must be between 0 and 1, got 2`},
		{"bulkhead zero", `bulkhead = 4`, `bulkhead = 0`, `15:12: service "api" call[0]: bulkhead must be between 1 and 1000000, got 0`},
		{"queue consumer typo", `consumer = "worker"`, `consumer = "wroker"`, `18:12: queue "orders": consumer: no component named "wroker"; did you mean "worker"?`},
		{"queue consumer not a service", `consumer = "worker"`, `consumer = "users"`, `18:12: queue "orders": consumer: "users" is a client; a queue delivers to a service`},
		{"queue key typo", `retention = "10m"`, `retension = "10m"`, `20:1: queue "orders": unknown key "retension"; did you mean "retention"?`},
		{"queue without consumer", `consumer = "worker"`, ``, `17:8: queue "orders": missing "consumer"`},
		{"crash a queue", `service_time = "10ms"`, "service_time = \"10ms\"\n\n[[fault]]\ntarget = \"orders\"\nkind = \"crash\"\nat = \"1s\"\nfor = \"1s\"", `27:10: fault[0]: a crash fault cannot hit queue "orders"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validInfra, tt.old) {
				t.Fatalf("test bug: %q not in the valid scenario", tt.old)
			}
			src := strings.Replace(validInfra, tt.old, tt.new, 1)
			_, err := Parse("t.toml", []byte(src), "")
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
