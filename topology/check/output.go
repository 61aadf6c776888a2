package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// textWidth is where the text report wraps its paragraphs.
const textWidth = 100

// demoOf is the shipped scenario that shows a rule, or nil.
func demoOf(rule string) *Demo {
	for _, r := range rules {
		if r.ID == rule {
			return r.Demo
		}
	}
	return nil
}

// Tally counts the findings by severity: "9 findings: 8 warnings, 1 note",
// or "no findings".
func (r *Report) Tally() string {
	if len(r.Findings) == 0 {
		return "no findings"
	}
	var counts []string
	for _, s := range []Severity{Error, Warning, Note} {
		if n := r.Count(s); n > 0 {
			counts = append(counts, plural(n, s.String(), s.String()+"s"))
		}
	}
	return plural(len(r.Findings), "finding", "findings") + ": " + strings.Join(counts, ", ")
}

// WriteText writes the report for people: a title with the counts, then
// every finding, errors first, each with its explanation, its fix and the
// shipped scenario that shows it.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	title := r.File + " (base)"
	if r.Variant != "" {
		title = r.File + " (variant " + r.Variant + ")"
	}
	fmt.Fprintf(&b, "%s: %s\n", title, r.Tally())
	for _, s := range []Severity{Error, Warning, Note} {
		for _, f := range r.Findings {
			if f.Severity != s {
				continue
			}
			fmt.Fprintf(&b, "\n%s\n  components: %s\n\n%s\n\n%s\n", f.Line(), strings.Join(f.Components, ", "),
				wrap(f.Explanation, "  ", textWidth), wrap("fix: "+f.Fix, "  ", textWidth))
			if d := demoOf(f.Rule); d != nil {
				fmt.Fprintf(&b, "%s\n", wrap(fmt.Sprintf("shown by: simulate run %s; fixed by --variant %s",
					d.Scenario, strings.Join(d.FixedBy, ", ")), "  ", textWidth))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// The JSON report; docs/check.md documents every field.
type (
	jsonReport struct {
		File     string        `json:"file"`
		Scenario string        `json:"scenario"`
		Variant  string        `json:"variant"`
		Counts   jsonCounts    `json:"counts"`
		Findings []jsonFinding `json:"findings"`
	}
	jsonCounts struct {
		Error   int `json:"error"`
		Warning int `json:"warning"`
		Note    int `json:"note"`
	}
	jsonFinding struct {
		Rule        string    `json:"rule"`
		Severity    Severity  `json:"severity"`
		Components  []string  `json:"components"`
		File        string    `json:"file"`
		Line        int       `json:"line"`
		Column      int       `json:"column"`
		Summary     string    `json:"summary"`
		Explanation string    `json:"explanation"`
		Fix         string    `json:"fix"`
		Demo        *jsonDemo `json:"demo,omitempty"`
	}
	jsonDemo struct {
		Scenario string   `json:"scenario"`
		FixedBy  []string `json:"fixed_by"`
	}
)

// WriteJSON writes the report for tools.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{
		File: r.File, Scenario: r.Scenario, Variant: r.Variant,
		Counts:   jsonCounts{Error: r.Count(Error), Warning: r.Count(Warning), Note: r.Count(Note)},
		Findings: []jsonFinding{},
	}
	for _, f := range r.Findings {
		jf := jsonFinding{
			Rule: f.Rule, Severity: f.Severity, Components: f.Components,
			File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col,
			Summary: f.Summary, Explanation: f.Explanation, Fix: f.Fix,
		}
		if d := demoOf(f.Rule); d != nil {
			jf.Demo = &jsonDemo{Scenario: d.Scenario, FixedBy: d.FixedBy}
		}
		out.Findings = append(out.Findings, jf)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
