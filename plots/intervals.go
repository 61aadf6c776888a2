package plots

import (
	"fmt"
	"slices"
	"strings"

	"github.com/failsim/failsim/sim/results"
)

// CompareIntervals draws the key outcomes of a comparison, one panel each:
// every side's mean over the seeds with its 95% interval. Where two sides'
// whiskers overlap their difference may still be significant: the seeds
// are paired, and compare.json and the table judge the paired difference.
func CompareIntervals(r *results.CompareResult) *Figure {
	labels := make([]string, len(r.Sides))
	for i, s := range r.Sides {
		labels[i] = s.Label
	}
	a := categoryAxis("", labels)
	var ps []*panel
	for _, name := range keyMetrics {
		m := findMetric(r.Metrics, name)
		if m == nil {
			continue
		}
		p, sc := estimatePanel(m.Label()+": mean and 95% interval per side", m, a, spansDecades(m))
		for i, e := range m.Estimates {
			es := make([]*results.Estimate, len(m.Estimates))
			es[i] = e
			p.series("", i, len(m.Estimates), a, es, sc, 0) // the x axis names the sides
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil
	}
	title := "Comparison: "
	if same := r.Sides[0].Scenario; !slices.ContainsFunc(r.Sides, func(s results.SideResult) bool { return s.Scenario != same }) {
		title = "Comparison of " + same + ": "
	}
	heading := []string{title + strings.Join(labels, " vs ") + ", " + seedsText(r.Seeds)}
	return estimateFigure("compare-intervals", "Key outcomes per side, with 95% intervals", aboutCompareIntervals, heading, ps)
}

const aboutCompareIntervals = "Each side's mean over the seeds, with its 95% confidence interval (seeds that recovered: Wilson interval). The seeds are shared, so a difference can be significant even where whiskers overlap: the table's paired differences decide."

// seedsText says which seeds: "10 seeds (1-10)".
func seedsText(seeds []uint64) string {
	switch len(seeds) {
	case 0:
		return "no seeds"
	case 1:
		return fmt.Sprintf("1 seed (%d)", seeds[0])
	}
	return fmt.Sprintf("%d seeds (%d-%d)", len(seeds), seeds[0], seeds[len(seeds)-1])
}
