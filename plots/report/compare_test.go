package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/plots/report"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/topology/scenariofile"
)

func TestComparePageIsSelfContained(t *testing.T) {
	slow(t)
	sides, err := experiment.VariantSides(mustConfig(t, "../../scenarios/retry-storm.toml", scenariofile.Setting{Key: "duration", Value: "100s"}), []string{"base", "retry-budget", "load-shedding"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := experiment.NewComparison(sides, []uint64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Run(context.Background(), experiment.Sequential, nil)
	if err != nil {
		t.Fatal(err)
	}
	figs := []*plots.Figure{plots.CompareIntervals(r)}
	files, err := plots.Files(figs)
	if err != nil {
		t.Fatal(err)
	}
	html, err := report.CompareHTML(r, figs, files)
	if err != nil {
		t.Fatal(err)
	}
	if imgs, links := selfContained(t, html); imgs != 1 || links != 5 {
		t.Errorf("%d images and %d links, want 1 figure and 5 contents links", imgs, links)
	}
	page := string(html)
	for _, want := range []string{"<title>Comparison: base vs retry-budget vs load-shedding: failsim comparison</title>",
		"<h3>Latency of logical requests</h3>", "<th>p99 (s)</th>", "<b>load-shedding</b>: better on success", `<td class="better">`,
		"<small>Δ ", "<th>mean rank</th>",
		"duration=100s", "2 seeds (1-2)", "from 6 runs"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
