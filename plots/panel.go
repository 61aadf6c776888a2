package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/failsim/failsim/sim/results"
)

// panel is one plot of a figure. Its legend is kept apart from the gonum
// plot so that the figure can draw it beside the data instead of over it.
type panel struct {
	*plot.Plot
	legend plot.Legend
	header *header
	faults *faultWindows
	log    bool
	lo, hi float64 // range of the values drawn; lo counts for log axes only
}

// newPanel returns a panel over [0, endS] seconds with the fault windows
// shaded and labelled. log makes the y axis logarithmic (latencies): values
// are drawn as their log10 on a linear axis whose ticks undo it, because
// gonum centres an axis label at the arithmetic middle of a log axis.
func newPanel(title, ylabel string, faults []results.Fault, endS float64, log bool) *panel {
	p := &panel{Plot: plot.New(), legend: plot.NewLegend(), log: log, lo: math.Inf(1), hi: math.Inf(-1)}
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Padding = 0
		a.Color, a.Tick.Color = grey, grey
		a.Label.TextStyle = textStyle(sans, 12, black)
		a.Label.TextStyle.XAlign, a.Label.TextStyle.YAlign = draw.XCenter, draw.YBottom
		a.Label.Padding = px(4)
		tick := textStyle(sans, 11, black)
		tick.XAlign, tick.YAlign = a.Tick.Label.XAlign, a.Tick.Label.YAlign
		a.Tick.Label = tick
		a.Tick.Length = px(5)
	}
	p.X.Label.Text = "time (s)"
	p.X.Min, p.X.Max = 0, endS
	p.X.Tick.Marker = timeTicks{}
	p.Y.Label.Text = ylabel
	p.Y.Tick.Marker = linearTicks{n: 5}
	if log {
		p.Y.Tick.Marker = latencyTicks{}
	}
	p.legend.TextStyle = textStyle(sans, 11, black)
	p.legend.Top, p.legend.Left = true, true
	p.legend.Padding = px(5)
	p.legend.ThumbnailWidth = px(28)
	p.faults = newFaultWindows(faults)
	p.header = &header{title: title}
	p.Add(p.header, p.faults, grid{})
	return p
}

var titleStyle = func() text.Style {
	s := textStyle(sansBold, 13, black)
	s.XAlign, s.YAlign = draw.XLeft, draw.YTop
	return s
}()

// header draws a panel's title flush with the left edge of its data, above
// the fault labels. Its glyph box makes gonum leave room for both (gonum's
// own title is centred).
type header struct {
	title string
	lanes int // rows of fault labels, set when the figure is laid out
}

func (h *header) height() vg.Length {
	return titleStyle.Height(h.title) + px(6) + vg.Length(h.lanes)*laneHeight
}

func (h *header) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	return []plot.GlyphBox{{Y: 1, Rectangle: vg.Rectangle{Max: vg.Point{Y: h.height()}}}}
}

func (h *header) Plot(c draw.Canvas, _ *plot.Plot) {
	c.FillText(titleStyle, vg.Point{X: c.Min.X, Y: c.Max.Y + h.height()}, h.title)
}

// line draws y against x, broken where a value is missing (or not positive
// on a log axis), and adds it to the legend unless it has no value at all.
func (p *panel) line(label string, x, y []float64, sty draw.LineStyle) {
	drawn := false
	var seg plotter.XYs
	flush := func() {
		switch len(seg) {
		case 0:
		case 1: // a lone value between gaps: a dot, or it would not show
			s, _ := plotter.NewScatter(seg)
			s.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: sty.Width, Shape: draw.CircleGlyph{}}
			p.Add(bare{s})
		default:
			l, _ := plotter.NewLine(seg)
			l.LineStyle = sty
			p.Add(bare{l})
		}
		seg = nil
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) || (p.log && v <= 0) {
			flush()
			continue
		}
		y := v
		if p.log {
			y = math.Log10(v)
		}
		seg = append(seg, plotter.XY{X: x[i], Y: y})
		p.lo, p.hi = math.Min(p.lo, v), math.Max(p.hi, v)
		drawn = true
	}
	flush()
	if drawn {
		p.legend.Add(label, &plotter.Line{LineStyle: sty})
	}
}

// bare hides a plotter's glyph boxes and data range: the panel sets its
// ranges itself, and gonum would pad the data area by half a line's width
// around the axes.
type bare struct{ plot.Plotter }

// rule draws a horizontal reference line across the panel.
func (p *panel) rule(label string, y float64, sty draw.LineStyle) {
	l, _ := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: y}, {X: p.X.Max, Y: y}})
	l.LineStyle = sty
	p.Add(bare{l})
	p.legend.Add(label, &plotter.Line{LineStyle: sty})
	p.hi = math.Max(p.hi, y)
}

// note adds a legend entry without a line.
func (p *panel) note(text string) { p.legend.Add(text) }

// empty reports whether nothing was drawn.
func (p *panel) empty() bool { return math.IsInf(p.hi, -1) }

// fitY sets the y range to the values drawn: from zero, or on a log axis
// between the decades around them, so that both ends are labelled.
func (p *panel) fitY() {
	switch {
	case p.empty():
		p.Y.Min, p.Y.Max = 0, 1
		if p.log {
			p.Y.Min, p.Y.Max = -3, 0
		}
	case p.log:
		p.Y.Min, p.Y.Max = math.Floor(math.Log10(p.lo/1.2)), math.Ceil(math.Log10(p.hi*1.2))
	default:
		p.Y.Min, p.Y.Max = 0, p.hi*1.05
		if p.hi <= 0 {
			p.Y.Max = 1
		}
	}
}

// shareTimeAxis hides the time labels of every panel but the last, for
// figures whose panels are stacked on one time axis.
func shareTimeAxis(ps []*panel) {
	for _, p := range ps[:len(ps)-1] {
		p.X.Tick.Marker = timeTicks{hide: true}
		p.X.Label.Text = ""
	}
}

// lineStyle is a solid or dashed line of a width in pixels.
func lineStyle(c color.Color, width float64, dashes []vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: px(width), Dashes: dashes}
}
