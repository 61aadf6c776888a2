package report

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
	TopologyFile = "topology.svg"  // its components drawn (plots.Topology)
	CheckFile    = "check.json"    // the design check's findings, as `simulate check --format json` writes them
)

// Design is what the report shows of the scenario a run ran: its text,
// its topology drawn (SVG), and the design check's findings. A part not
// known is nil, and the report says where to get it.
type Design struct {
	Text, Topology []byte
	Tally          string // "9 findings: 8 warnings, 1 note"
	Findings       []Finding
}

// Finding is one finding of the design check, in words.
type Finding struct {
	Severity    string `json:"severity"`
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	Summary     string `json:"summary"`
	Explanation string `json:"explanation"`
	Fix         string `json:"fix"`
}

// ReadDesign reads what a results directory holds of its scenario: the
// files `simulate run --plot` writes beside the results. Missing files
// leave their part nil; a check.json that does not read is an error.
func ReadDesign(dir string) (Design, error) {
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return b, err
	}
	var files [3][]byte
	for i, name := range []string{ScenarioFile, TopologyFile, CheckFile} {
		var err error
		if files[i], err = read(name); err != nil {
			return Design{}, err
		}
	}
	d, err := ParseDesign(files[0], files[1], files[2])
	if err != nil {
		return d, fmt.Errorf("%s: %w", filepath.Join(dir, CheckFile), err)
	}
	return d, nil
}

// ParseDesign is ReadDesign for files in memory: the scenario's text, its
// topology.svg and its check.json, each nil when not known.
func ParseDesign(text, topology, checked []byte) (Design, error) {
	d := Design{Text: text, Topology: topology}
	if checked == nil {
		return d, nil
	}
	var rep struct {
		Counts   struct{ Error, Warning, Note int } `json:"counts"`
		Findings []Finding                          `json:"findings"`
	}
	if err := json.Unmarshal(checked, &rep); err != nil {
		return d, err
	}
	d.Findings = rep.Findings
	d.Tally = tally(len(rep.Findings), rep.Counts.Error, rep.Counts.Warning, rep.Counts.Note)
	return d, nil
}

// tally counts findings as the check's text report does.
func tally(n, errs, warnings, notes int) string {
	if n == 0 {
		return "no findings"
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{errs, "error"}, {warnings, "warning"}, {notes, "note"}} {
		if c.n == 1 {
			parts = append(parts, "1 "+c.what)
		} else if c.n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", c.n, c.what))
		}
	}
	word := "findings"
	if n == 1 {
		word = "finding"
	}
	return fmt.Sprintf("%d %s: %s", n, word, strings.Join(parts, ", "))
}

// Write draws a run's figures into dir as NAME.png and NAME.svg, and
// report.html beside them, showing the design d of its scenario. Every
// file is written in full before any is renamed into place.
func Write(dir string, run *results.Run, d Design) error {
	files, err := Files(run, d)
	if err != nil {
		return err
	}
	return results.WriteDir(dir, files)
}

// Files draws what Write writes, by file name, without writing it.
func Files(run *results.Run, d Design) (map[string][]byte, error) {
	figs := plots.Figures(run)
	files, err := plots.Files(figs)
	if err != nil {
		return nil, err
	}
	page, err := HTML(run, figs, files, d)
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
// (plots.Files), whose PNGs it embeds; the topology is embedded as an image
// too, so that the page runs nothing of it.
func HTML(run *results.Run, figs []*plots.Figure, files map[string][]byte, design Design) ([]byte, error) {
	s := &run.Summary
	d := data{
		Title:    plots.RunLabel(run),
		Meta:     fmt.Sprintf("seed %d · %gs simulated in %gs buckets · %d events", s.Seed, s.SimSeconds, s.BucketSeconds, s.Events),
		Verdict:  s.Recovery.Verdict,
		Clients:  clientRow(&s.Clients),
		Failures: failures(&s.Clients),
		Classes:  classRows(&s.Clients),
		Groups:   groupRows(s),
		Scenario: string(design.Text),
		HasText:  design.Text != nil,
		Tally:    design.Tally,
		Findings: design.Findings,
		HasCheck: design.Tally != "",
	}
	if design.Topology != nil {
		d.Topology = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(design.Topology))
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
		d.Faults = append(d.Faults, []string{f.Name, f.Kind, human.Names(f.Targets), num(f.AtS) + "s", num(f.EndS) + "s"})
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
	Classes               [][]string // request classes: the Clients columns after the class and its criticality
	Groups                [][]string // groups of calls made at once, by service
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
	Topology              template.URL // the drawing, as a data: URI
	Tally                 string
	Findings              []Finding
	HasCheck              bool
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

// classRows are the Clients columns for each request class, most critical
// first; none without classes.
func classRows(c *results.Clients) [][]string {
	var out [][]string
	for _, name := range c.ClassNames() {
		x := c.Classes[name]
		out = append(out, append([]string{name, x.Criticality}, clientRow(&x)...))
	}
	return out
}

// groupRows are how each group of calls made at once ended, a replicated
// service's instances together.
func groupRows(s *results.Summary) [][]string {
	var out [][]string
	at := map[[2]string]int{}
	for _, name := range s.Order {
		k := s.Components[name]
		groups := make([]string, 0, len(k.Groups))
		for g := range k.Groups {
			groups = append(groups, g)
		}
		slices.Sort(groups)
		for _, g := range groups {
			j := k.Groups[g]
			key := [2]string{k.Group, g}
			i, ok := at[key]
			if !ok {
				i = len(out)
				at[key] = i
				join := j.Join
				if j.Quorum > 0 {
					join = fmt.Sprintf("quorum %d", j.Quorum)
				}
				out = append(out, []string{k.Group, g, join, strconv.FormatInt(j.Calls, 10), "0", "0", "0", "0", "0", "0"})
			}
			for c, n := range []int64{j.Joined, j.Degraded, j.Stale, j.Failed, j.Left, j.Cancelled} {
				v, _ := strconv.ParseInt(out[i][4+c], 10, 64)
				out[i][4+c] = strconv.FormatInt(v+n, 10)
			}
		}
	}
	return out
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

// Page draws report.html from the bytes of a run's summary.json and
// timeseries.csv and the design of its scenario: what Write puts in a
// directory, for a caller that has the files in memory (the playground,
// which offers it as a download).
func Page(summary, timeseries []byte, design Design) ([]byte, error) {
	var run results.Run
	if err := json.Unmarshal(summary, &run.Summary); err != nil {
		return nil, fmt.Errorf("summary.json: %w", err)
	}
	ser, err := results.ReadCSV(bytes.NewReader(timeseries), run.Summary.BucketSeconds, run.Summary.SimSeconds)
	if err != nil {
		return nil, fmt.Errorf("timeseries.csv: %w", err)
	}
	run.Series = ser
	figs := plots.Figures(&run)
	files, err := plots.Files(figs)
	if err != nil {
		return nil, err
	}
	return HTML(&run, figs, files, design)
}
