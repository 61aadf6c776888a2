package main

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/plots/report"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// compareOptions are the flags of `simulate compare`.
type compareOptions struct {
	experimentFlags
	files    []string
	variants []string
	sets     []string
	out      string
	failIf   []string

	precision float64
	maxSeeds  int
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
	f.Float64Var(&opts.precision, "precision", 0, "run more seeds, after --seeds, until every side's 95% interval of success rate, goodput, p99 and wasted work is within this fraction of its mean (e.g. 0.05)")
	f.IntVar(&opts.maxSeeds, "max-seeds", 100, "with --precision: stop adding seeds here")
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
	if opts.precision < 0 || opts.precision >= 1 {
		return usagef("--precision must be a fraction of the mean, between 0 and 1 (e.g. 0.05), got %g", opts.precision)
	}
	if opts.precision > 0 && opts.maxSeeds < max(opts.seeds, 2) {
		return usagef("--max-seeds %d must be at least --seeds (%d) and 2", opts.maxSeeds, opts.seeds)
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
	if opts.precision > 0 && len(sides) > opts.maxRuns/opts.maxSeeds {
		return usagef("%d sides × up to %d seeds (--max-seeds) is more than the limit of %d runs (raise it with --max-runs)", len(sides), opts.maxSeeds, opts.maxRuns)
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
	res, err := cmp.RunToPrecision(ctx, inParallel(opts.jobs), newProgress(io.err, opts.progress),
		experiment.Precision{RelativeHalfWidth: opts.precision, MaxSeeds: opts.maxSeeds})
	stopped := ctx.Err() != nil
	stop() // from here on a signal ends the process at once
	if err != nil {
		if stopped {
			return interrupted("interrupted: nothing was written")
		}
		return err
	}
	printComparison(io.out, res, len(res.Sides)*len(res.Seeds), time.Since(start), opts.jobs)

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
		overlays[i] = plots.Labeled{Label: res.Sides[i].Label, Run: r}
	}
	var figs []*plots.Figure
	if f := plots.CompareIntervals(res); f != nil {
		figs = append(figs, f)
	}
	figs = append(figs, plots.CompareMeans(overlays, len(res.Seeds))...)
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
	fmt.Fprintf(w, "Comparison of %s: %d sides × %d seeds (%s), %s\n%d runs in %s on %d workers\n",
		res.Sides[0].Scenario, len(res.Sides), len(res.Seeds), seedRange(res.Seeds), res.Simulated(),
		runs, wall.Round(time.Millisecond), jobs)

	fmt.Fprintf(w, "\nRanking: the mean of each side's ranks on %s\n", keyOutcomes(res))
	for i, r := range res.Ranking {
		fmt.Fprintf(w, "  %2d. %-*s  mean rank %s\n", i+1, labelWidth(labels), r.Label, strconv.FormatFloat(r.Score, 'f', -1, 64))
	}

	fmt.Fprintf(w, "\nEach cell: the mean over the seeds ±half-width of its 95%% interval; a time until recovery or\n"+
		"detection: the median [its interval]. * significantly better than %s, ! significantly worse\n"+
		"(paired by seed; compare.json and compare.html have the differences).\n", labels[0])
	for _, g := range res.Groups() {
		for i, cols := range packColumns(res, g.Metrics, labels, compareWidth) {
			title := g.Title
			if i > 0 {
				title += " (continued)"
			}
			fmt.Fprintf(w, "\n%s\n", title)
			printTable(w, res, cols, labels)
		}
	}

	printPrecision(w, res.Precision, "side", len(res.Seeds))
	fmt.Fprintf(w, "\nVerdict against %s (significant differences only)\n", labels[0])
	for _, v := range res.Verdicts {
		fmt.Fprint(w, wrapText(v.Label+": "+v.Summary, "  ", "      ", compareWidth))
	}
}

// compareWidth is how wide the comparison's tables may be: they split
// their columns to fit.
const compareWidth = 100

// keyOutcomes names the outcomes the ranking uses, in words.
func keyOutcomes(res *results.CompareResult) string {
	var names []string
	for _, m := range res.Metrics {
		if _, ok := res.Ranking[0].Ranks[m.Name]; ok {
			names = append(names, m.Label())
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func labelWidth(labels []string) int {
	w := len("side")
	for _, l := range labels {
		w = max(w, utf8.RuneCountInString(l))
	}
	return w
}

// cellText is a cell with its mark: * better, ! worse.
func cellText(m *results.MetricResult, g int) string {
	text, change := m.Cell(g)
	switch change {
	case "better":
		return text + " *"
	case "worse":
		return text + " !"
	}
	return text
}

// columnWidth is the widest of a metric's heading and cells.
func columnWidth(m *results.MetricResult) int {
	w := utf8.RuneCountInString(m.Heading())
	for g := range m.Estimates {
		w = max(w, utf8.RuneCountInString(cellText(m, g)))
	}
	return w
}

// packColumns splits a group's metrics into tables no wider than width,
// each with the side column first.
func packColumns(res *results.CompareResult, metrics []int, labels []string, width int) [][]int {
	var out [][]int
	used := labelWidth(labels)
	var cur []int
	for _, i := range metrics {
		cw := 2 + columnWidth(&res.Metrics[i])
		if len(cur) > 0 && used+cw > width {
			out = append(out, cur)
			cur, used = nil, labelWidth(labels)
		}
		cur = append(cur, i)
		used += cw
	}
	return append(out, cur)
}

// printTable prints the sides as rows and the metrics as columns.
func printTable(w io.Writer, res *results.CompareResult, cols []int, labels []string) {
	lw := labelWidth(labels)
	widths := make([]int, len(cols))
	var b strings.Builder
	b.WriteString(pad("side", lw))
	for j, i := range cols {
		widths[j] = columnWidth(&res.Metrics[i])
		b.WriteString("  " + pad(res.Metrics[i].Heading(), widths[j]))
	}
	fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	for g, l := range labels {
		b.Reset()
		b.WriteString(pad(l, lw))
		for j, i := range cols {
			b.WriteString("  " + pad(cellText(&res.Metrics[i], g), widths[j]))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

// wrapText wraps words to width, the first line indented by first, the
// others by rest.
func wrapText(text, first, rest string, width int) string {
	var b strings.Builder
	line := first
	for _, word := range strings.Fields(text) {
		if utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width && strings.TrimSpace(line) != "" {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = rest
		}
		if strings.TrimSpace(line) != "" {
			line += " "
		}
		line += word
	}
	return b.String() + line + "\n"
}

func seedRange(seeds []uint64) string {
	if len(seeds) == 1 {
		return fmt.Sprint(seeds[0])
	}
	return fmt.Sprintf("%d-%d", seeds[0], seeds[len(seeds)-1])
}

// printPrecision says how a stopping rule on precision ended, if there was
// one: reached after so many seeds, or the interval farthest from it.
func printPrecision(w io.Writer, p *results.Precision, group string, seeds int) {
	if p == nil {
		return
	}
	fmt.Fprintln(w)
	if p.Reached {
		fmt.Fprintf(w, "Precision: every %s's success rate, goodput, p99 and wasted work within ±%s of its mean after %d seeds\n",
			group, human.Percent(p.Target), seeds)
		return
	}
	worst := "a mean of zero"
	if r := p.Worst.RelativeHalfWidth; r != nil {
		worst = "±" + human.Percent(*r)
	}
	fmt.Fprintf(w, "Precision: not reached within %d seeds: %s of %s is %s of its mean, against ±%s\n",
		p.MaxSeeds, p.Worst.Metric, p.Worst.Side, worst, human.Percent(p.Target))
}
