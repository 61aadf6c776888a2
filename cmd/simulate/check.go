package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/check"
)

// checkOptions are the flags of `simulate check`.
type checkOptions struct {
	file    string
	variant string
	format  string
	sets    []string
}

func newCheckCmd(io streams) *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Find mismatched timeouts, retries, queues and capacity in a scenario, without running it",
		Long: `Read a scenario the way a design reviewer does and report where its components'
assumptions do not fit: callers that give up while their callees keep working,
retries that overlap or multiply, load that retries push past a tier's capacity,
unbounded queues, breakers and retry budgets that cannot work. Each finding names
its components and the key that causes it, explains the mismatch in plain words,
says how to fix it and which shipped scenario shows it. docs/check.md lists the rules.

Exit status: 1 when a finding is an error, 2 for a bad scenario or bad flags, else 0.`,
		Example: `  simulate check scenarios/timeout-mismatch.toml
  simulate check scenarios/timeout-mismatch.toml --variant aligned
  simulate check scenarios/retry-storm.toml --set client.users.retry.backoff=exponential
  simulate check scenarios/timeout-mismatch.toml --format sarif > check.sarif`,
		Args: exactArgs(1, "one scenario file"),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.file = args[0]
			return runCheck(opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.variant, "variant", "", "check this variant of the scenario instead of its base")
	f.StringVar(&opts.format, "format", "text", `output format: "text", "json" or "sarif"`)
	f.StringArrayVar(&opts.sets, "set", nil, "override a key of the scenario, e.g. --set client.users.timeout=4s (repeatable)")
	return cmd
}

// checkFormats are the report formats of `simulate check`, by --format.
var checkFormats = map[string]func(*check.Report, io.Writer) error{
	"text":  (*check.Report).WriteText,
	"json":  (*check.Report).WriteJSON,
	"sarif": (*check.Report).WriteSARIF,
}

func runCheck(opts *checkOptions, io streams) error {
	write := checkFormats[opts.format]
	if write == nil {
		return usagef(`--format must be "text", "json" or "sarif", got %q`, opts.format)
	}
	onPhase("loading")
	sc, err := loadScenario(opts.file, opts.variant, opts.sets)
	if err != nil {
		return err
	}
	rep := check.Run(sc)
	if err := write(rep, io.out); err != nil {
		return err
	}
	if n := rep.Count(check.Error); n > 0 {
		return fmt.Errorf("%s: %d error-level finding(s)", opts.file, n)
	}
	return nil
}

// warnFindings prints the check's findings, one line each, before a run.
func warnFindings(w io.Writer, sc *topology.Scenario, show string) {
	rep := check.Run(sc)
	if len(rep.Findings) == 0 || show == findingsNone {
		return
	}
	cmd := "simulate check " + sc.File
	if sc.Variant != "" {
		cmd += " --variant " + sc.Variant
	}
	if show == findingsCount {
		fmt.Fprintf(w, "check: %s; '%s' explains them (--findings full lists them here)\n", rep.Tally(), cmd)
		return
	}
	for _, f := range rep.Findings {
		fmt.Fprintln(w, f.Line())
	}
	fmt.Fprintf(w, "run '%s' for what each finding means and how to fix it\n\n", cmd)
}

// What run shows of the check's findings (--findings).
const (
	findingsCount = "count"
	findingsFull  = "full"
	findingsNone  = "none"
)
