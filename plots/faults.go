package plots

import (
	"cmp"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// faultWindows shades each fault's window inside the data area and labels it
// in the band above, where a label never hides data. Labels that would
// overlap go to further lanes, upwards.
type faultWindows struct {
	faults []results.Fault // by start
	alerts []results.Alert // by firing, marked as alertMarks describes
}

func newFaultWindows(faults []results.Fault) *faultWindows {
	fs := slices.Clone(faults)
	slices.SortStableFunc(fs, func(a, b results.Fault) int { return cmp.Compare(a.AtS, b.AtS) })
	return &faultWindows{faults: fs}
}

var faultLabelStyle = func() text.Style {
	s := textStyle(sans, 10.5, faultText)
	s.XAlign, s.YAlign = draw.XLeft, draw.YBottom
	return s
}()

// faultLabel says what happened where: "capacity drop (capacity on api-1,
// api-2)", or the name alone when it says both already ("db slowdown", or
// the default name "slowdown db", or "partition api -> db" for a fault on
// links); a fault on one direction of links says which ("partition api ->
// db (answers only)").
func faultLabel(f results.Fault) string {
	what := f.Kind
	if len(f.Targets) > 0 {
		what += " on " + human.Names(f.Targets)
	}
	ways := map[string]string{"requests": "calls only", "responses": "answers only"}[f.Direction]
	if f.Name == "" {
		return joinNonEmpty(what, ways)
	}
	words := strings.FieldsFunc(f.Name, func(r rune) bool { return r == ' ' || r == ',' })
	named := func(t string) bool {
		if strings.Contains(t, " -> ") { // a link, "api -> db": its words in order
			return strings.Contains(f.Name, t)
		}
		return slices.Contains(words, t)
	}
	if slices.Contains(words, f.Kind) && !slices.ContainsFunc(f.Targets, func(t string) bool { return !named(t) }) {
		if ways == "" {
			return f.Name
		}
		return f.Name + " (" + ways + ")"
	}
	return f.Name + " (" + joinNonEmpty(what, ways) + ")"
}

// joinNonEmpty joins what and, when there is one, a qualifier: "partition
// on api -> db, answers only".
func joinNonEmpty(what, ways string) string {
	if ways == "" {
		return what
	}
	return what + ", " + ways
}

// laneHeight is the height of one row of fault labels.
var laneHeight = faultLabelStyle.Height("Mg") + px(3)

// place returns where each label starts, faults' then alerts', at its
// window's start (an alert's firing) but pulled back to end inside the
// canvas, and the lane it takes (-1 for one outside the run), and the number
// of lanes used.
func (f *faultWindows) place(c draw.Canvas, p *plot.Plot) (xs []vg.Length, lanes []int, n int) {
	trX, _ := p.Transforms(&c)
	var ends []vg.Length // right end of the last label in each lane
	add := func(atS, endS float64, label string) {
		if atS > p.X.Max || endS < p.X.Min {
			xs, lanes = append(xs, 0), append(lanes, -1)
			return
		}
		w := faultLabelStyle.Width(label)
		x := max(min(trX(atS), c.Max.X-w), c.Min.X)
		lane := 0
		for lane < len(ends) && ends[lane] > x {
			lane++
		}
		if lane == len(ends) {
			ends = append(ends, 0)
		}
		ends[lane] = x + w + px(12)
		xs, lanes = append(xs, x), append(lanes, lane)
	}
	for _, ft := range f.faults {
		add(ft.AtS, ft.EndS, faultLabel(ft))
	}
	for _, a := range f.alerts {
		add(a.FiredAtS, a.FiredAtS, alertLabel(a))
	}
	return xs, lanes, len(ends)
}

func (f *faultWindows) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	xs, lanes, _ := f.place(c, p)
	for i, ft := range f.faults {
		if lanes[i] < 0 {
			continue
		}
		x0 := max(trX(ft.AtS), c.Min.X)
		x1 := max(min(trX(ft.EndS), c.Max.X), x0+px(2)) // an instant fault still shows
		c.SetColor(faultFill)
		c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x1, Y: c.Max.Y}}.Path())
		y := c.Max.Y + px(3) + vg.Length(lanes[i])*laneHeight
		c.FillText(faultLabelStyle, vg.Point{X: xs[i], Y: y}, faultLabel(ft))
	}
	for j, a := range f.alerts {
		i := len(f.faults) + j
		if lanes[i] < 0 {
			continue
		}
		plotAlert(c, trX, p.X.Max, a)
		y := c.Max.Y + px(3) + vg.Length(lanes[i])*laneHeight
		c.FillText(alertLabelStyle, vg.Point{X: xs[i], Y: y}, alertLabel(a))
	}
}

// unionFaults returns the distinct faults of several runs.
func unionFaults(runs []*results.Run) []results.Fault {
	var all []results.Fault
	for _, r := range runs {
		for _, f := range r.Summary.Faults {
			if !slices.ContainsFunc(all, func(g results.Fault) bool { return sameFault(f, g) }) {
				all = append(all, f)
			}
		}
	}
	return all
}

func sameFault(a, b results.Fault) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.AtS == b.AtS && a.EndS == b.EndS && slices.Equal(a.Targets, b.Targets)
}
