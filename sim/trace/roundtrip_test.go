package trace

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/traces"
)

// Round trip: export the steady state of the seeds' classic as OTLP, import
// it, and the scenario recovered has the original's graph (a client calling
// a load balancer in front of four api instances that query a database),
// its retries (the client's 3 attempts) and service times within 5% at the
// median, p90 and p99. A retry policy shows only in retries that happen,
// so the database fails 5% of its queries here: a call that fails twice in
// a row, 0.25% of them, shows the third attempt.
func TestRoundTripRecoversTheScenario(t *testing.T) {
	set, err := topology.ParseSetting("database.db.error_rate=0.05")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := topology.Load("../../scenarios/timeout-mismatch.toml", "", set)
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = 50 * time.Second // before the fault at 60s
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
	got, err := topology.Parse("recovered.toml", w.TOML, "")
	if err != nil {
		t.Fatalf("%v\n%s", err, w.TOML)
	}
	byName := map[string]topology.Component{}
	for _, c := range got.Components {
		byName[c.Group] = c
	}
	for _, want := range []struct {
		name string
		kind topology.Kind
	}{{"users", topology.KindClient}, {"lb", topology.KindLoadBalancer}, {"api", topology.KindService}, {"db", topology.KindDatabase}} {
		if c, ok := byName[want.name]; !ok || c.Kind != want.kind {
			t.Errorf("%s: got %v, want a %v", want.name, c.Kind, want.kind)
		}
	}
	if n := len(got.Components); n != 7 { // users, lb, api-1..4, db
		t.Errorf("%d components, want 7", n)
	}
	edge := func(from, to string) *topology.CallPolicy {
		c := byName[from]
		switch {
		case c.Client != nil && got.Components[c.Client.Target].Group == to:
			return &c.Client.Call
		case c.Balancer != nil && got.Components[c.Balancer.Targets[0]].Group == to:
			return &c.Balancer.Call
		case c.Server != nil && len(c.Server.Calls) == 1 && got.Components[c.Server.Calls[0].To].Group == to:
			return &c.Server.Calls[0].CallPolicy
		}
		t.Errorf("no edge %s -> %s", from, to)
		return nil
	}
	if p := edge("users", "lb"); p != nil && p.Retry.MaxAttempts != 3 {
		t.Errorf("users -> lb: %d attempts, want 3", p.Retry.MaxAttempts)
	}
	if p := edge("api", "db"); p != nil && p.Retry.MaxAttempts > 1 {
		t.Errorf("api -> db: %d attempts, want no retries", p.Retry.MaxAttempts)
	}
	edge("lb", "api")
	if c := byName["db"]; math.Abs(c.Server.ErrorRate-0.05) > 0.01 {
		t.Errorf("db error rate %.3f, want 0.05", c.Server.ErrorRate)
	}
	for _, tc := range []struct {
		name        string
		median, p99 time.Duration
	}{{"api", 2 * time.Millisecond, 10 * time.Millisecond}, {"db", 20 * time.Millisecond, 100 * time.Millisecond}} {
		var self []float64
		for _, o := range m.Ops {
			if o.Service.Name == tc.name {
				self = o.Self
			}
		}
		sigma := math.Log(float64(tc.p99)/float64(tc.median)) / 2.326
		for _, q := range []struct {
			p float64
			z float64
		}{{.5, 0}, {.9, 1.2816}, {.99, 2.326}} {
			want := tc.median.Seconds() * math.Exp(q.z*sigma)
			if got := traces.Quantile(self, q.p); math.Abs(got-want) > 0.05*want {
				t.Errorf("%s own time p%g: %.4gs recovered, %.4gs in the scenario", tc.name, 100*q.p, got, want)
			}
		}
	}
}
