package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/failsim/failsim/sim/results"
)

// interventionMarks draws each operator intervention as a vertical line at
// its time, a thin line along the foot of the data area while a temporary
// change holds, and its name at the foot of the line, inside the data area
// (the band above belongs to fault labels). A comparison draws each run's
// in the run's colour, its labels on rows after the earlier runs'.
type interventionMarks struct {
	ivs   []results.Intervention
	color color.Color
	row   int // of the first label
}

var (
	interventionColor = rgb(0x2f6b3a)
	interventionStyle = func() text.Style {
		s := textStyle(sans, 10.5, interventionColor)
		s.XAlign, s.YAlign = draw.XLeft, draw.YBottom
		return s
	}()
)

func (m interventionMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	line, thin := lineStyle(m.color, 2, dash(1)), lineStyle(m.color, 1, dash(2))
	style := interventionStyle
	style.Color = m.color
	for i, iv := range m.ivs {
		if iv.AtS < p.X.Min || iv.AtS > p.X.Max {
			continue
		}
		x := trX(iv.AtS)
		c.StrokeLine2(line, x, c.Min.Y, x, c.Max.Y)
		if iv.EndS != nil && *iv.EndS <= p.X.Max {
			end := trX(*iv.EndS)
			c.StrokeLine2(thin, end, c.Min.Y, end, c.Max.Y)
			c.StrokeLine2(thin, x, c.Min.Y+px(3), end, c.Min.Y+px(3))
		}
		label := "▶ " + iv.Name
		w := style.Width(label)
		lx := min(x+px(4), c.Max.X-w)
		y := c.Min.Y + px(6) + vg.Length((m.row+i)%3)*style.Height("Mg")
		c.FillText(style, vg.Point{X: lx, Y: y}, label)
	}
}

// capacity shows, for every service whose capacity changes, the instances
// serving (and, with an autoscaler, requested) or the workers of each
// instance (and requested), over time. It is nil when no capacity changed.
func (v *view) capacity() *panel {
	p := v.panel("Capacity: instances serving and requested, or workers per instance", "instances or workers", false)
	i := 0
	for _, name := range v.pools() {
		if y := v.ser.Get(name, "replicas"); y != nil {
			p.line(name+" instances serving", v.x, y, lineStyle(paletteColor(i), 2.5, nil))
			if d := v.ser.Get(name, "desired_replicas"); d != nil {
				p.line(name+" instances requested", v.x, d, lineStyle(paletteColor(i), 1.5, dash(1)))
			}
		}
		if d := v.ser.Get(name, "desired_workers"); d != nil {
			var members []string
			instances := 0
			for _, c := range v.s.Order {
				if v.s.Components[c].Group == name {
					members = append(members, c)
					instances += max(1, v.s.Components[c].Instances)
				}
			}
			p.line(name+" workers per instance", v.x, scale(sum(v.ser, members, "workers"), 1/float64(instances)), lineStyle(paletteColor(i), 2.5, nil))
			p.line(name+" workers requested", v.x, d, lineStyle(paletteColor(i), 1.5, dash(1)))
		}
		i++
	}
	return nonEmpty(p)
}

// pools lists the services whose capacity changed during the run, in
// topology order.
func (v *view) pools() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range v.s.Order {
		g := v.s.Components[c].Group
		if seen[g] {
			continue
		}
		seen[g] = true
		if varies(v.ser.Get(g, "replicas")) || varies(v.ser.Get(g, "desired_workers")) || varies(v.ser.Get(g, "desired_replicas")) {
			out = append(out, g)
		}
	}
	return out
}

func scale(y []float64, f float64) []float64 {
	out := make([]float64, len(y))
	for i, v := range y {
		out[i] = v * f
	}
	return out
}

const aboutCapacity = "Instances of each scaled service that serve (their load balancers pick them), and, with an " +
	"autoscaler, how many it requested: the gap is capacity still provisioning. For an autoscaler of workers, " +
	"the workers per instance and those requested. Dashed green lines: operator interventions."

// varies reports whether y holds two different values.
func varies(y []float64) bool {
	for _, v := range y {
		if v != y[0] {
			return true
		}
	}
	return false
}
