package demo

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/failsim/failsim/topology/scenariofile"
)

// Three seconds of the real system on loopback (at 50 requests/s, so that a
// busy machine or the race detector does not overload it) give traces the importer
// turns into its graph: the load generator as the client of the gateway,
// the gateway calling the api, the api the store. (The comparison under a
// fault is TestLongRealAgainstSimulatedUnderFault, build tag long.)
func TestDemoTracesGiveItsGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real system for 3s")
	}
	cfg := Defaults()
	cfg.Duration, cfg.Rate = 3*time.Second, 50
	var traces bytes.Buffer
	cfg.Traces = &traces
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 100 || res.SuccessRatio() < 0.5 || res.Amplification() < 0.5 {
		t.Errorf("%d requests, %.1f%% succeeded, %.2f store calls each", res.Requests, 100*res.SuccessRatio(), res.Amplification())
	}
	_, w, toml, err := Import(traces.Bytes(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range w.Components {
		got = append(got, c.Kind+" "+c.Name)
	}
	slices.Sort(got)
	if want := []string{"client loadgen", "service api", "service gateway", "service store"}; !slices.Equal(got, want) {
		t.Errorf("components %v, want %v", got, want)
	}
	sc, err := scenariofile.Parse("demo.toml", toml, "calibrated")
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]string{}
	for _, c := range sc.Components {
		switch {
		case c.Client != nil:
			next[c.Name] = sc.Components[c.Client.Target].Name
		case c.Server != nil && len(c.Server.Calls) > 0:
			next[c.Name] = sc.Components[c.Server.Calls[0].To].Name
		}
	}
	if next["loadgen"] != "gateway" || next["gateway"] != "api" || next["api"] != "store" {
		t.Errorf("calls %v, want loadgen -> gateway -> api -> store", next)
	}
}
