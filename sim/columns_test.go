package sim_test

import (
	"context"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Every metric of timeseries.csv that a shipped scenario or variant has is
// documented in docs/metrics.md (with a ".TARGET" or ".NAME" suffix written
// as such): adding a column means documenting it. Columns are fixed when a
// run starts, so a second of each run is enough to see them all.
func TestEveryColumnIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z0-9_]+)(\\.[A-Z]+)?`").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	missing := map[string]string{}
	for _, file := range shippedFiles(t) {
		base, err := scenariofile.Load(file, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range append([]string{""}, base.Variants...) {
			sc, err := scenariofile.Load(file, v)
			if err != nil {
				t.Fatal(err)
			}
			sc.Duration = time.Second
			r, err := sim.Run(context.Background(), sc, sim.Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range r.Series.Keys {
				name, _, _ := strings.Cut(k.Metric, ".")
				if !documented[name] {
					missing[k.Metric] = file + " " + v
				}
			}
		}
	}
	for _, metric := range slices.Sorted(maps.Keys(missing)) {
		t.Errorf("docs/metrics.md does not document %q (a column of %s)", metric, missing[metric])
	}
}
