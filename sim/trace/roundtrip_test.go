package trace

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
	"github.com/failsim/failsim/topology/traces"
)

// Round trip: export the steady state of shipped scenarios as OTLP, import
// it, and the scenario recovered has the original's graph (every component
// with its kind, every call, replicas behind their load balancer), its
// retries (the attempts of each retrying edge) and its service times
// within 5% at the median, p90 and p99 (the p99 where at least 10,000 spans
// measure it: 12,000 requests, but a callee called by one request in ten).
//
// A retry policy shows only in retries that happen, so the test makes the
// tiers fail now and then (error_rate): a call that fails twice in a row
// shows the third attempt. Service times are compared where queueing is
// negligible, since a span's own time includes its wait for a worker.
func TestRoundTripRecoversTheScenario(t *testing.T) {
	for _, tc := range []struct {
		file     string
		sets     []string
		attempts map[string]int     // caller -> callee: max attempts
		fraction map[string]float64 // caller -> callee: the fraction of runs that call
		times    []string           // components whose service time is compared
	}{
		{"timeout-mismatch", []string{"database.db.error_rate=0.05"},
			map[string]int{"users -> lb": 3, "api -> db": 1}, nil, []string{"api", "db"}},
		{"layered-retries", []string{"service.edge.error_rate=0.1", "service.api.error_rate=0.1", "database.db.error_rate=0.1"},
			map[string]int{"users -> edge": 3, "edge -> api": 3, "api -> db": 3}, nil, []string{"edge", "api", "db"}},
		{"slow-dependency", nil,
			map[string]int{"users -> api": 1}, map[string]float64{"api -> recommendations": 0.1}, []string{"api", "catalog", "recommendations"}},
		{"partial-failure", nil, nil, nil, []string{"orders", "db", "cache"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var sets []scenariofile.Setting
			for _, s := range tc.sets {
				set, err := scenariofile.ParseSetting(s)
				if err != nil {
					t.Fatal(err)
				}
				sets = append(sets, set)
			}
			sc, err := scenariofile.Load("../../scenarios/"+tc.file+".toml", "", sets...)
			if err != nil {
				t.Fatal(err)
			}
			sc.Duration = 55 * time.Second // before the faults, at 60s
			got, m := roundTrip(t, sc)

			// The graph: the same components, of the same kinds, calling
			// the same callees.
			if g, w := groups(got), groups(sc); !slices.Equal(g, w) {
				t.Errorf("components\n  recovered %v\n  scenario  %v", g, w)
			}
			if g, w := edges(got), edges(sc); !slices.Equal(keys(g), keys(w)) {
				t.Errorf("calls\n  recovered %v\n  scenario  %v", keys(g), keys(w))
			}
			for e, n := range tc.attempts {
				if p := edges(got)[e]; p == nil || p.Retry.MaxAttempts != n {
					t.Errorf("%s: recovered %v attempts, want %d", e, p, n)
				}
			}
			for e, f := range tc.fraction {
				if c := calls(got)[e]; c == nil || math.Abs(c.Fraction-f) > 0.02 {
					t.Errorf("%s: recovered fraction %v, want %.2f", e, c, f)
				}
			}
			for _, name := range tc.times {
				want := serverOf(sc, name).Work
				var self []float64
				for _, o := range m.Ops {
					if o.Service.Name == name {
						self = o.Self
					}
				}
				for _, q := range []float64{.5, .9, .99} {
					if q == .99 && len(self) < 10000 {
						continue // too few spans: an exponential's p99 from 1,200 draws is ±6% by itself
					}
					w := quantile(want, q)
					if g := traces.Quantile(self, q); math.Abs(g-w) > 0.05*w {
						t.Errorf("%s own time p%g: %.4gs recovered, %.4gs in the scenario", name, 100*q, g, w)
					}
				}
			}
		})
	}
}

// roundTrip exports every request of sc that starts after a warm-up, up to
// 12,000, imports them, and loads the scenario written.
func roundTrip(t *testing.T, sc *topology.Scenario) (*topology.Scenario, *traces.Model) {
	t.Helper()
	reqs, _, err := SampleAll(context.Background(), sc, sim.Options{Seed: 1}, 12000, Filter{From: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	spans := Spans(sc, 1, reqs)
	ptrs := make([]*Span, len(spans))
	for i := range spans {
		ptrs[i] = &spans[i]
	}
	r := traces.NewReader()
	if err := r.AddTraces("exported", OTLP(ptrs)); err != nil {
		t.Fatal(err)
	}
	m, err := r.Infer()
	if err != nil {
		t.Fatal(err)
	}
	w := m.Scenario("recovered")
	got, err := scenariofile.Parse("recovered.toml", w.TOML, "")
	if err != nil {
		t.Fatalf("%v\n%s", err, w.TOML)
	}
	return got, m
}

// groups lists "name kind" of each component group, sorted.
func groups(sc *topology.Scenario) []string {
	var out []string
	for _, c := range sc.Components {
		s := c.Group + " " + c.Kind.String()
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// edges maps "caller -> callee" (groups) to the caller's policy.
func edges(sc *topology.Scenario) map[string]*topology.CallPolicy {
	out := map[string]*topology.CallPolicy{}
	name := func(i int) string { return sc.Components[i].Group }
	for _, c := range sc.Components {
		switch {
		case c.Client != nil:
			out[c.Group+" -> "+name(c.Client.Target)] = &c.Client.Call
		case c.Balancer != nil:
			for _, to := range c.Balancer.Targets {
				out[c.Group+" -> "+name(to)] = &c.Balancer.Call
			}
		case c.Server != nil:
			for i := range c.Server.Calls {
				out[c.Group+" -> "+name(c.Server.Calls[i].To)] = &c.Server.Calls[i].CallPolicy
			}
		}
	}
	return out
}

func calls(sc *topology.Scenario) map[string]*topology.Call {
	out := map[string]*topology.Call{}
	for _, c := range sc.Components {
		if c.Server != nil {
			for i := range c.Server.Calls {
				out[c.Group+" -> "+sc.Components[c.Server.Calls[i].To].Group] = &c.Server.Calls[i]
			}
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func serverOf(sc *topology.Scenario, group string) *topology.Server {
	for _, c := range sc.Components {
		if c.Group == group && c.Server != nil {
			return c.Server
		}
	}
	panic(fmt.Sprintf("no server %s", group))
}

// quantile is the q-quantile of a distribution, in seconds.
func quantile(d topology.Dist, q float64) float64 {
	switch d.Kind {
	case topology.DistConstant:
		return d.Value.Seconds()
	case topology.DistExponential:
		return -d.Mean.Seconds() * math.Log(1-q)
	case topology.DistLognormal:
		sigma := math.Log(d.P99.Seconds()/d.Median.Seconds()) / 2.326
		return d.Median.Seconds() * math.Exp(math.Sqrt2*math.Erfinv(2*q-1)*sigma)
	case topology.DistUniform:
		return d.Min.Seconds() + q*(d.Max-d.Min).Seconds()
	}
	panic("no closed-form quantile for this distribution")
}
