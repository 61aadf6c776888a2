package experiment

import (
	"fmt"
	"slices"
	"testing"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Runs of a scenario that marks writes can be compared and gated on their
// duplicate writes and open inconsistencies; other runs have no such metric.
func TestStateMetricsOnlyWhereWritesAreMarked(t *testing.T) {
	const src = `
[client.users]
target = "db"
rate = 10
%s
[database.db]
connections = 1
query_time = "1ms"
`
	names := func(ms []results.Metric) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	for _, tt := range []struct {
		write string
		want  bool
	}{{"", false}, {`write = "non_idempotent"`, true}} {
		sc, err := scenariofile.Parse("s.toml", []byte(fmt.Sprintf(src, tt.write)), "")
		if err != nil {
			t.Fatal(err)
		}
		got := names(metricsOfScenarios([]*topology.Scenario{sc}))
		if slices.Contains(got, "duplicate_writes") != tt.want || slices.Contains(got, "inconsistent_open") != tt.want {
			t.Errorf("write %q: metrics %q", tt.write, got)
		}
		if err := results.CheckMetric(metricsOfScenarios([]*topology.Scenario{sc}), "duplicate_writes"); (err == nil) != tt.want {
			t.Errorf("write %q: --fail-if on duplicate_writes: %v", tt.write, err)
		}
	}
}
