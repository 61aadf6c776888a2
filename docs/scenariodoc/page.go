package scenariodoc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
	"github.com/failsim/failsim/topology/scenariofile"
)

// Pages are generated for the top-level scenarios: the teaching library.
func library() ([]scenarios.Entry, error) {
	all, err := scenarios.List()
	if err != nil {
		return nil, err
	}
	var out []scenarios.Entry
	for _, e := range all {
		if e.Section == "" {
			out = append(out, e)
		}
	}
	return out, nil
}

// Runs is how many runs Update and Check make: the base and every variant
// of each scenario of the library.
func Runs() (int, error) {
	entries, err := library()
	n := 0
	for _, e := range entries {
		n += 1 + len(e.Variants)
	}
	return n, err
}

// run is one variant of a scenario, run at its seed.
type run struct {
	sc  *topology.Scenario
	res *results.Run

	race string // the base of a race: its table over writers and seeds (links.go)
}

func (r run) label() string {
	if r.sc.Variant == "" {
		return "base"
	}
	return r.sc.Variant
}

// runAll runs the base and every variant of e, as many at once as par
// runs them (the engine shares nothing between runs).
func runAll(ctx context.Context, e scenarios.Entry, par experiment.Parallel) ([]run, error) {
	src, err := scenarios.FS.ReadFile(e.Path)
	if err != nil {
		return nil, err
	}
	runs := make([]run, 1+len(e.Variants))
	for i, v := range append([]string{""}, e.Variants...) {
		sc, err := scenariofile.ParseFS(scenarios.Dir(e.Path), "scenarios/"+e.Path, src, v)
		if err != nil {
			return nil, err
		}
		runs[i].sc = sc
	}
	errs := make([]error, len(runs))
	par(len(runs), func(i int) {
		runs[i].res, errs[i] = sim.Run(ctx, runs[i].sc, sim.Options{Seed: runs[i].sc.Seed})
	})
	if err := errors.Join(errs...); err != nil {
		return runs, err
	}
	race, err := raceTable(ctx, runs, par)
	runs[0].race = race
	return runs, err
}

// sections returns the generated sections of e's page, by name.
func sections(e scenarios.Entry, runs []run) map[string]string {
	return map[string]string{
		"summary":   summary(e),
		"topology":  "```dot\n" + DOT(runs[0].sc) + "```\n",
		"runs":      runsSection(e, runs),
		"reproduce": reproduce(e, runs[0].sc),
	}
}

func summary(e scenarios.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s\n\n", e.Description)
	fmt.Fprintf(&b, "Built in: `simulate run %s`, or `simulate scenarios show %s` for its TOML ([scenarios/%s](../../scenarios/%s)).\n", e.Name, e.Name, e.Path, e.Path)
	return b.String()
}

func runsSection(e scenarios.Entry, runs []run) string {
	var b strings.Builder
	finished := runs[0].res.Summary.Clients.FinishedS != nil
	fmt.Fprintf(&b, "One run of each at the scenario's seed (%d) and duration (%s).\n\n", runs[0].sc.Seed, human.Duration(runs[0].sc.Duration))
	bottom := runs[0].res.Summary.Components[deepest(runs[0])].Group
	b.WriteString("| run | what it changes | success | client p99 | goodput | amplification at " + bottom + " | wasted work | recovery |")
	if finished {
		b.WriteString(" calls at " + deepest(runs[0]) + " | all done at |")
	}
	b.WriteString("\n|---|---|---|---|---|---|---|---|")
	if finished {
		b.WriteString("---|---|")
	}
	b.WriteString("\n")
	for _, r := range runs {
		s := &r.res.Summary
		what := r.sc.VariantDescription
		if r.sc.Variant == "" {
			what = "nothing: the scenario as written"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s/s | %s | %s | %s |", r.label(), what,
			human.SignificantPercent(s.Clients.SuccessRate), human.SignificantSeconds(s.Clients.Latency.P99), human.Significant(s.Clients.GoodputRPS),
			amplification(s, bottom), human.SignificantSeconds(wasted(s)), recovery(s))
		if finished {
			done := "not all"
			if f := s.Clients.FinishedS; f != nil {
				done = "t=" + human.SignificantSeconds(*f)
			}
			fmt.Fprintf(&b, " %d | %s |", s.Components[deepest(runs[0])].Arrivals, done)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nAmplification is arrivals per logical request over the run; wasted work is service time spent, at every tier, on calls whose caller had given up.\n")
	b.WriteString(groupsTable(runs))
	b.WriteString(classesTable(runs))
	b.WriteString(linksTable(runs))
	b.WriteString(runs[0].race)
	for _, r := range runs {
		fmt.Fprintf(&b, "\n### %s\n\n", r.label())
		if d := r.sc.VariantDescription; d != "" {
			fmt.Fprintf(&b, "%s%s.\n\n", strings.ToUpper(d[:1]), strings.TrimSuffix(d[1:], "."))
		}
		fmt.Fprintf(&b, "![Dashboard of %s, %s: client latency, amplification, goodput and wasted work over time](%s)\n", e.Name, r.label(), imagePath(e.Name, r.label()))
	}
	return b.String()
}

// deepest is the last component the scenario defines: the bottom of the
// call chain in the shipped scenarios, where load amplifies most.
func deepest(r run) string {
	return r.res.Summary.Order[len(r.res.Summary.Order)-1]
}

// amplification is the arrivals per logical request at a tier (a
// service's replicas together): the deepest component's in the base, which
// a variant may have fewer replicas of.
func amplification(s *results.Summary, group string) string {
	var amp float64
	for _, name := range s.Order {
		if c := s.Components[name]; c.Group == group {
			amp += c.Amplification
		}
	}
	return "×" + human.Significant(amp)
}

func wasted(s *results.Summary) float64 {
	var w float64
	for _, name := range s.Order {
		w += s.Components[name].WastedWorkS
	}
	return w
}

func recovery(s *results.Summary) string {
	r := s.Recovery
	switch {
	case r.Recovered == nil:
		return "no fault"
	case !*r.Recovered:
		return "never"
	default:
		return "after " + human.SignificantSeconds(*r.RecoveredAtS-*r.LastFaultEndS)
	}
}

func reproduce(e scenarios.Entry, sc *topology.Scenario) string {
	var b strings.Builder
	b.WriteString("```sh\n")
	fmt.Fprintf(&b, "simulate run %s --plot            # the base, with its dashboard and report.html\n", e.Name)
	for _, v := range e.Variants {
		fmt.Fprintf(&b, "simulate run %s --variant %s --plot\n", e.Name, v)
	}
	if len(e.Variants) > 0 {
		fmt.Fprintf(&b, "simulate compare %s                # every variant over 10 seeds, with confidence intervals\n", e.Name)
	}
	from := ""
	if len(sc.Faults) > 0 {
		from = " --from " + human.Duration(sc.Faults[0].At)
	}
	fmt.Fprintf(&b, "simulate trace %s%s -n 2           # the life of two requests, in words\n", e.Name, from)
	b.WriteString("```\n")
	return b.String()
}

func imagePath(name, variant string) string { return "images/" + name + "-" + variant + ".png" }

// markers around a generated section.
func begin(name string) string {
	return "<!-- BEGIN GENERATED " + name + ": simulate docs rewrites this section -->"
}
func end(name string) string { return "<!-- END GENERATED " + name + " -->" }

// sectionOrder is the order of the generated sections in a skeleton.
var sectionOrder = []string{"summary", "topology", "runs", "reproduce"}

// todo marks narrative still to write; Check reports a page that has one.
const todo = "TODO(narrative):"

// skeleton is a new page: the narrative headings with what to write under
// each, and the generated sections.
func skeleton(name string) string {
	block := func(s string) string { return begin(s) + "\n" + end(s) + "\n" }
	return "# " + name + "\n\n" + block("summary") + `
## The story

` + todo + ` in plain words: the system, what happens to it, and what the reader should take away.

## The topology

` + block("topology") + `
## What to look at

` + todo + ` which plot and which number show the failure, and what each variant changes in them.

## Why it happens

` + todo + ` the mechanism, step by step, and why each fix works (or does not).

## Checklist question

` + todo + ` which question of the seeds' systems thinking checklist (Retries, Timeouts, Idempotency, Partial Failure, State) this scenario answers, and its answer.

## The runs

` + block("runs") + `
## Reproduce

` + block("reproduce")
}

// fill replaces the content of every generated section of page.
func fill(page string, secs map[string]string) (string, error) {
	for _, name := range sectionOrder {
		b, e := begin(name), end(name)
		i := strings.Index(page, b)
		j := strings.Index(page, e)
		if i < 0 || j < i {
			return "", fmt.Errorf("no section %q: the page needs the lines %s and %s", name, b, e)
		}
		page = page[:i] + b + "\n" + secs[name] + page[j:]
	}
	return page, nil
}

// readPage returns the page of a scenario, or a skeleton when there is none.
func readPage(dir, name string) (text string, exists bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, name+".md"))
	if errors.Is(err, fs.ErrNotExist) {
		return skeleton(name), false, nil
	}
	return string(b), err == nil, err
}
