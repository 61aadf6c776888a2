package traces_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/trace"
	"github.com/failsim/failsim/topology/scenariofile"
	"github.com/failsim/failsim/topology/traces"
)

// BenchmarkImportOTLP reads and infers 3,000 requests of timeout-mismatch
// exported as OTLP/JSON lines (about 12 MB); MB/s is the import's
// throughput. docs/performance.md has the gigabyte figure and its command.
func BenchmarkImportOTLP(b *testing.B) {
	sc, err := scenariofile.Load("../../scenarios/timeout-mismatch.toml", "")
	if err != nil {
		b.Fatal(err)
	}
	sc.Duration = 20 * time.Second
	reqs, _, err := trace.SampleAll(context.Background(), sc, sim.Options{Seed: 1}, 3000, trace.Filter{From: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	var data bytes.Buffer
	if err := trace.Export(&data, trace.FormatOTLP, sc, 1, reqs); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(data.Len()))
	b.ResetTimer()
	for range b.N {
		r := traces.NewReader()
		if err := r.Read("bench.jsonl", bytes.NewReader(data.Bytes())); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Infer(); err != nil {
			b.Fatal(err)
		}
	}
}
