package scenariofile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/failsim/failsim/topology"
)

// importSeeds returns the configurations of testdata/import and of the
// shipped scenarios with the given extension.
func importSeeds(f *testing.F, ext string) [][]byte {
	var out [][]byte
	for _, pattern := range []string{"testdata/import/*" + ext, "../../scenarios/configs/*" + ext} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

// checkImportErrors fails unless err is nil or Errors, each naming the
// scenario or an imported file, and a line when it is inside a file.
func checkImportErrors(t *testing.T, err error, files ...string) {
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error of type %T: %v", err, err)
	}
	for _, e := range errs {
		switch {
		case e.Pos.File == "s.toml":
		case slices.Contains(files, e.Pos.File):
			if e.Pos.Line == 0 {
				t.Fatalf("error inside %s without a line: %v", e.Pos.File, e)
			}
		default:
			t.Fatalf("error naming neither the scenario nor an imported file: %v", e)
		}
	}
}

// FuzzGRPCConfig reads arbitrary service configs: never a panic; either
// errors with positions or a call policy within gRPC's limits.
func FuzzGRPCConfig(f *testing.F) {
	for _, b := range importSeeds(f, ".json") {
		f.Add(b)
	}
	f.Add([]byte(`{"methodConfig": [{"name": [{}], "hedgingPolicy": {"maxAttempts": 9, "nonFatalStatusCodes": [14, "UNKNOWN"]}}]}`))
	scenario := []byte(grpcClient("orders.Orders/Create", `grpc_ignore = ["loadBalancingConfig", "waitForReady"]`))
	f.Fuzz(func(t *testing.T, config []byte) {
		sc, err := ParseFS(fstest.MapFS{"c.json": {Data: config}}, "s.toml", scenario, "")
		if err != nil {
			checkImportErrors(t, err, "c.json")
			return
		}
		p := sc.Components[0].Client.Call
		r := p.Retry
		if r.MaxAttempts < 1 || r.MaxAttempts > 5 || p.Deadline < 0 || p.Timeout != 0 {
			t.Fatalf("policy out of gRPC's limits: %+v", p)
		}
		if r.MaxAttempts > 1 && (r.Backoff.Base <= 0 || r.Backoff.Cap <= 0 || r.Backoff.Multiplier <= 0 || r.On == 0) {
			t.Fatalf("retry policy without its required fields: %+v", r)
		}
		if h := p.Hedge; h != nil && (h.MaxAttempts < 2 || h.MaxAttempts > 5 || h.HedgingDelay < 0 || r.MaxAttempts != 1) {
			t.Fatalf("hedging policy out of gRPC's limits: %+v, retry %+v", h, r)
		}
	})
}

// FuzzEnvoyConfig reads arbitrary route and cluster files: never a panic;
// either errors with positions or a balancer with Envoy's limits.
func FuzzEnvoyConfig(f *testing.F) {
	seeds := importSeeds(f, ".yaml")
	for _, a := range seeds {
		for _, b := range seeds {
			f.Add(a, b)
		}
	}
	scenario := []byte(envoyBalancer("envoy_route = \"r.yaml\"\nenvoy_cluster = \"c.yaml\"", 2))
	f.Fuzz(func(t *testing.T, route, cluster []byte) {
		fsys := fstest.MapFS{"r.yaml": {Data: route}, "c.yaml": {Data: cluster}}
		sc, err := ParseFS(fsys, "s.toml", scenario, "")
		if err != nil {
			checkImportErrors(t, err, "r.yaml", "c.yaml")
			return
		}
		b := sc.Components[1].Balancer
		r := b.Call.Retry
		if b.Thresholds == nil || r.MaxAttempts < 1 || r.MaxAttempts > 100 || b.Call.Deadline < 0 || b.Call.Timeout < 0 {
			t.Fatalf("balancer out of Envoy's limits: %+v", b)
		}
		if r.MaxAttempts > 1 && (r.Backoff.Kind != topology.BackoffEnvoy || r.Backoff.Base < 1e6 || r.Backoff.Cap < r.Backoff.Base) {
			t.Fatalf("Envoy back-off out of its limits: %+v", r.Backoff)
		}
	})
}
