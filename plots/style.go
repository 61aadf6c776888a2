package plots

import (
	"image/color"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/failsim/failsim/topology/human"
)

// dpi is the PNG resolution; sizes are given in pixels at this resolution.
const dpi = 96

// px converts pixels to a vg length.
func px(n float64) vg.Length { return vg.Length(n) * vg.Inch / dpi }

// Liberation Sans is embedded in gonum/plot and metric-compatible with
// Arial, the fallback SVG viewers use, so labels fit in both formats.
var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

func textStyle(f font.Font, size vg.Length, c color.Color) text.Style {
	return text.Style{Color: c, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
}

func rgb(hex uint32) color.Color {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 255}
}

// palette is Tableau 10: distinct hues that survive projectors and print.
var palette = []color.Color{
	rgb(0x4e79a7), rgb(0xf28e2b), rgb(0x59a14f), rgb(0xe15759), rgb(0xb07aa1),
	rgb(0x9c755f), rgb(0x76b7b2), rgb(0xedc948), rgb(0xff9da7), rgb(0xbab0ac),
}

func paletteColor(i int) color.Color { return palette[i%len(palette)] }

// seriesStyle is series i's colour and dash: the palette's colours, then
// again dashed, so that twelve series (a comparison of every variant)
// stay apart. variant dashes further the lines of one series (its
// clients).
func seriesStyle(i, variant int) (color.Color, []vg.Length) {
	return paletteColor(i), dash(i/len(palette) + variant)
}

var (
	black     = rgb(0x222222)
	grey      = rgb(0x666666)
	gridColor = rgb(0xdddddd)
	// faultFill is translucent so the lines inside a fault window stay sharp.
	faultFill = color.NRGBA{R: 225, G: 87, B: 89, A: 36}
	faultText = rgb(0xa52a2a)
)

// dashes for the second, third... series that share a colour.
var dashes = [][]vg.Length{nil, {px(8), px(4)}, {px(2), px(3)}, {px(10), px(3), px(2), px(3)}}

func dash(i int) []vg.Length { return dashes[i%len(dashes)] }

// linearTicks marks and labels about n round values (1, 2, 2.5 or 5 times a
// power of ten): k and M stand for thousands and millions.
type linearTicks struct{ n int }

func (t linearTicks) majors(min, max float64) []float64 {
	return steps(min, max, niceStep((max-min)/float64(t.n), []float64{1, 2, 2.5, 5}))
}

func (t linearTicks) Ticks(min, max float64) []plot.Tick {
	vs := t.majors(min, max)
	step := 0.0
	if len(vs) > 1 {
		step = vs[1] - vs[0]
	}
	ticks := make([]plot.Tick, len(vs))
	for i, v := range vs {
		ticks[i] = plot.Tick{Value: v, Label: countLabel(v, step)}
	}
	return ticks
}

// timeTicks marks seconds at steps people count in: 1, 2, 5, 10, 15, 30
// seconds, minutes, ... and, unless hide, labels them.
type timeTicks struct {
	hide bool // marks without labels: the upper panels of a shared time axis
}

var timeSteps = []float64{1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400}

func (t timeTicks) majors(min, max float64) []float64 {
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if (max-min)/s <= 12 {
			step = s
			break
		}
	}
	if max-min < 6 {
		step = niceStep((max-min)/6, []float64{1, 2, 5})
	}
	return steps(min, max, step)
}

func (t timeTicks) Ticks(min, max float64) []plot.Tick {
	vs := t.majors(min, max)
	ticks := make([]plot.Tick, len(vs))
	for i, v := range vs {
		ticks[i] = plot.Tick{Value: v}
		if !t.hide {
			ticks[i].Label = strconv.FormatFloat(v, 'g', 6, 64)
		}
	}
	return ticks
}

// latencyTicks marks a log axis of seconds, drawn as log10 of the value:
// every decade labelled (1ms, 10ms, 1s), and 2 and 5 times a decade too
// when the range is short.
type latencyTicks struct{}

// values returns the 1-9 multiples of each decade in [min, max] (log10 units) and
// whether each is labelled.
func (latencyTicks) values(min, max float64) (vs []float64, major []bool) {
	short := max-min < 2.5
	for d := math.Floor(min); d <= math.Ceil(max); d++ {
		for m := 1.0; m <= 9; m++ {
			if v := math.Log10(m) + d; v >= min-1e-9 && v <= max+1e-9 {
				vs = append(vs, v)
				major = append(major, m == 1 || (short && (m == 2 || m == 5)))
			}
		}
	}
	return vs, major
}

func (t latencyTicks) majors(min, max float64) []float64 {
	var out []float64
	vs, major := t.values(min, max)
	for i, v := range vs {
		if major[i] {
			out = append(out, v)
		}
	}
	return out
}

func (t latencyTicks) Ticks(min, max float64) []plot.Tick {
	vs, major := t.values(min, max)
	ticks := make([]plot.Tick, len(vs))
	for i, v := range vs {
		ticks[i] = plot.Tick{Value: v}
		if major[i] {
			ticks[i].Label = human.Tick(math.Pow(10, v))
		}
	}
	return ticks
}

// niceStep returns the smallest m×10^k not below raw, m from mantissas.
func niceStep(raw float64, mantissas []float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range mantissas {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// steps returns the multiples of step in [min, max], computed from an index
// so that rounding does not accumulate.
func steps(min, max, step float64) []float64 {
	var vs []float64
	first := math.Ceil(min/step - 1e-9)
	for i := first; i*step <= max+step*1e-9; i++ {
		vs = append(vs, i*step+0) // +0 turns -0 into 0
	}
	return vs
}

// countLabel formats a tick value with as many decimals as its step needs.
func countLabel(v, step float64) string {
	if v == 0 {
		return "0"
	}
	unit := ""
	switch {
	case step >= 1e6:
		v, step, unit = v/1e6, step/1e6, "M"
	case step >= 1e3:
		v, step, unit = v/1e3, step/1e3, "k"
	}
	decimals := 0
	for decimals < 6 && math.Abs(step*math.Pow(10, float64(decimals))-math.Round(step*math.Pow(10, float64(decimals)))) > 1e-9 {
		decimals++
	}
	return strconv.FormatFloat(v, 'f', decimals, 64) + unit
}

// grid draws light lines at the labelled ticks of both axes.
type grid struct{}

type majorTicker interface {
	majors(min, max float64) []float64
}

func (grid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: gridColor, Width: px(1)}
	if m, ok := p.X.Tick.Marker.(majorTicker); ok {
		for _, v := range m.majors(p.X.Min, p.X.Max) {
			c.StrokeLine2(sty, trX(v), c.Min.Y, trX(v), c.Max.Y)
		}
	}
	if m, ok := p.Y.Tick.Marker.(majorTicker); ok {
		for _, v := range m.majors(p.Y.Min, p.Y.Max) {
			c.StrokeLine2(sty, c.Min.X, trY(v), c.Max.X, trY(v))
		}
	}
}
