package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strconv"
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
		Verdicts:  r.Verdicts,
	}
	for _, m := range r.Metrics {
		if _, ok := r.Ranking[0].Ranks[m.Name]; ok {
			d.KeyOutcomes = append(d.KeyOutcomes, compareKey{Name: m.Name, Label: m.Label()})
		}
	}
	for _, rk := range r.Ranking {
		row := compareRank{Label: rk.Label, Score: strconv.FormatFloat(rk.Score, 'f', -1, 64)}
		for _, k := range d.KeyOutcomes {
			row.Ranks = append(row.Ranks, strconv.FormatFloat(rk.Ranks[k.Name], 'f', -1, 64))
		}
		d.Ranking = append(d.Ranking, row)
	}
	for _, g := range r.Groups() {
		t := compareTable{Title: g.Title, Header: []string{"side"}}
		for _, i := range g.Metrics {
			t.Header = append(t.Header, r.Metrics[i].Heading())
		}
		for s, l := range labels {
			row := []cell{{Text: l}}
			for _, i := range g.Metrics {
				m := &r.Metrics[i]
				text, change := m.Cell(s)
				c := cell{Text: text, Class: change}
				if s > 0 {
					c.Diff = "Δ " + m.Scale().Difference(m.Differences[s])
				}
				row = append(row, c)
			}
			t.Rows = append(t.Rows, row)
		}
		d.Tables = append(d.Tables, t)
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
	Verdicts               []results.Verdict
	KeyOutcomes            []compareKey
	Ranking                []compareRank
	Tables                 []compareTable
	Sides                  [][]string
	Figures                []figure
}

type (
	compareKey  struct{ Name, Label string }
	compareRank struct {
		Label, Score string
		Ranks        []string
	}
	compareTable struct {
		Title  string
		Header []string
		Rows   [][]cell
	}
	cell struct{ Text, Diff, Class string }
)

// seedList says "1-10" for consecutive seeds.
func seedList(seeds []uint64) string {
	if len(seeds) == 1 {
		return fmt.Sprint(seeds[0])
	}
	return fmt.Sprintf("%d-%d", seeds[0], seeds[len(seeds)-1])
}
