package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// CompareFile is the page of a comparison.
const CompareFile = "compare.html"

//go:embed compare.html.tmpl
var comparePageText string

var comparePage = template.Must(template.New(CompareFile).Parse(comparePageText))

// CompareHTML returns the page of a comparison: the verdict, the table of
// outcomes with their intervals, the sides, and the figures, which must
// have been rendered into files (plots.Files). Like report.html it needs
// nothing but itself.
func CompareHTML(r *results.CompareResult, figs []*plots.Figure, files map[string][]byte) ([]byte, error) {
	labels := make([]string, len(r.Sides))
	for i, s := range r.Sides {
		labels[i] = s.Label
	}
	d := compareData{
		Title:     "Comparison: " + strings.Join(labels, " vs "),
		Meta:      fmt.Sprintf("%d sides × %d seeds (%s), %s", len(r.Sides), len(r.Seeds), seedList(r.Seeds), r.Simulated()),
		Reference: labels[0],
		Runs:      len(r.Sides) * len(r.Seeds),
		Header:    []string{"metric", "unit", labels[0]},
	}
	for _, l := range labels[1:] {
		d.Header = append(d.Header, l, "Δ "+l)
	}
	for _, v := range r.Verdicts {
		d.Verdicts = append(d.Verdicts, compareVerdict{Label: v.Label, Better: listOrNone(v.Better), Worse: listOrNone(v.Worse)})
	}
	for _, row := range r.Rows() {
		cells := []cell{{Text: row.Label}, {Text: row.Unit}, {Text: row.Estimates[0]}}
		for g := 1; g < len(row.Estimates); g++ {
			c := cell{Text: row.Differences[g]}
			switch {
			case row.Better[g]:
				c.Class = "better"
			case row.Significant[g]:
				c.Class = "worse"
			}
			cells = append(cells, cell{Text: row.Estimates[g]}, c)
		}
		d.Rows = append(d.Rows, cells)
	}
	for _, s := range r.Sides {
		variant := s.Variant
		if variant == "" {
			variant = "(base)"
		}
		d.Sides = append(d.Sides, []string{s.Label, s.File, variant, s.SHA256[:16], strings.Join(s.Settings, " "),
			human.Seconds(s.PooledLatency.P50), human.Seconds(s.PooledLatency.P99), human.Seconds(s.PooledLatency.P999)})
	}
	var err error
	if d.Figures, err = embedFigures(figs, files); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := comparePage.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return b.Bytes(), nil
}

type compareData struct {
	Title, Meta, Reference string
	Runs                   int
	Verdicts               []compareVerdict
	Header                 []string
	Rows                   [][]cell
	Sides                  [][]string
	Figures                []figure
}

type compareVerdict struct{ Label, Better, Worse string }

type cell struct{ Text, Class string }

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// seedList says "1-10" for consecutive seeds.
func seedList(seeds []uint64) string {
	if len(seeds) == 1 {
		return fmt.Sprint(seeds[0])
	}
	return fmt.Sprintf("%d-%d", seeds[0], seeds[len(seeds)-1])
}
