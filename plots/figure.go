package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/failsim/failsim/sim/results"
)

// Figure is one picture: a heading and panels stacked on one time axis,
// each with its legend to the right of its data.
type Figure struct {
	Name  string // file name without extension: "latency"
	Title string // what it shows, for a caption
	About string // how to read it, one or two sentences

	heading       []string // lines above the panels, the first in bold
	panels        []*panel
	width, height float64 // pixels
}

// Size returns the figure's size in pixels, as its PNG has it.
func (f *Figure) Size() (width, height int) { return int(f.width), int(f.height) }

func newFigure(name, title, about string, heading []string, width, height float64, ps ...*panel) *Figure {
	for _, p := range ps {
		p.fitY()
	}
	if len(ps) > 1 {
		shareTimeAxis(ps)
	}
	f := &Figure{Name: name, Title: title, About: about, heading: wrapHeading(heading, width), panels: ps, width: width, height: height}
	f.height = max(f.height, f.neededHeight())
	return f
}

// headingStyle is the style of a heading's line: the first bold.
func headingStyle(i int) text.Style {
	if i == 0 {
		return textStyle(sansBold, 15, black)
	}
	return textStyle(sans, 11.5, grey)
}

// wrapHeading breaks each line of a heading at spaces so that it fits the
// figure's width: a comparison of twelve sides names them all.
func wrapHeading(lines []string, width float64) []string {
	var out []string
	for i, line := range lines {
		sty := headingStyle(min(i, 1))
		cur := ""
		for _, word := range strings.Fields(line) {
			next := strings.TrimSpace(cur + " " + word)
			if cur != "" && sty.Width(next) > px(width-2*margin) {
				out = append(out, cur)
				cur = word
				continue
			}
			cur = next
		}
		out = append(out, cur)
	}
	return out
}

// neededHeight is the height at which every panel's legend fits beside its
// data: the figure grows rather than drop names.
func (f *Figure) neededHeight() float64 {
	h := 2*margin + 10.0
	for i, line := range f.heading {
		h += float64((headingStyle(min(i, 1)).Height(line) + px(5)) / px(1))
	}
	for _, p := range f.panels {
		r := p.legend.Rectangle(draw.Canvas{})
		h += float64((r.Max.Y-r.Min.Y)/px(1)) + panelChrome + panelGap
	}
	return h
}

// panelChrome is what a panel takes beyond its data area: its title, fault
// labels, axis ticks and labels (pixels, about).
const panelChrome = 110

// PNG renders the figure at 96 dpi.
func (f *Figure) PNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(px(f.width), px(f.height)), vgimg.UseDPI(dpi))
	f.draw(draw.New(c))
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&b, c.Image()); err != nil {
		return nil, fmt.Errorf("%s.png: %w", f.Name, err)
	}
	return b.Bytes(), nil
}

// SVG renders the figure as SVG without embedded fonts (a font would add
// hundreds of kilobytes to each file); viewers without Liberation Sans fall
// back to Arial or Helvetica, which have the same metrics.
func (f *Figure) SVG() ([]byte, error) {
	c := vgsvg.New(px(f.width), px(f.height))
	f.draw(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("%s.svg: %w", f.Name, err)
	}
	return bytes.ReplaceAll(b.Bytes(), []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")), nil
}

// Files renders figures as NAME.png and NAME.svg, keyed by file name.
func Files(figs []*Figure) (map[string][]byte, error) {
	files := make(map[string][]byte, 2*len(figs))
	for _, f := range figs {
		p, err := f.PNG()
		if err != nil {
			return nil, err
		}
		s, err := f.SVG()
		if err != nil {
			return nil, err
		}
		files[f.Name+".png"], files[f.Name+".svg"] = p, s
	}
	return files, nil
}

// Write renders figures into dir, creating it; every file is written in
// full before any is renamed into place.
func Write(dir string, figs []*Figure) error {
	files, err := Files(figs)
	if err != nil {
		return err
	}
	return results.WriteDir(dir, files)
}

const (
	margin    = 18 // pixels around the figure
	panelGap  = 22 // pixels between stacked panels
	legendGap = 14 // pixels between a panel's data and its legend
)

func (f *Figure) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	top := c.Max.Y - px(margin)
	for i, line := range f.heading {
		sty := headingStyle(min(i, 1))
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
		c.FillText(sty, vg.Point{X: c.Min.X + px(margin), Y: top}, line)
		top -= sty.Height(line) + px(5)
	}
	for i, tile := range f.layout(c) {
		p := f.panels[i]
		p.Draw(tile)
		data := p.DataCanvas(tile)
		beside := c
		beside.Min = vg.Point{X: data.Max.X + px(legendGap), Y: data.Min.Y}
		beside.Max = vg.Point{X: c.Max.X - px(margin), Y: data.Max.Y}
		p.legend.Draw(beside)
	}
}

// layout places the panels below the heading, each with room for its
// legend on its right, and returns the canvas of each.
func (f *Figure) layout(c draw.Canvas) []draw.Canvas {
	top := c.Max.Y - px(margin)
	for i, line := range f.heading {
		top -= headingStyle(min(i, 1)).Height(line) + px(5)
	}
	if len(f.heading) > 0 {
		top -= px(10)
	}
	var legendW vg.Length
	for _, p := range f.panels {
		legendW = max(legendW, legendWidth(&p.legend))
	}
	if legendW > 0 {
		legendW += px(legendGap)
	}
	area := c
	area.Min = vg.Point{X: c.Min.X + px(margin), Y: c.Min.Y + px(margin)}
	area.Max = vg.Point{X: c.Max.X - px(margin) - legendW, Y: top}

	plots := make([][]*plot.Plot, len(f.panels))
	for i, p := range f.panels {
		plots[i] = []*plot.Plot{p.Plot}
	}
	tiles := draw.Tiles{Rows: len(f.panels), Cols: 1, PadY: px(panelGap)}
	// The fault labels sit between a panel's title and its data: make room
	// for as many lanes as they take at the width the data will have.
	for i, tile := range plot.Align(plots, tiles, area) {
		p := f.panels[i]
		_, _, p.header.lanes = p.faults.place(p.DataCanvas(tile[0]), p.Plot)
	}
	var out []draw.Canvas
	for _, tile := range plot.Align(plots, tiles, area) {
		out = append(out, tile[0])
	}
	return out
}

// legendWidth is how wide a legend draws, thumbnail included.
func legendWidth(l *plot.Legend) vg.Length {
	r := l.Rectangle(draw.Canvas{})
	return r.Max.X - r.Min.X
}
