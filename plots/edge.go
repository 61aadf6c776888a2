package plots

import (
	"strconv"
	"strings"

	"github.com/failsim/failsim/sim/results"
)

// Edge draws an edge search: at each value probed, the share of seeds that
// recovered (Wilson interval) and their goodput, with the 50% line the
// search bisects on.
func Edge(e *results.Edge) *Figure {
	if len(e.Probes) == 0 {
		return nil
	}
	name := e.Key
	if _, err := strconv.ParseFloat(e.Probes[0].Value, 64); err != nil {
		name += " (s)" // durations are drawn in seconds
	}
	a := xAxis{name: name, numeric: true}
	rec := results.MetricResult{Metric: results.RecoveredMetric()}
	good := results.MetricResult{Metric: results.GoodputMetric()}
	for _, p := range e.Probes {
		a.pos = append(a.pos, p.X)
		a.labels = append(a.labels, p.Value)
		rec.Estimates = append(rec.Estimates, &p.Recovered)
		good.Estimates = append(good.Estimates, &p.Goodput)
	}
	var ps []*panel
	for _, m := range []*results.MetricResult{&rec, &good} {
		p, sc := estimatePanel(m.Label()+" at each value probed", m, a, false)
		p.X.Tick.Marker = linearTicks{n: 6} // bisected values crowd together
		p.series("mean over "+seedsText(e.Seeds), 0, 1, a, m.Estimates, sc, 0)
		if m == &rec {
			p.rule("half the seeds: the edge", 50, lineStyle(grey, 1.5, dash(2)))
		}
		ps = append(ps, p)
	}
	heading := []string{"Edge of recovery: " + e.Verdict}
	if len(e.Settings) > 0 {
		heading = append(heading, "with "+strings.Join(e.Settings, ", "))
	}
	return estimateFigure("edge", "Where the system stops recovering", aboutEdge, heading, ps)
}

const aboutEdge = "The share of seeds whose goodput came back after the faults (with its 95% Wilson interval) at each value probed, and their mean goodput: the edge lies where the share crosses one half."
