package plots

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/failsim/failsim/sim/results"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Twelve sides, every variant of retry-storm, stay legible: no two lines
// share a colour and a dash, the heading fits the figure's width, and every
// side's name has room in its panel's legend.
func TestTwelveSidesStayApart(t *testing.T) {
	run, err := results.Read(filepath.Join("testdata", "run"))
	if err != nil {
		t.Fatal(err)
	}
	var runs []Labeled
	for i := range 12 {
		runs = append(runs, Labeled{Label: fmt.Sprintf("a-side-with-a-longish-name-%d", i), Run: run})
	}
	seen := map[string]int{}
	for i := range runs {
		col, d := seriesStyle(i, 0)
		key := fmt.Sprint(col, d)
		if j, dup := seen[key]; dup {
			t.Errorf("sides %d and %d share colour and dash", j, i)
		}
		seen[key] = i
	}
	for _, f := range append(CompareMeans(runs, 10), Compare(runs)...) {
		for i, line := range f.heading {
			if w := headingStyle(min(i, 1)).Width(line); w > px(f.width-2*margin) {
				t.Errorf("%s: heading line %q is %v wide, the figure %v", f.Name, line, w, px(f.width-2*margin))
			}
		}
		c := draw.New(vgimg.NewWith(vgimg.UseWH(px(f.width), px(f.height)), vgimg.UseDPI(dpi)))
		for i, tile := range f.layout(c) {
			p := f.panels[i]
			r := p.legend.Rectangle(draw.Canvas{})
			if lh, dh := r.Max.Y-r.Min.Y, p.DataCanvas(tile).Max.Y-p.DataCanvas(tile).Min.Y; lh > dh {
				t.Errorf("%s, panel %d: the legend is %v high beside data %v high: names would be cut", f.Name, i, lh, dh)
			}
		}
	}
}
