package plots

import (
	"fmt"
	"slices"
	"strings"

	"github.com/failsim/failsim/sim/results"
)

// Labeled is one run of a comparison and the name its lines carry.
type Labeled struct {
	Label string
	Run   *results.Run
}

// Labels names runs for a legend: "scenario/variant" (RunLabel), unless two
// runs would share a name (two seeds of one variant, one run twice): then
// every run is named by its directory.
func Labels(runs []*results.Run, dirs []string) []string {
	labels := make([]string, len(runs))
	for i, r := range runs {
		labels[i] = RunLabel(r)
	}
	sorted := slices.Sorted(slices.Values(labels))
	if len(slices.Compact(sorted)) < len(labels) {
		copy(labels, dirs)
	}
	return labels
}

// Compare overlays the key metrics of several runs, one line per run: client
// p99 latency, goodput, amplification at each tier that every run has, and
// wasted work. Fault windows of every run are shaded, and each run's
// interventions are marked in its colour. Figures whose metric no run has
// are left out.
func Compare(runs []Labeled) []*Figure {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Label
	}
	return compare(runs, []string{"Comparison: " + strings.Join(names, " vs ")})
}

// CompareMeans is Compare for the sides of a comparison over seeds, each
// run the mean of its side's seeds bucket by bucket
// (results.CompareResult.MeanRuns).
func CompareMeans(runs []Labeled, seeds int) []*Figure {
	scenario := runs[0].Run.Summary.Scenario
	for _, r := range runs {
		if r.Run.Summary.Scenario != scenario {
			scenario = ""
		}
	}
	heading := fmt.Sprintf("Comparison of %d sides", len(runs))
	if scenario != "" {
		heading = fmt.Sprintf("Comparison of %s: %d sides", scenario, len(runs))
	}
	return compare(runs, []string{heading, fmt.Sprintf("each line is a side's mean over its %d seeds, bucket by bucket", seeds)})
}

func compare(runs []Labeled, heading []string) []*Figure {
	views := make([]*view, len(runs))
	var endS float64
	var all []*results.Run
	for i, r := range runs {
		views[i] = newView(r.Run)
		endS = max(endS, r.Run.Summary.SimSeconds)
		all = append(all, r.Run)
	}
	c := &comparison{runs: runs, views: views, faults: unionFaults(all), endS: endS, heading: heading}

	var figs []*Figure
	single := func(name, title, about string, p *panel) {
		if p != nil {
			figs = append(figs, newFigure(name, title, about, c.heading, figureWidth, figureHeight, p))
		}
	}
	single("compare-latency", "Client p99 latency, per run", aboutCompareLatency, c.latency())
	single("compare-goodput", "Goodput, per run", aboutCompareGoodput, c.goodput())
	if ps := c.amplification(); len(ps) > 0 {
		figs = append(figs, newFigure("compare-amplification", "Amplification at each tier, per run", aboutCompareAmplification,
			c.heading, figureWidth, 200+300*float64(len(ps)), ps...))
	}
	single("compare-wasted-work", "Wasted work, per run", aboutCompareWasted, c.wasted())
	return figs
}

const (
	aboutCompareLatency       = "The p99 latency clients saw in each bucket, one line per run, on a log scale."
	aboutCompareGoodput       = "Logical requests that succeeded per second, one line per run."
	aboutCompareAmplification = "Arrivals per logical request at each tier every run has, one line per run."
	aboutCompareWasted        = "Service time spent for callers that had already given up, all tiers together, per second."
)

type comparison struct {
	runs    []Labeled
	views   []*view
	faults  []results.Fault
	endS    float64
	heading []string
}

func (c *comparison) panel(title, ylabel string, log bool) *panel {
	p := newPanel(title, ylabel, c.faults, c.endS, log)
	row := 0
	for i, r := range c.runs {
		if ivs := r.Run.Summary.Interventions; len(ivs) > 0 {
			p.Add(interventionMarks{ivs: ivs, color: paletteColor(i), row: row})
			row += len(ivs)
		}
	}
	return p
}

// line draws run i's line in its colour, the earlier runs wider, so that
// where runs agree (before a fault, say) every one still shows. variant
// dashes the lines of one run apart (its clients).
func (c *comparison) line(p *panel, i, variant int, x, y []float64, label string) {
	n := float64(len(c.runs))
	col, d := seriesStyle(i, variant)
	p.line(label, x, y, lineStyle(col, 1.8+3*(n-1-float64(i))/max(n-1, 1), d))
}

func (c *comparison) latency() *panel {
	p := c.panel("Client p99 latency of logical requests finished per bucket", "p99 latency (log scale)", true)
	for i, v := range c.views {
		for ci, client := range v.clients {
			label := c.runs[i].Label
			if len(v.clients) > 1 {
				label += ": " + client
			}
			if y := v.ser.Get(client, "latency_p99_s"); y != nil {
				c.line(p, i, ci, v.x, y, label)
			}
		}
	}
	return nonEmpty(p)
}

func (c *comparison) goodput() *panel {
	p := c.panel("Goodput: logical requests succeeded per second", "requests per second", false)
	for i, v := range c.views {
		c.line(p, i, 0, v.x, sum(v.ser, v.clients, "goodput_rps"), c.runs[i].Label)
	}
	return nonEmpty(p)
}

// amplification returns a panel per tier present in every run, in the
// first run's topology order.
func (c *comparison) amplification() []*panel {
	var ps []*panel
	for _, t := range c.views[0].tiers {
		p := c.panel("Amplification at "+t.Label()+": arrivals per logical request", "arrivals per logical request", false)
		for i, v := range c.views {
			j := slices.IndexFunc(v.tiers, func(u tier) bool { return u.Name == t.Name })
			if j < 0 {
				p = nil
				break
			}
			amp := ratio(sum(v.ser, v.tiers[j].Members, "arrivals"), sum(v.ser, v.clients, "logical_requests"))
			c.line(p, i, 0, v.x, amp, c.runs[i].Label)
		}
		if p != nil && !p.empty() {
			ps = append(ps, p)
		}
	}
	return ps
}

func (c *comparison) wasted() *panel {
	p := c.panel("Wasted work: service time spent for callers that had already given up, all tiers", "seconds of work per second", false)
	for i, v := range c.views {
		var members []string
		for _, t := range v.tiers {
			if t.Works() {
				members = append(members, t.Members...)
			}
		}
		c.line(p, i, 0, v.x, perSecond(v.ser, sum(v.ser, members, "wasted_work_s")), c.runs[i].Label)
	}
	return nonEmpty(p)
}
