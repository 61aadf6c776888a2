package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/failsim/failsim/topology"
)

// Severity is how much a finding matters.
type Severity uint8

// Severities, lowest first.
const (
	Note    Severity = iota // worth knowing in a review: a small risk, or one to confirm
	Warning                 // a mismatch that makes failures worse or makes them last
	Error                   // the system cannot work as configured, even without faults
)

var severityNames = [...]string{"note", "warning", "error"}

func (s Severity) String() string { return severityNames[s] }

// MarshalText writes the severity's name, as SARIF levels are written.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one mismatch between the assumptions of components.
type Finding struct {
	Rule        string
	Severity    Severity
	Components  []string     // the components it concerns, callers first (a service by its name, not its instances')
	Pos         topology.Pos // the key that causes it, else the component it concerns
	Summary     string       // one line
	Explanation string       // one paragraph, with the components' names and numbers, to paste into a design document
	Fix         string
}

// Line is the finding on one line, as `simulate run` prints it:
// severity, rule, file:line:col and summary.
func (f Finding) Line() string {
	return fmt.Sprintf("%s[%s]: %s: %s", f.Severity, f.Rule, where(f.Pos), f.Summary)
}

func where(p topology.Pos) string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Report is what the check found in one scenario (variant and settings
// applied), sorted by position, then rule.
type Report struct {
	File     string // the scenario file, as it was named
	Scenario string
	Variant  string // "" for the base
	Findings []Finding
}

// Count is how many findings have severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Run checks a validated scenario.
func Run(sc *topology.Scenario) *Report {
	g := newGraph(sc)
	g.timeouts()
	g.retries()
	g.capacities()
	g.coldCaches()
	g.sharedWorkers()
	g.mechanisms()
	g.state()
	g.links()
	g.fanouts()
	slices.SortStableFunc(g.found, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(lineOrLast(a.Pos), lineOrLast(b.Pos)),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.Summary, b.Summary))
	})
	// The request classes of a client share its policies: one finding each.
	g.found = slices.CompactFunc(g.found, func(a, b Finding) bool {
		return a.Rule == b.Rule && a.Pos == b.Pos && a.Summary == b.Summary
	})
	return &Report{File: sc.File, Scenario: sc.Name, Variant: sc.Variant, Findings: g.found}
}

// lineOrLast sorts findings without a line (a component made by a setting)
// after the others.
func lineOrLast(p topology.Pos) int {
	if p.Line == 0 {
		return int(^uint(0) >> 1)
	}
	return p.Line
}

// report adds a finding, pointed at the first of at that is written in the
// file, else at the first component it concerns.
func (g *graph) report(f Finding, at ...topology.Pos) {
	for _, p := range at {
		if p.Line > 0 {
			f.Pos = p
			break
		}
	}
	if f.Pos.Line == 0 {
		for _, c := range g.sc.Components {
			if c.Group == f.Components[0] {
				f.Pos = c.Pos
				break
			}
		}
	}
	if f.Pos.File == "" {
		f.Pos.File = g.sc.File
	}
	g.found = append(g.found, f)
}
