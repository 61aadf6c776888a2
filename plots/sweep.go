package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/failsim/failsim/sim/results"
)

// Sweep draws a sweep's outcomes against its swept settings: the first
// swept setting along x, one line per combination of the others (dots with
// whiskers when the setting's values are not numbers), each mean over the
// seeds with its 95% interval shaded. Figures:
//
//   - sweep-outcomes: success rate, goodput, p99 latency, seeds that
//     recovered, wasted work;
//   - sweep-amplification: peak amplification at each tier;
//   - sweep-heatmap, with exactly two swept settings: the key outcomes over
//     both, one cell per grid point.
//
// A sweep without a swept setting (every --set has one value) has nothing
// to draw against.
func Sweep(sw *results.SweepResult) []*Figure {
	dims := results.Dimensions(sw.Axes)
	if len(dims) == 0 {
		return nil
	}
	names := results.AxisNames(sw.Axes)
	xd := dims[0]
	a := valuesAxis(sw.Axes[xd].Key, sw.Axes[xd].Values)

	// A line per combination of the other swept settings, in grid order:
	// at[j] is its point at the j-th x value.
	type line struct {
		label string
		at    []int
	}
	var lines []line
	index := map[string]int{}
	for p, pt := range sw.Points {
		var parts []string
		for _, d := range dims[1:] {
			parts = append(parts, names[d]+"="+valueLabel(pt.Values[d]))
		}
		key := strings.Join(parts, " ")
		li, ok := index[key]
		if !ok {
			li = len(lines)
			index[key] = li
			at := make([]int, len(a.pos))
			for j := range at {
				at[j] = -1
			}
			lines = append(lines, line{label: key, at: at})
		}
		lines[li].at[slices.Index(sw.Axes[xd].Values, pt.Values[xd])] = p
	}
	plotMetric := func(m *results.MetricResult, title string) *panel {
		p, sc := estimatePanel(title, m, a, spansDecades(m))
		for li, l := range lines {
			es := make([]*results.Estimate, len(l.at))
			for j, pi := range l.at {
				if pi >= 0 {
					es[j] = m.Estimates[pi]
				}
			}
			label := l.label
			if label == "" {
				label = "mean over " + seedsText(sw.Seeds)
			}
			dodge := 0.0
			if !a.numeric {
				w := min(0.12, 0.6/float64(len(lines)))
				dodge = (float64(li) - float64(len(lines)-1)/2) * w
			}
			p.series(label, li, len(lines), a, es, sc, dodge)
		}
		return p
	}

	heading := []string{fmt.Sprintf("Sweep of %s: %d points × %s", sweepName(sw), len(sw.Points), seedsText(sw.Seeds))}
	if fixed := fixedSettings(sw.Axes); fixed != "" {
		heading = append(heading, "with "+fixed)
	}
	var figs []*Figure
	var ps []*panel
	for _, name := range keyMetrics {
		if m := findMetric(sw.Metrics, name); m != nil {
			ps = append(ps, plotMetric(m, m.Label()+" against "+names[xd]))
		}
	}
	figs = append(figs, estimateFigure("sweep-outcomes", "Outcomes against the swept settings", aboutSweepOutcomes, heading, ps))
	ps = nil
	for i := range sw.Metrics {
		if m := &sw.Metrics[i]; strings.HasPrefix(m.Name, "peak_amplification.") {
			ps = append(ps, plotMetric(m, m.Label()+" against "+names[xd]))
		}
	}
	if len(ps) > 0 {
		figs = append(figs, estimateFigure("sweep-amplification", "Peak amplification per tier against the swept settings", aboutSweepAmplification, heading, ps))
	}
	if len(dims) == 2 {
		figs = append(figs, heatmap(sw, dims, heading))
	}
	return figs
}

const (
	aboutSweepOutcomes      = "Each point is the mean over the seeds, the shaded band (or whiskers) its 95% confidence interval; one line per combination of the other swept settings."
	aboutSweepAmplification = "The largest arrivals per logical request in any bucket, at each tier: a retry spiral shows as the number of attempts. Means over the seeds with 95% intervals."
	aboutSweepHeatmap       = "One cell per grid point: the mean over the seeds and the half-width of its 95% interval, coloured from worst (red) to best (green) of the grid."
)

func sweepName(sw *results.SweepResult) string {
	if sw.Variant != "" {
		return sw.Scenario + "/" + sw.Variant
	}
	return sw.Scenario
}

// fixedSettings lists the --set with one value.
func fixedSettings(axes []results.Axis) string {
	var parts []string
	for _, a := range axes {
		if len(a.Values) == 1 && a.Values[0] != results.Keep {
			parts = append(parts, a.Key+"="+a.Values[0])
		}
	}
	return strings.Join(parts, ", ")
}

// heatmap draws the key outcomes over two swept settings.
func heatmap(sw *results.SweepResult, dims []int, heading []string) *Figure {
	ax, ay := sw.Axes[dims[0]], sw.Axes[dims[1]]
	at := map[[2]string]int{}
	for p, pt := range sw.Points {
		at[[2]string{pt.Values[dims[0]], pt.Values[dims[1]]}] = p
	}
	var ps []*panel
	for _, name := range keyMetrics {
		m := findMetric(sw.Metrics, name)
		if m == nil {
			continue
		}
		sc := m.Scale()
		p := newPanel(m.Label()+fmt.Sprintf(" (%s) by %s and %s", sc.Unit, ax.Key, ay.Key), ay.Key, nil, 1, false)
		categoryAxis(ax.Key, ax.Values).apply(p)
		p.Y.Tick.Marker = categoryAxis(ay.Key, ay.Values).ticks()
		p.Y.Min, p.Y.Max = -0.5, float64(len(ay.Values))-0.5
		h := heat{cols: len(ax.Values), rows: len(ay.Values), lower: m.Better == "lower"}
		h.lo, h.hi = math.Inf(1), math.Inf(-1)
		for _, vy := range ay.Values {
			for _, vx := range ax.Values {
				e := m.Estimates[at[[2]string{vx, vy}]]
				cell := heatCell{value: math.NaN(), text: sc.Estimate(e)}
				if e != nil {
					cell.value = e.Center()
					h.lo, h.hi = math.Min(h.lo, e.Center()), math.Max(h.hi, e.Center())
				}
				h.cells = append(h.cells, cell)
			}
		}
		p.Add(h)
		ps = append(ps, p)
	}
	return &Figure{Name: "sweep-heatmap", Title: "Key outcomes over both swept settings", About: aboutSweepHeatmap,
		heading: heading, panels: ps, width: figureWidth, height: 170 + 70*float64(len(ay.Values)+3)*float64(len(ps))}
}

func (a xAxis) ticks() valueTicks { return valueTicks{pos: a.pos, labels: a.labels} }

// heat draws a grid of cells, row by row from the bottom, each coloured by
// its value from the worst (red) to the best (green) in the grid and
// labelled with its text.
type heat struct {
	cols, rows int
	cells      []heatCell
	lo, hi     float64
	lower      bool // lower values are better
}

type heatCell struct {
	value float64
	text  string
}

var heatStops = [3]color.NRGBA{{0xd7, 0x30, 0x27, 0xff}, {0xff, 0xff, 0xbf, 0xff}, {0x1a, 0x98, 0x50, 0xff}}

func (h heat) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	sty := textStyle(sans, 13, black)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	for i, cell := range h.cells {
		col, row := float64(i%h.cols), float64(i/h.cols)
		x0, x1, y0, y1 := trX(col-0.5), trX(col+0.5), trY(row-0.5), trY(row+0.5)
		t := 0.5
		if h.hi > h.lo {
			t = (cell.value - h.lo) / (h.hi - h.lo)
		}
		if h.lower {
			t = 1 - t
		}
		fill := color.Color(gridColor)
		if !math.IsNaN(cell.value) {
			fill = ramp(t)
		}
		gap := px(1.5)
		c.FillPolygon(fill, []vg.Point{{X: x0 + gap, Y: y0 + gap}, {X: x1 - gap, Y: y0 + gap}, {X: x1 - gap, Y: y1 - gap}, {X: x0 + gap, Y: y1 - gap}})
		sty.Color = black
		if !math.IsNaN(cell.value) && math.Abs(t-0.5) > 0.38 {
			sty.Color = color.White
		}
		c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, cell.text)
	}
}

// ramp interpolates the three heat colours: 0 red, ½ pale yellow, 1 green.
func ramp(t float64) color.Color {
	t = math.Max(0, math.Min(1, t))
	a, b := heatStops[0], heatStops[1]
	if t > 0.5 {
		a, b, t = heatStops[1], heatStops[2], t-0.5
	}
	t *= 2
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.NRGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}
