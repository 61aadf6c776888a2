package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/sim/experiment"
	"github.com/failsim/failsim/sim/results"
)

// sweepOptions are the flags of `simulate sweep`.
type sweepOptions struct {
	experimentFlags
	file      string
	variant   string
	sets      []string
	out       string
	resume    bool
	shard     string
	bestBy    string
	findEdge  string
	edgeSteps int
	precision float64
	maxSeeds  int
}

func newSweepCmd(io streams) *cobra.Command {
	opts := &sweepOptions{}
	cmd := &cobra.Command{
		Use:   "sweep FILE --set KEY=V1,V2,... [--set ...]",
		Short: "Run a grid of settings over many seeds; find where recovery stops",
		Long: `Run every combination of the --set values (a grid point) on --seeds seeds, and
print each outcome per point with its 95% confidence interval. Values are split
at commas outside brackets, braces and quotes; "-" leaves the key as the file has
it: --set 'client.users.retry.budget=-,{kind="grpc"}' is with and without a
retry budget.

Each run is appended to DIR/runs.jsonl as it finishes: Ctrl-C keeps what is done
(exit status 130) and --resume runs the rest. At the end DIR holds runs.jsonl in
run order, sweep.json and the plots, the same bytes however the sweep was run.

--shard I/N runs only the runs whose index % N == I, into DIR/runs-I-of-N.jsonl
(with /N, I comes from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID); 'simulate
merge' joins the shards. --find-edge KEY bisects KEY between the two values its
--set gives for where the system stops recovering. See docs/experiments.md.`,
		Example: `  simulate sweep scenarios/timeout-mismatch.toml --set client.users.timeout=2s,4s \
      --set client.users.retry.max_attempts=3,5 --set 'client.users.retry.budget=-,{kind="grpc"}'
  simulate sweep scenarios/retry-storm.toml --set client.users.users=160,200,240,280 --seeds 20
  simulate sweep scenarios/timeout-mismatch.toml --set 'fault[0].for=1s,30s' --find-edge 'fault[0].for'`,
		Args: exactArgs(1, "one scenario file"),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.file = args[0]
			return runSweep(opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.variant, "variant", "", "sweep this variant of the scenario instead of its base")
	f.StringArrayVar(&opts.sets, "set", nil, "KEY=V1,V2,...: the values a key takes (one value: a fixed setting); repeat for more keys")
	f.StringVar(&opts.out, "out", "", "directory for runs.jsonl, sweep.json and the plots (default out/NAME/sweep, out/NAME/edge)")
	f.BoolVar(&opts.resume, "resume", false, "keep the runs already in the runs file and run the rest")
	f.StringVar(&opts.shard, "shard", "", "I/N: run only the runs whose index % N == I (/N: I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)")
	f.StringVar(&opts.bestBy, "best-by", "success_rate", "the metric that picks the best point")
	f.Float64Var(&opts.precision, "precision", 0, "run more seeds, after --seeds, until every point's 95% interval of success rate, goodput, p99 and wasted work is within this fraction of its mean (e.g. 0.05)")
	f.IntVar(&opts.maxSeeds, "max-seeds", 100, "with --precision: stop adding seeds here")
	f.StringVar(&opts.findEdge, "find-edge", "", "bisect this key, between the two values its --set gives, for where the system stops recovering")
	f.IntVar(&opts.edgeSteps, "edge-steps", 6, "with --find-edge: values to probe between the bounds")
	addExperimentFlags(cmd, &opts.experimentFlags)
	return cmd
}

func runSweep(opts *sweepOptions, io streams) error {
	if err := opts.check(); err != nil {
		return err
	}
	var axes []results.Axis
	for _, spec := range opts.sets {
		a, err := experiment.ParseAxis(spec)
		if err != nil {
			return usagef("--set %v", err)
		}
		if slices.ContainsFunc(axes, func(b results.Axis) bool { return b.Key == a.Key }) {
			return usagef("--set %s is given twice; list its values in one --set, separated by commas", a.Key)
		}
		axes = append(axes, a)
	}
	var shard experiment.Shard
	if opts.shard != "" {
		var err error
		if shard, err = parseShard(opts.shard, os.Getenv); err != nil {
			return err
		}
	}
	if opts.findEdge != "" && (opts.shard != "" || opts.resume) {
		return usagef("--find-edge probes one value after another: it cannot be sharded or resumed")
	}
	switch {
	case opts.precision < 0 || opts.precision >= 1:
		return usagef("--precision must be a fraction of the mean, between 0 and 1 (e.g. 0.05), got %g", opts.precision)
	case opts.precision > 0 && opts.maxSeeds < max(opts.seeds, 2):
		return usagef("--max-seeds %d must be at least --seeds (%d) and 2", opts.maxSeeds, opts.seeds)
	case opts.precision > 0 && (opts.shard != "" || opts.resume || opts.findEdge != ""):
		return usagef("--precision adds seeds after looking at every point: it cannot be sharded, resumed or used with --find-edge")
	}
	onPhase("loading")
	c, err := readConfig(opts.file, opts.variant, nil)
	if err != nil {
		return err
	}
	onPhase("set-up")
	if n, ok := results.GridSize(axes); opts.precision > 0 && (!ok || n > opts.maxRuns/opts.maxSeeds) {
		return usagef("the grid's points times up to %d seeds (--max-seeds) are more than the limit of %d runs (raise it with --max-runs)",
			opts.maxSeeds, opts.maxRuns)
	}
	if n, ok := results.GridSize(axes); ok && n <= opts.maxRuns/opts.seeds && n >= 1000 {
		fmt.Fprintf(io.err, "checking the %d points of the grid before anything runs (Ctrl-C stops)\n", n)
	}
	s, err := experiment.NewSweepLimited(c, axes, opts.seeds, opts.seed, opts.maxRuns)
	if err != nil {
		return inputError(err)
	}
	if opts.findEdge != "" {
		return runEdge(s, opts, io)
	}
	if err := results.CheckMetric(s.Metrics(), opts.bestBy); err != nil {
		return usagef("--best-by: %v", err)
	}
	dir := opts.out
	if dir == "" {
		if dir, err = defaultOut(s.Name(), "sweep"); err != nil {
			return err
		}
	}

	ctx, stop := interruptible(io.err, "running %d runs on %d workers (Ctrl-C stops and keeps the finished runs; --resume runs the rest)", s.Runs(), opts.jobs)
	defer stop()
	start := time.Now()
	kept, bar := -1, newProgress(io.err, opts.progress)
	progress := func(done, total int) {
		if kept < 0 {
			kept = done // the runs a resumed file already had
		}
		if bar != nil {
			bar(done, total)
		}
	}
	onPhase("running")
	runOpts := experiment.RunOptions{Dir: dir, Shard: shard, Resume: opts.resume, Parallel: inParallel(opts.jobs), Progress: progress}
	var path string
	var sw *results.SweepResult
	if opts.precision > 0 {
		path, sw, err = s.ExecuteToPrecision(ctx, runOpts, experiment.Precision{RelativeHalfWidth: opts.precision, MaxSeeds: opts.maxSeeds}, opts.bestBy)
	} else {
		path, err = s.Execute(ctx, runOpts)
	}
	stopped := ctx.Err() != nil
	stop() // from here on a signal ends the process at once
	switch {
	case stopped:
		return interrupted("interrupted: the finished runs are in %s; run the same command with --resume to finish", path)
	case errors.Is(err, fs.ErrExist):
		return usagef("%v: add --resume to finish that sweep, or remove it to start again", err)
	case err != nil:
		return inputError(err)
	case shard.Count > 0:
		fmt.Fprintf(io.out, "shard %s: its runs are in %s (%s)\nwhen every shard is done: simulate merge OUT %s\n",
			shard, path, time.Since(start).Round(time.Millisecond), filepath.Join(dir, fmt.Sprintf("runs-*-of-%d.jsonl", shard.Count)))
		return nil
	}
	if sw == nil {
		if sw, err = results.Merge([]string{path}, opts.bestBy); err != nil {
			return err
		}
	}
	printSweep(io.out, sw)
	fmt.Fprintf(io.out, "\n%d runs in %s on %d workers", len(sw.Points)*len(sw.Seeds)-kept, time.Since(start).Round(time.Millisecond), opts.jobs)
	if kept > 0 {
		fmt.Fprintf(io.out, ", %d kept from before", kept)
	}
	fmt.Fprintln(io.out)
	onPhase("writing")
	if err := writeSweep(dir, sw); err != nil {
		return fmt.Errorf("writing the sweep: %w", err)
	}
	fmt.Fprintf(io.out, "wrote runs.jsonl, sweep.json and the plots (PNG and SVG) into %s\n", dir)
	return nil
}

// writeSweep writes the whole sweep's runs file in run order, sweep.json and
// the plots, all renamed into place together.
func writeSweep(dir string, sw *results.SweepResult) error {
	runs, err := sw.RunsJSONL()
	if err != nil {
		return err
	}
	js, err := sw.JSON()
	if err != nil {
		return err
	}
	files, err := plots.Files(plots.Sweep(sw))
	if err != nil {
		return err
	}
	files[experiment.RunsFile(experiment.Shard{})], files["sweep.json"] = runs, js
	return results.WriteDir(dir, files)
}

// pointsPerTable keeps the sweep's table within a wide terminal.
const pointsPerTable = 6

func printSweep(w io.Writer, sw *results.SweepResult) {
	name := sw.Scenario
	if sw.Variant != "" {
		name += " (variant " + sw.Variant + ")"
	}
	fmt.Fprintf(w, "Sweep of %s: %d points × %d seeds (%s)\n", name, len(sw.Points), len(sw.Seeds), seedRange(sw.Seeds))
	var fixed []string
	for _, a := range sw.Axes {
		if len(a.Values) == 1 {
			fixed = append(fixed, a.Key+"="+a.Values[0])
		}
	}
	if len(fixed) > 0 {
		fmt.Fprintf(w, "Fixed: %s\n", strings.Join(fixed, ", "))
	}
	fmt.Fprintln(w, "Mean over the seeds ±half-width of its 95% confidence interval; * differs significantly from #0, paired by seed.")
	fmt.Fprintln(w, "\nPoints")
	for p, pt := range sw.Points {
		fmt.Fprintf(w, "  #%d  %s\n", p, pt.Label)
	}
	for from := 0; from < len(sw.Points); from += pointsPerTable {
		to := min(from+pointsPerTable, len(sw.Points))
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := []string{"metric", "unit"}
		for p := from; p < to; p++ {
			head = append(head, fmt.Sprintf("#%d", p))
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for i := range sw.Metrics {
			m := &sw.Metrics[i]
			sc := m.Scale()
			cells := []string{m.Label(), sc.Unit}
			for p := from; p < to; p++ {
				c := sc.Estimate(m.Estimates[p])
				if d := m.Differences[p]; d != nil && d.Significant {
					c += " *"
				}
				cells = append(cells, c)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
	}

	if b := sw.Best; b.Point >= 0 && len(sw.Points) > 1 {
		m := metricNamed(sw.Metrics, b.Metric)
		sc := m.Scale()
		fmt.Fprintf(w, "\nBest by %s: #%d %s: %s %s", b.Metric, b.Point, sw.Points[b.Point].Label, sc.Estimate(m.Estimates[b.Point]), sc.Unit)
		if len(b.Tied) > 0 {
			var tied []string
			for _, p := range b.Tied {
				tied = append(tied, fmt.Sprintf("#%d", p))
			}
			fmt.Fprintf(w, "; as good, as far as these seeds tell (no significant paired difference): %s", strings.Join(tied, ", "))
		}
		fmt.Fprintln(w)
	}
	if len(sw.Verdicts) > 0 {
		fmt.Fprintf(w, "Against #0 (significant differences only)\n")
		for _, v := range sw.Verdicts {
			fmt.Fprint(w, wrapText(fmt.Sprintf("#%d: %s", v.Group, v.Summary), "  ", "      ", compareWidth))
		}
	}
	printPrecision(w, sw.Precision, "point", len(sw.Seeds))
}

func metricNamed(ms []results.MetricResult, name string) *results.MetricResult {
	for i := range ms {
		if ms[i].Name == name {
			return &ms[i]
		}
	}
	return nil
}

// runEdge bisects one setting for the edge of recovery and writes edge.json
// and its plot.
func runEdge(s *experiment.Sweep, opts *sweepOptions, io streams) error {
	if opts.edgeSteps < 1 {
		return usagef("--edge-steps must be at least 1, got %d", opts.edgeSteps)
	}
	dir := opts.out
	if dir == "" {
		var err error
		if dir, err = defaultOut(s.Name(), "edge"); err != nil {
			return err
		}
	}
	ctx, stop := interruptible(io.err, "running the bisection of %s on %d workers (Ctrl-C stops it; nothing is written)", opts.findEdge, opts.jobs)
	defer stop()
	start := time.Now()
	e, err := s.FindEdge(ctx, opts.findEdge, opts.edgeSteps, inParallel(opts.jobs), newProgress(io.err, opts.progress))
	switch {
	case ctx.Err() != nil:
		return interrupted("interrupted: nothing was written")
	case errors.As(err, new(results.InputError)):
		return usagef("--find-edge %v", err)
	case err != nil:
		return err
	}
	printEdge(io.out, e, time.Since(start))
	js, err := e.JSON()
	if err != nil {
		return err
	}
	files, err := plots.Files([]*plots.Figure{plots.Edge(e)})
	if err != nil {
		return err
	}
	files["edge.json"] = js
	if err := results.WriteDir(dir, files); err != nil {
		return fmt.Errorf("writing the edge: %w", err)
	}
	fmt.Fprintf(io.out, "wrote edge.json and its plot (PNG and SVG) into %s\n", dir)
	return nil
}

func printEdge(w io.Writer, e *results.Edge, wall time.Duration) {
	fmt.Fprintf(w, "Edge of recovery of %s along %s: %d seeds (%s) at each value; a value recovers when half the seeds do\n",
		e.Scenario, e.Key, len(e.Seeds), seedRange(e.Seeds))
	if len(e.Settings) > 0 {
		fmt.Fprintf(w, "Fixed: %s\n", strings.Join(e.Settings, ", "))
	}
	succ := results.MetricResult{Metric: results.SuccessRateMetric()}
	good := results.MetricResult{Metric: results.GoodputMetric()}
	for i := range e.Probes {
		succ.Estimates = append(succ.Estimates, &e.Probes[i].SuccessRate)
		good.Estimates = append(good.Estimates, &e.Probes[i].Goodput)
	}
	ss, gs := succ.Scale(), good.Scale()
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tprobe\trecovered\tseeds that recovered\tsuccess (%s)\tgoodput (%s)\n", e.Key, ss.Unit, gs.Unit)
	for i, p := range e.Probes {
		var seeds []string
		for _, s := range p.RecoveredSeeds {
			seeds = append(seeds, fmt.Sprint(s))
		}
		mark := ""
		if i == e.Recovers || i == e.Fails {
			mark = " <"
		}
		fmt.Fprintf(tw, "%s%s\t%d\t%d/%d\t%s\t%s\t%s\n", p.Value, mark, p.Step, len(p.RecoveredSeeds), p.Recovered.N,
			strings.Join(seeds, " "), ss.Estimate(succ.Estimates[i]), gs.Estimate(good.Estimates[i]))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nEdge: %s\n%d runs in %s\n", e.Verdict, len(e.Probes)*len(e.Seeds), wall.Round(time.Millisecond))
}

// parseShard reads --shard I/N, or /N with I taken from the environment:
// JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (a
// Slurm job array). getenv is os.Getenv outside tests.
func parseShard(spec string, getenv func(string) string) (experiment.Shard, error) {
	bad := func(format string, args ...any) (experiment.Shard, error) {
		return experiment.Shard{}, usagef("--shard %s: %s", spec, fmt.Sprintf(format, args...))
	}
	is, ns, ok := strings.Cut(spec, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return bad("want I/N with N at least 1, e.g. 0/3, or /N to read I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID")
	}
	from := "--shard"
	if is == "" {
		for _, name := range []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"} {
			if v := getenv(name); v != "" {
				is, from = v, name
				break
			}
		}
		if is == "" {
			return bad("no shard index: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set")
		}
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return bad("shard index %q (from %s) must be a number from 0 to %d", is, from, n-1)
	}
	return experiment.Shard{Index: i, Count: n}, nil
}
