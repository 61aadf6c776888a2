package live

import (
	"math"
	"slices"
	"testing"

	"github.com/failsim/failsim/sim/results"
)

var nan = math.NaN()

// same compares series with NaN equal to NaN.
func same(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) })
}

func TestTiersGroupReplicasInTopologyOrder(t *testing.T) {
	s := &results.Summary{
		Order: []string{"users", "lb", "api-1", "api-2", "db", "old"},
		Components: map[string]results.Component{
			"users": {Kind: "client", Group: "users"}, "lb": {Kind: "load_balancer", Group: "lb"},
			"api-1": {Kind: "service", Group: "api"}, "api-2": {Kind: "service", Group: "api"},
			"db": {Kind: "database", Group: "db"}, "old": {Kind: "service"}, // written before groups existed
		},
	}
	var got []string
	for _, tr := range Tiers(s) {
		got = append(got, tr.Label())
	}
	want := []string{"users (client)", "lb (load balancer)", "api (service ×2)", "db (database)", "old (service)"}
	if !slices.Equal(got, want) {
		t.Fatalf("tiers %q, want %q", got, want)
	}
	if c := Clients(s); !slices.Equal(c, []string{"users"}) {
		t.Fatalf("clients %q", c)
	}
}

func TestArithmeticOnSeries(t *testing.T) {
	ser := results.NewSeries(2, []results.Key{{Component: "a", Metric: "x"}, {Component: "b", Metric: "x"}, {Component: "a", Metric: "y"}})
	ser.EndS = 5
	ser.Times = []float64{0, 2, 4}
	ser.Values[0] = []float64{1, nan, 3}
	ser.Values[1] = []float64{10, nan, nan}
	ser.Values[2] = []float64{0, 4, 2}
	tests := []struct {
		name      string
		got, want []float64
	}{
		{"sum skips missing points", Sum(ser, []string{"a", "b"}, "x"), []float64{11, nan, 3}},
		{"sum of a metric nobody has", Sum(ser, []string{"a", "b"}, "z"), nil},
		{"sum over components lacking it", Sum(ser, []string{"b", "c"}, "y"), nil},
		{"add skips missing series", Add(nil, []float64{1, nan, 2}, []float64{1, nan, nan}), []float64{2, nan, 2}},
		{"ratio is missing where the divisor is 0 or missing", Ratio([]float64{1, 2, 3}, []float64{0, nan, 2}), []float64{nan, nan, 1.5}},
		{"ratio of a missing series", Ratio(nil, []float64{1}), nil},
		{"per second, the last bucket 1s wide", PerSecond(ser, []float64{4, 4, 4}), []float64{2, 2, 4}},
		{"bucket middles", Middles(ser), []float64{1, 3, 4.5}},
	}
	for _, tt := range tests {
		if !same(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// An autoscaled tier is labelled with the instances that served, not with
// its standby instances.
func TestTierLabelsCountInstancesServing(t *testing.T) {
	for _, tt := range []struct {
		replicas []float64
		want     string
	}{
		{nil, "api (service ×12)"},
		{[]float64{2, 2, nan, 5.6, 12, 8}, "api (service ×2–12)"},
		{[]float64{3, 3}, "api (service ×3)"},
		{[]float64{0, 0, 2}, "api (service ×0–2)"},
	} {
		tr := Tier{Name: "api", Kind: "service", Members: make([]string, 12), Instances: 12}
		tr.Serving(tt.replicas)
		if got := tr.Label(); got != tt.want {
			t.Errorf("replicas %v: %q, want %q", tt.replicas, got, tt.want)
		}
	}
}

// The live charts are the dashboard's numbers: the same tiers, sums and
// ratios, and lines that depend on which metrics a run has, not on their
// values.
func TestChartsAreTheDashboardsNumbers(t *testing.T) {
	ser := results.NewSeries(1, []results.Key{
		{Component: "users", Metric: "logical_requests"}, {Component: "users", Metric: "arrivals"},
		{Component: "users", Metric: "offered_rps"}, {Component: "users", Metric: "goodput_rps"},
		{Component: "users", Metric: "latency_p50_s"},
		{Component: "api-1", Metric: "arrivals"}, {Component: "api-2", Metric: "arrivals"},
		{Component: "api-1", Metric: "wasted_work_s"}, {Component: "api-2", Metric: "wasted_work_s"},
	})
	ser.EndS, ser.Times = 2, []float64{0, 1}
	ser.Values = [][]float64{{10, 20}, {10, 60}, {10, 20}, {10, 0}, {0.1, nan}, {5, 30}, {5, 30}, {0, 0.5}, {0, 1.5}}
	run := &results.Run{Series: ser, Summary: results.Summary{BucketSeconds: 1, Order: []string{"users", "api-1", "api-2"},
		Components: map[string]results.Component{"users": {Kind: "client", Group: "users"}, "api-1": {Kind: "service", Group: "api"}, "api-2": {Kind: "service", Group: "api"}}}}
	charts := Charts(run)
	var names []string
	for _, c := range charts {
		names = append(names, c.Name)
	}
	if want := []string{"latency", "amplification", "throughput", "queues", "wasted-work"}; !slices.Equal(names, want) {
		t.Fatalf("charts %q, want %q", names, want)
	}
	line := func(chart, label string) []float64 {
		for _, c := range charts {
			for _, l := range c.Lines {
				if c.Name == chart && l.Label == label {
					return l.Y
				}
			}
		}
		t.Fatalf("no line %q in chart %q", label, chart)
		return nil
	}
	for _, tt := range []struct {
		name      string
		got, want []float64
	}{
		{"p50 with a gap where no request finished", line("latency", "p50"), []float64{0.1, nan}},
		{"amplification: the tier's replicas summed, per logical request", line("amplification", "api (service ×2)"), []float64{1, 3}},
		{"the clients' own amplification", line("amplification", "users (client)"), []float64{1, 3}},
		{"sent: attempts per second", line("throughput", SentLabel), []float64{10, 60}},
		{"goodput", line("throughput", GoodputLabel), []float64{10, 0}},
		{"wasted work per second, replicas summed", line("wasted-work", "api (service ×2)"), []float64{0, 2}},
	} {
		if !same(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if len(charts[3].Lines) != 0 {
		t.Errorf("a run without queue_mean has queue lines: %+v", charts[3].Lines)
	}
}
