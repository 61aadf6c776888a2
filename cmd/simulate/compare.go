package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/plots/report"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
)

// compareOptions are the flags of `simulate compare`.
type compareOptions struct {
	experimentFlags
	files    []string
	variants []string
	sets     []string
	out      string
	failIf   []string
}

func newCompareCmd(io streams) *cobra.Command {
	opts := &compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare FILE [FILE...]",
		Short: "Compare variants or scenario files over many seeds, with confidence intervals",
		Long: `Run every side of a comparison on the same seeds (common random numbers) and
print the key outcomes side by side: each a mean over the seeds with its 95%
confidence interval, and each side's difference from the first, paired seed by
seed and marked * when significant. With one FILE the sides are its base and
every variant (or those --variant names, "base" for the base); with several,
each file's base. Writes compare.json, compare.html and plots into --out.

--fail-if "METRIC OP EXPR" fails the command (exit status 1) when the
condition holds for the mean of any side but the first, e.g. "p99 > 1.2*base"
or "success_rate < base - 1%". See docs/experiments.md.`,
		Example: `  simulate compare scenarios/timeout-mismatch.toml
  simulate compare scenarios/retry-storm.toml --variant base --variant retry-budget --seeds 20
  simulate compare today.toml proposal.toml --fail-if "p99 > 1.2*base" --fail-if "success_rate < base - 1%"`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("expected one scenario file (to compare its variants) or several, got none")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			opts.files = args
			return runCompare(opts, io)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.variants, "variant", nil, `compare this variant ("base" for the file without one); repeat, the first is the reference (default: base, then every variant)`)
	f.StringArrayVar(&opts.sets, "set", nil, "override KEY=VALUE in every side, e.g. duration=2m; repeat for several")
	f.StringArrayVar(&opts.failIf, "fail-if", nil, `exit 1 when this holds for any side's mean, e.g. "p99 > 1.2*base"; repeat for several`)
	f.StringVar(&opts.out, "out", "", "directory for compare.json, compare.html and the plots (default out/NAME/compare)")
	addExperimentFlags(cmd, &opts.experimentFlags)
	return cmd
}

func addExperimentFlags(cmd *cobra.Command, e *experimentFlags) {
	f := cmd.Flags()
	f.IntVar(&e.seeds, "seeds", 10, "replications: runs of each side or grid point, on seeds --seed, --seed+1, ...")
	f.Uint64Var(&e.seed, "seed", 1, "the first seed")
	f.IntVar(&e.jobs, "jobs", runtime.GOMAXPROCS(0), "runs at a time")
	f.BoolVar(&e.progress, "progress", false, "show progress on stderr even when it is not a terminal")
	f.IntVar(&e.maxRuns, "max-runs", experiment.DefaultMaxRuns, "refuse more runs than this (sides or grid points × seeds), before anything runs")
}

func runCompare(opts *compareOptions, io streams) error {
	if err := opts.check(); err != nil {
		return err
	}
	if len(opts.variants) > 0 && len(opts.files) > 1 {
		return usagef("--variant picks variants of one file; with %d files each file's base is compared", len(opts.files))
	}
	sets, err := parseSettings(opts.sets)
	if err != nil {
		return err
	}
	onPhase("loading")
	var configs []experiment.Config
	for _, f := range opts.files {
		c, err := readConfig(f, "", sets)
		if err != nil {
			return err
		}
		configs = append(configs, c)
	}
	sides := experiment.FileSides(configs)
	if len(configs) == 1 {
		if sides, err = experiment.VariantSides(configs[0], opts.variants); err != nil {
			return inputError(err)
		}
	}
	if len(sides) > opts.maxRuns/opts.seeds {
		return usagef("%d sides × %d seeds is more than the limit of %d runs (raise it with --max-runs)", len(sides), opts.seeds, opts.maxRuns)
	}
	onPhase("set-up")
	cmp, err := experiment.NewComparison(sides, opts.seedList())
	if err != nil {
		return inputError(err)
	}
	var conds []*experiment.Condition
	for _, text := range opts.failIf {
		c, err := experiment.ParseCondition(text, cmp.Metrics())
		if err != nil {
			return usagef("--fail-if %v", err)
		}
		conds = append(conds, c)
	}

	ctx, stop := interruptible(io.err, "running %d runs on %d workers (Ctrl-C stops them; nothing is written)", cmp.Runs(), opts.jobs)
	defer stop()
	onPhase("running")
	start := time.Now()
	res, err := cmp.Run(ctx, inParallel(opts.jobs), newProgress(io.err, opts.progress))
	stopped := ctx.Err() != nil
	stop() // from here on a signal ends the process at once
	if err != nil {
		if stopped {
			return interrupted("interrupted: nothing was written")
		}
		return err
	}
	printComparison(io.out, res, cmp.Runs(), time.Since(start), opts.jobs)

	dir := opts.out
	if dir == "" {
		if dir, err = defaultOut(res.Sides[0].Scenario, "compare"); err != nil {
			return err
		}
	}
	onPhase("writing")
	if err := writeComparison(dir, res); err != nil {
		return fmt.Errorf("writing the comparison: %w", err)
	}
	fmt.Fprintf(io.out, "\nwrote compare.json, %s and the plots (PNG and SVG) into %s\n", report.CompareFile, dir)

	var fails []string
	for _, c := range conds {
		fails = append(fails, c.Check(res)...)
	}
	if len(fails) > 0 {
		return fmt.Errorf("--fail-if: %d condition(s) hold:\n  %s", len(fails), strings.Join(fails, "\n  "))
	}
	if len(conds) > 0 {
		fmt.Fprintf(io.out, "--fail-if: none of %d condition(s) holds\n", len(conds))
	}
	return nil
}

// writeComparison writes compare.json, the plots (the key outcomes with
// their intervals, and overlays of each side's mean over its seeds) and
// compare.html, all renamed into place together.
func writeComparison(dir string, res *results.CompareResult) error {
	js, err := res.JSON()
	if err != nil {
		return err
	}
	means := res.MeanRuns()
	overlays := make([]plots.Labeled, len(means))
	for i, r := range means {
		overlays[i] = plots.Labeled{Label: res.Sides[i].Label + " (mean)", Run: r}
	}
	var figs []*plots.Figure
	if f := plots.CompareIntervals(res); f != nil {
		figs = append(figs, f)
	}
	figs = append(figs, plots.Compare(overlays)...)
	files, err := plots.Files(figs)
	if err != nil {
		return err
	}
	page, err := report.CompareHTML(res, figs, files)
	if err != nil {
		return err
	}
	files["compare.json"], files[report.CompareFile] = js, page
	return results.WriteDir(dir, files)
}

func printComparison(w io.Writer, res *results.CompareResult, runs int, wall time.Duration, jobs int) {
	labels := make([]string, len(res.Sides))
	for i, s := range res.Sides {
		labels[i] = s.Label
	}
	fmt.Fprintf(w, "Comparison of %s: %d sides × %d seeds (%s), %s; %d runs in %s on %d workers\n",
		strings.Join(labels, ", "), len(res.Sides), len(res.Seeds), seedRange(res.Seeds), res.Simulated(),
		runs, wall.Round(time.Millisecond), jobs)
	fmt.Fprintf(w, "Mean over the seeds ±half-width of its 95%% confidence interval. Δ: difference from %s, paired by seed; * significant (its interval excludes 0).\n\n", labels[0])

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"metric", "unit", labels[0]}
	for _, l := range labels[1:] {
		head = append(head, l, "Δ "+l)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, row := range res.Rows() {
		cells := []string{row.Label, row.Unit, row.Estimates[0]}
		for g := 1; g < len(row.Estimates); g++ {
			cells = append(cells, row.Estimates[g], row.Differences[g])
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()

	fmt.Fprintf(w, "\nVerdict against %s (significant differences only)\n", labels[0])
	for _, v := range res.Verdicts {
		fmt.Fprintf(w, "  %s: better on %s; worse on %s\n", v.Label, countedList(v.Better), countedList(v.Worse))
	}
}

// countedList says "none" or "3: a, b, c".
func countedList(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d: %s", len(xs), strings.Join(xs, ", "))
}

func seedRange(seeds []uint64) string {
	if len(seeds) == 1 {
		return fmt.Sprint(seeds[0])
	}
	return fmt.Sprintf("%d-%d", seeds[0], seeds[len(seeds)-1])
}
