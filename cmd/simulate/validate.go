package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/scenarios"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/validation"
)

// validateOptions are the flags of `simulate validate`.
type validateOptions struct {
	seeds    int
	seed     uint64
	jobs     int
	maxRuns  int
	markdown bool
	progress bool
}

func newValidateCmd(io streams) *cobra.Command {
	opts := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the simulator against queueing theory and retry algebra",
		Long: `Run the validation scenarios (built in; the files are in scenarios/validation)
over several seeds and print, for each closed form (M/M/1, Erlang C, Pollaczek-Khinchine,
Erlang B, mean value analysis, 1 - p^N, the gRPC throttling threshold, layered
amplification, Che's approximation for LRU caches), the theory beside the simulated mean with its 95% confidence
interval, and whether the mean is within the stated tolerance. docs/validation.md
is this table with the default flags.

Exit status: 1 when a closed form is beyond its tolerance, else 0.`,
		Example: `  simulate validate
  simulate validate --seeds 30 --seed 100
  simulate validate --markdown > table.md`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(*cobra.Command, []string) error { return runValidate(opts, io) },
	}
	f := cmd.Flags()
	f.IntVar(&opts.seeds, "seeds", 10, "replications of each scenario, on seeds --seed, --seed+1, ...")
	f.Uint64Var(&opts.seed, "seed", 1, "first seed")
	f.IntVar(&opts.jobs, "jobs", runtime.GOMAXPROCS(0), "runs at a time")
	f.IntVar(&opts.maxRuns, "max-runs", experiment.DefaultMaxRuns, "refuse more runs than this (scenarios × seeds), before anything runs")
	f.BoolVar(&opts.markdown, "markdown", false, "print the table in Markdown, as in docs/validation.md")
	f.BoolVar(&opts.progress, "progress", false, "show progress on stderr even when it is not a terminal")
	return cmd
}

func runValidate(opts *validateOptions, io streams) error {
	if opts.seeds < 2 {
		return usagef("--seeds must be at least 2 for a confidence interval, got %d", opts.seeds)
	}
	if opts.jobs < 1 {
		return usagef("--jobs must be at least 1, got %d", opts.jobs)
	}
	// The limits of compare and sweep.
	limits := experimentFlags{seeds: opts.seeds, seed: opts.seed, jobs: opts.jobs, maxRuns: opts.maxRuns}
	if err := limits.check(); err != nil {
		return err
	}
	if n := scenarioCount(validation.Checks()); n > opts.maxRuns/opts.seeds {
		return usagef("%d scenarios × %d seeds is more than the limit of %d runs (raise it with --max-runs)", n, opts.seeds, opts.maxRuns)
	}
	seeds := make([]uint64, opts.seeds)
	for i := range seeds {
		seeds[i] = opts.seed + uint64(i)
	}
	checks := validation.Checks()
	ctx, stop := interruptible(io.err, "running %d validation scenarios × %d seeds on %d workers (Ctrl-C stops them; nothing is written)",
		scenarioCount(checks), opts.seeds, opts.jobs)
	defer stop()
	start := time.Now()
	par := counted(inParallel(opts.jobs), scenarioCount(checks)*opts.seeds, newProgress(io.err, opts.progress))
	rows, err := validation.Run(ctx, checks, scenarios.Parse, seeds, par)
	if err != nil {
		if ctx.Err() != nil {
			return interrupted("interrupted: nothing was written")
		}
		return err
	}
	if opts.markdown {
		validation.Markdown(io.out, rows)
	} else {
		fmt.Fprintf(io.out, "Validation: %d closed forms against the mean of seeds %d-%d, with 95%% confidence intervals\n\n",
			len(rows), seeds[0], seeds[len(seeds)-1])
		validation.Text(io.out, rows)
	}
	failed := 0
	for _, r := range rows {
		if !r.Pass {
			failed++
		}
	}
	fmt.Fprintf(io.err, "\n%d of %d closed forms within tolerance (%s)\n", len(rows)-failed, len(rows), time.Since(start).Round(time.Millisecond))
	if failed > 0 {
		return fmt.Errorf("%d closed form(s) beyond their tolerance", failed)
	}
	return nil
}

// scenarioCount is how many distinct scenario runs each seed takes.
func scenarioCount(checks []validation.Check) int {
	seen := map[[2]string]bool{}
	for _, c := range checks {
		seen[[2]string{c.Scenario, c.Variant}] = true
	}
	return len(seen)
}
