package plots

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// Experiments plot estimates, a mean over seeds with its 95% interval,
// against sides or settings instead of time. Their panels reuse the time
// panels' styles with the x axis replaced.

// xAxis places values along x: at their numbers when every value is a
// number or a duration (seconds), else as categories 0, 1, 2...
type xAxis struct {
	name    string
	pos     []float64
	labels  []string
	numeric bool
}

func valuesAxis(name string, values []string) xAxis {
	a := xAxis{name: name, labels: valueLabels(values), numeric: true}
	for i, v := range values {
		x, ok := human.Numeric(v)
		if !ok {
			a.numeric = false
			break
		}
		a.pos = append(a.pos, x)
		if i > 0 && x <= a.pos[i-1] { // unsorted: a line through them would zigzag
			a.numeric = false
			break
		}
	}
	if !a.numeric {
		a.pos = a.pos[:0]
		for i := range values {
			a.pos = append(a.pos, float64(i))
		}
	}
	return a
}

func categoryAxis(name string, labels []string) xAxis {
	a := xAxis{name: name, labels: valueLabels(labels)}
	for i := range labels {
		a.pos = append(a.pos, float64(i))
	}
	return a
}

func valueLabels(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = valueLabel(v)
	}
	return out
}

// valueLabel spells out the value that leaves a key as the file has it.
func valueLabel(v string) string {
	if v == results.Keep {
		return "- (as in the file)"
	}
	return v
}

// apply puts the axis on a panel: ticks at the values, labelled as the user
// wrote them (linear ticks when there are too many to label).
func (a xAxis) apply(p *panel) {
	p.X.Label.Text = a.name
	lo, hi := slices.Min(a.pos), slices.Max(a.pos)
	switch {
	case !a.numeric:
		lo, hi = lo-0.5, hi+0.5
	case hi == lo:
		lo, hi = lo-0.5, hi+0.5
	default:
		pad := (hi - lo) * 0.06
		lo, hi = lo-pad, hi+pad
	}
	p.X.Min, p.X.Max = lo, hi
	p.X.Tick.Marker = valueTicks{pos: a.pos, labels: a.labels}
	if len(a.pos) > 12 {
		p.X.Tick.Marker = linearTicks{n: 6}
	}
}

// valueTicks labels given positions.
type valueTicks struct {
	pos    []float64
	labels []string
}

func (t valueTicks) majors(min, max float64) []float64 { return t.pos }

func (t valueTicks) Ticks(min, max float64) []plot.Tick {
	ticks := make([]plot.Tick, len(t.pos))
	for i, x := range t.pos {
		ticks[i] = plot.Tick{Value: x, Label: t.labels[i]}
	}
	return ticks
}

// estimatePanel is a panel of one metric's estimates: y in the metric's
// scale (percent, ms...), on a log axis for latencies that span decades.
func estimatePanel(title string, m *results.MetricResult, a xAxis, log bool) (*panel, results.Scale) {
	sc := m.Scale()
	ylabel := m.Label()
	if sc.Unit != "" {
		ylabel += " (" + sc.Unit + ")"
	}
	if sc.Unit == "seeds" {
		ylabel = "seeds that recovered (%)"
	}
	p := newPanel(title, ylabel, nil, 1, log)
	a.apply(p)
	return p, sc
}

// spansDecades reports whether a latency metric's means differ by more than
// a factor of 20: then a log axis shows them all.
func spansDecades(m *results.MetricResult) bool {
	if m.Unit != "s" {
		return false
	}
	lo, hi := math.Inf(1), 0.0
	for _, e := range m.Estimates {
		if e != nil && e.Center() > 0 {
			lo, hi = min(lo, e.Center()), max(hi, e.Center())
		}
	}
	return hi > 20*lo
}

// series draws estimates against x in colour i of n: for numeric x, a line
// through the estimates (means, or medians) in a shaded band of the intervals; for categories,
// each estimate as a dot with whiskers, shifted by dodge so that series at one
// category stay apart (and named in the legend unless label is "").
// The earlier series are drawn wider, so that where they agree every one
// still shows.
func (p *panel) series(label string, i, n int, a xAxis, es []*results.Estimate, sc results.Scale, dodge float64) {
	xs := make([]float64, len(es))
	mid, lo, hi := nans(len(es)), nans(len(es)), nans(len(es))
	for j, e := range es {
		xs[j] = a.pos[j] + dodge
		if e == nil {
			continue
		}
		mid[j] = sc.Value(e.Center())
		if e.Lo != nil {
			lo[j], hi[j] = sc.Value(*e.Lo), sc.Value(*e.Hi)
		}
	}
	col := paletteColor(i)
	for _, v := range mid {
		p.extend(v)
	}
	if a.numeric {
		p.band(xs, lo, hi, col)
		p.line(label, xs, mid, lineStyle(col, 1.8+3*float64(n-1-i)/float64(max(n-1, 1)), nil))
	} else if p.whiskers(xs, mid, lo, hi, col) && label != "" {
		p.legend.Add(label, dot(col))
	}
	p.Add(dots{xs: xs, ys: p.ys(mid), color: col})
}

// ys converts values for the y axis: log10 on a log panel, where values
// that are not positive are missing.
func (p *panel) ys(vs []float64) []float64 {
	out := slices.Clone(vs)
	for i, v := range out {
		switch {
		case !p.log:
		case v > 0:
			out[i] = math.Log10(v)
		default:
			out[i] = math.NaN()
		}
	}
	return out
}

// extend makes the y range take in a value.
func (p *panel) extend(v float64) {
	if !math.IsNaN(v) && (!p.log || v > 0) {
		p.lo, p.hi = math.Min(p.lo, v), math.Max(p.hi, v)
	}
}

// band shades the intervals between lo and hi, broken where there is none.
// On a log axis an interval reaching below zero is cut at the lowest mean
// drawn, the bottom of the axis.
func (p *panel) band(xs, lo, hi []float64, col color.Color) {
	fill := translucent(col, 56)
	var seg band
	flush := func() {
		if len(seg.xs) > 1 {
			seg.lo, seg.hi = p.ys(seg.lo), p.ys(seg.hi)
			p.Add(seg)
		}
		seg = band{fill: fill}
	}
	flush()
	for j := range xs {
		if math.IsNaN(lo[j]) {
			flush()
			continue
		}
		l := lo[j]
		if p.log && l <= 0 {
			l = math.Min(hi[j], p.lo)
		}
		p.extend(l)
		p.extend(hi[j])
		seg.xs, seg.lo, seg.hi = append(seg.xs, xs[j]), append(seg.lo, l), append(seg.hi, hi[j])
	}
	flush()
}

// whiskers draws each interval as a vertical line with caps; false when
// nothing was drawn.
func (p *panel) whiskers(xs, mid, lo, hi []float64, col color.Color) bool {
	drawn := false
	for j := range xs {
		p.extend(lo[j])
		p.extend(hi[j])
		drawn = drawn || !math.IsNaN(mid[j])
	}
	p.Add(whisker{xs: xs, lo: p.ys(lo), hi: p.ys(hi), color: col})
	return drawn
}

type band struct {
	xs, lo, hi []float64
	fill       color.Color
}

func (b band) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	pts := make([]vg.Point, 0, 2*len(b.xs))
	for i := range b.xs {
		pts = append(pts, vg.Point{X: trX(b.xs[i]), Y: trY(b.hi[i])})
	}
	for i := len(b.xs) - 1; i >= 0; i-- {
		pts = append(pts, vg.Point{X: trX(b.xs[i]), Y: trY(b.lo[i])})
	}
	c.FillPolygon(b.fill, c.ClipPolygonXY(pts))
}

type whisker struct {
	xs, lo, hi []float64
	color      color.Color
}

func (w whisker) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	sty := lineStyle(w.color, 2, nil)
	capW := px(6)
	for i, x := range w.xs {
		if math.IsNaN(w.lo[i]) || math.IsNaN(w.hi[i]) {
			continue
		}
		x, y0, y1 := trX(x), trY(w.lo[i]), trY(w.hi[i])
		c.StrokeLine2(sty, x, y0, x, y1)
		c.StrokeLine2(sty, x-capW, y0, x+capW, y0)
		c.StrokeLine2(sty, x-capW, y1, x+capW, y1)
	}
}

// dots marks the means, so that a lone point between gaps shows.
type dots struct {
	xs, ys []float64
	color  color.Color
}

func (d dots) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, x := range d.xs {
		if !math.IsNaN(d.ys[i]) {
			c.DrawGlyph(dot(d.color).GlyphStyle, vg.Point{X: trX(x), Y: trY(d.ys[i])})
		}
	}
}

// glyph is a legend thumbnail of a dot.
type glyph struct{ draw.GlyphStyle }

func (g glyph) Thumbnail(c *draw.Canvas) { c.DrawGlyph(g.GlyphStyle, c.Center()) }

func dot(col color.Color) glyph {
	return glyph{draw.GlyphStyle{Color: col, Radius: px(4.5), Shape: draw.CircleGlyph{}}}
}

func translucent(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}

// findMetric returns the named metric of results, or nil.
func findMetric(ms []results.MetricResult, name string) *results.MetricResult {
	for i := range ms {
		if ms[i].Name == name {
			return &ms[i]
		}
	}
	return nil
}

// keyMetrics are the outcomes experiment figures show, when the runs have
// them.
var keyMetrics = []string{"success_rate", "goodput", "p99", "recovered", "wasted_work"}

// estimateFigure stacks panels, each with its own x axis.
func estimateFigure(name, title, about string, heading []string, ps []*panel) *Figure {
	for _, p := range ps {
		p.fitY()
	}
	return &Figure{Name: name, Title: title, About: about, heading: heading, panels: ps,
		width: figureWidth, height: 170 + 290*float64(len(ps))}
}
