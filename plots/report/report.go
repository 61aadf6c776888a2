package report

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// File names in a results directory.
const (
	File         = "report.html"
	ScenarioFile = "scenario.toml" // the scenario a run ran, as `simulate run --plot` copies it
)

// Scenario returns the scenario text saved in a results directory, or nil
// when there is none.
func Scenario(dir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, ScenarioFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Write draws a run's figures into dir as NAME.png and NAME.svg, and
// report.html beside them; scenario is the scenario text, nil if unknown.
// Every file is written in full before any is renamed into place.
func Write(dir string, run *results.Run, scenario []byte) error {
	files, err := Files(run, scenario)
	if err != nil {
		return err
	}
	return results.WriteDir(dir, files)
}

// Files draws what Write writes, by file name, without writing it.
func Files(run *results.Run, scenario []byte) (map[string][]byte, error) {
	figs := plots.Figures(run)
	files, err := plots.Files(figs)
	if err != nil {
		return nil, err
	}
	page, err := HTML(run, figs, files, scenario)
	if err != nil {
		return nil, err
	}
	files[File] = page
	return files, nil
}

//go:embed report.html.tmpl
var pageText string

var page = template.Must(template.New(File).Parse(pageText))

// HTML returns the report of a run: figs must have been rendered into files
// (plots.Files), whose PNGs it embeds.
func HTML(run *results.Run, figs []*plots.Figure, files map[string][]byte, scenario []byte) ([]byte, error) {
	s := &run.Summary
	d := data{
		Title:    plots.RunLabel(run),
		Meta:     fmt.Sprintf("seed %d · %gs simulated in %gs buckets · %d events", s.Seed, s.SimSeconds, s.BucketSeconds, s.Events),
		Verdict:  s.Recovery.Verdict,
		Clients:  clientRow(&s.Clients),
		Failures: failures(&s.Clients),
		Scenario: string(scenario),
		HasText:  scenario != nil,
	}
	switch rec := s.Recovery.Recovered; {
	case rec == nil:
		d.VerdictClass = "none"
	case *rec:
		d.VerdictClass = "ok"
	default:
		d.VerdictClass = "bad"
	}
	for _, f := range s.Faults {
		d.Faults = append(d.Faults, []string{f.Name, f.Kind, strings.Join(f.Targets, ", "), num(f.AtS) + "s", num(f.EndS) + "s"})
	}
	addAlerts(&d, s)
	for _, name := range s.Order {
		d.Components = append(d.Components, componentRow(s, name))
	}
	d.Interventions, d.Autoscalers = interventionRows(s), autoscalerRows(s)
	var err error
	if d.Figures, err = embedFigures(figs, files); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return b.Bytes(), nil
}

// data is what the template shows; every string is escaped by html/template.
type data struct {
	Title, Meta           string
	Verdict, VerdictClass string
	Clients               []string
	Failures              string
	Faults                [][]string
	Interventions         [][]string
	Autoscalers           [][]string
	SLOs, Alerts          [][]string
	HasAlerts             bool   // the scenario has alerts, whether or not they fired
	Detection             string // what the alerts caught
	Components            [][]string
	Figures               []figure
	Scenario              string
	HasText               bool
}

type figure struct {
	Name, Title, About string
	Width, Height      int
	Src                template.URL
}

// embedFigures turns rendered figures into images a page carries inside
// itself, as PNG data: URIs.
func embedFigures(figs []*plots.Figure, files map[string][]byte) ([]figure, error) {
	var out []figure
	for _, f := range figs {
		png, ok := files[f.Name+".png"]
		if !ok {
			return nil, fmt.Errorf("report: figure %s was not rendered", f.Name)
		}
		w, h := f.Size()
		out = append(out, figure{
			Name: f.Name, Title: f.Title, About: f.About, Width: w, Height: h,
			// A data: URI built here from our own PNG bytes: safe to trust.
			Src: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		})
	}
	return out, nil
}

// clientRow has the columns of the CLI's Clients table.
func clientRow(c *results.Clients) []string {
	return []string{
		strconv.FormatInt(c.LogicalRequests, 10), strconv.FormatInt(c.Succeeded, 10), strconv.FormatInt(c.Failed, 10),
		human.Percent(c.SuccessRate), fmt.Sprintf("%.1f/s", c.GoodputRPS), strconv.FormatInt(c.Attempts, 10),
		human.Seconds(c.Latency.P50), human.Seconds(c.Latency.P99), human.Seconds(c.Latency.P999), human.Seconds(c.Latency.Max),
	}
}

func failures(c *results.Clients) string {
	if c.Failed == 0 {
		return ""
	}
	return fmt.Sprintf("Failures by last attempt: %d timed out, %d errors, %d rejected.", c.Failures.Timeout, c.Failures.Error, c.Failures.Rejected)
}

// componentRow has the columns of the CLI's Components table.
func componentRow(s *results.Summary, name string) []string {
	k := s.Components[name]
	util, maxQ, wasted := "-", "-", "-"
	if k.Kind == "service" || k.Kind == "database" {
		util, maxQ, wasted = human.Percent(k.Utilization), strconv.FormatInt(k.MaxQueue, 10), fmt.Sprintf("%.1fs", k.WastedWorkS)
	}
	fault := "-"
	if len(s.Faults) > 0 {
		fault = fmt.Sprintf("%.2f", k.FaultAmplification)
	}
	return []string{
		name, k.Kind, strconv.FormatInt(k.Arrivals, 10),
		fmt.Sprintf("%.2f", k.Amplification), fmt.Sprintf("%.2f", k.PeakAmplification), fault,
		strconv.FormatInt(k.Completed, 10), strconv.FormatInt(k.Errors, 10), strconv.FormatInt(k.Rejected, 10),
		strconv.FormatInt(k.TimedOut, 10), strconv.FormatInt(k.Retries, 10), util, maxQ, wasted, human.Seconds(k.Latency.P99),
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
