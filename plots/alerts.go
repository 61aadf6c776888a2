package plots

import (
	"image/color"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/failsim/failsim/sim/results"
)

// An alert is marked where it fired: a dashed line across the data, a bar
// along the top edge for as long as it fired (to the end of the run when it
// never resolved), and its name in the label band with the faults'.

var (
	alertColor      = rgb(0x7b3fa0)
	alertBar        = color.NRGBA{R: 0x7b, G: 0x3f, B: 0xa0, A: 110}
	alertLabelStyle = func() text.Style {
		s := textStyle(sans, 10.5, alertColor)
		s.XAlign, s.YAlign = draw.XLeft, draw.YBottom
		return s
	}()
)

// alertLabel says which alert fired: "db-burn fired".
func alertLabel(a results.Alert) string { return a.Name + " fired" }

func plotAlert(c draw.Canvas, trX func(float64) vg.Length, endS float64, a results.Alert) {
	x := trX(a.FiredAtS)
	if x < c.Min.X || x > c.Max.X {
		return
	}
	end := endS
	if a.ResolvedAtS != nil {
		end = min(*a.ResolvedAtS, endS)
	}
	x1 := max(min(trX(end), c.Max.X), x+px(2))
	c.SetColor(alertBar)
	c.Fill(vg.Rectangle{Min: vg.Point{X: x, Y: c.Max.Y - px(5)}, Max: vg.Point{X: x1, Y: c.Max.Y}}.Path())
	c.StrokeLine2(lineStyle(alertColor, 1.5, dash(1)), x, c.Min.Y, x, c.Max.Y)
}
