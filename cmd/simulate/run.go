package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/plots/report"
	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/check"
)

// runOptions are the flags of `simulate run`.
type runOptions struct {
	file        string
	variant     string
	sets        []string
	seed        uint64
	seedSet     bool
	duration    time.Duration
	durationSet bool
	out         string
	plot        bool
	cpuProfile  string
	memProfile  string
	maxInFlight int
	debug       bool
	findings    string
	progress    bool
}

func newRunCmd(io streams) *cobra.Command {
	opts := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run FILE|NAME",
		Short: "Run a scenario and write summary.json and timeseries.csv",
		Long: `Run a scenario file, or a shipped scenario by name ('simulate scenarios' lists
them), print a summary table, and write DIR/summary.json and
DIR/timeseries.csv (DIR is out/NAME/VARIANT unless --out is given; "base" when no
variant is chosen). The same file, variant and seed always give the same bytes.`,
		Example: `  simulate run scenarios/timeout-mismatch.toml
  simulate run retry-storm --variant backoff-jitter
  simulate run scenarios/timeout-mismatch.toml --variant aligned --seed 7 --out /tmp/aligned
  simulate run scenarios/timeout-mismatch.toml --plot --out out/mismatch
  simulate run scenarios/timeout-mismatch.toml --set client.users.timeout=4s
  simulate run scenarios/perf/hour-10k.toml --cpuprofile cpu.prof   # then: go tool pprof cpu.prof`,
		Args: exactArgs(1, "one scenario file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file = args[0]
			opts.seedSet = cmd.Flags().Changed("seed")
			opts.durationSet = cmd.Flags().Changed("duration")
			return runRun(opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.variant, "variant", "", "run this variant of the scenario instead of its base")
	f.StringArrayVar(&opts.sets, "set", nil, "override a key of the scenario, KEY=VALUE (repeatable), e.g. client.users.timeout=4s")
	f.Uint64Var(&opts.seed, "seed", 0, "master seed (default: the scenario's seed, else 1)")
	f.DurationVar(&opts.duration, "duration", 0, "simulated time to run, e.g. 10m (default: the scenario's duration)")
	f.StringVar(&opts.out, "out", "", "directory for summary.json and timeseries.csv (default out/NAME/VARIANT), replaced whole by the run; other files in it are kept")
	f.BoolVar(&opts.plot, "plot", false, "also write the plots, the dashboard, report.html and scenario.toml into the same directory")
	f.IntVar(&opts.maxInFlight, "max-in-flight", sim.DefaultMaxInFlight, "stop a diverging run when more calls than this are in flight at once, keeping the results so far")
	f.StringVar(&opts.findings, "findings", findingsCount, "what to print of the design check's findings before running: count, full or none")
	f.BoolVar(&opts.progress, "progress", false, "show progress on stderr even when it is not a terminal")
	f.BoolVar(&opts.debug, "debug", false, "check the engine's invariants at the end of every bucket, not only at the end of the run")
	f.StringVar(&opts.cpuProfile, "cpuprofile", "", "write a CPU profile of the simulation to this file (read it with go tool pprof)")
	f.StringVar(&opts.memProfile, "memprofile", "", "write a heap profile, taken when the simulation ends, to this file")
	return cmd
}

func runRun(opts *runOptions, io streams) error {
	if !slices.Contains([]string{findingsCount, findingsFull, findingsNone}, opts.findings) {
		return usagef("--findings must be count, full or none, got %q", opts.findings)
	}
	if opts.maxInFlight < 1 {
		return usagef("--max-in-flight must be at least 1, got %d", opts.maxInFlight)
	}
	onPhase("loading")
	sc, err := loadScenario(opts.file, opts.variant, opts.sets)
	if err != nil {
		return err
	}
	if err := applyDuration(sc, opts.duration, opts.durationSet); err != nil {
		return err
	}
	seed := sc.Seed
	if opts.seedSet {
		seed = opts.seed
	}
	for _, f := range sc.Faults {
		if f.At >= sc.Duration {
			fmt.Fprintf(io.err, "warning: fault %q starts at %s, after the run ends at %s; it will not happen\n", f.Name, f.At, sc.Duration)
		}
	}
	warnFindings(io.err, sc, opts.findings)
	dir := opts.out
	if dir == "" {
		v := sc.Variant
		if v == "" {
			v = "base"
		}
		if dir, err = defaultOut(sc.Name, v); err != nil {
			return err
		}
	}

	if err := results.CheckReplaceable(dir); err != nil {
		return usagef("%v", err)
	}
	if prev := results.PreviousSource(dir); prev != "" && prev != source(sc) {
		fmt.Fprintf(io.err, "warning: %s holds the results of %s, another file; this run of %s replaces them (give one of them another name, or --out, to keep both)\n",
			dir, prev, sc.File)
	}

	onPhase("set-up")
	stopProfile, err := startCPUProfile(opts.cpuProfile)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(io.err, "running %s, seed %d, %s simulated (Ctrl-C stops and keeps the results so far)", title(sc), seed, sc.Duration)
	defer stop()
	onPhase("running")
	start := time.Now()
	progress, done := newRunProgress(io.err, opts.progress, sc.Duration)
	res, err := sim.Run(ctx, sc, sim.Options{Seed: seed, MaxInFlight: opts.maxInFlight, Debug: opts.debug, Progress: progress})
	done()
	wall := time.Since(start)
	stopped := ctx.Err() != nil
	stop() // from here on a signal ends the process at once
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	if err := writeHeapProfile(opts.memProfile); err != nil {
		return err
	}

	printSummary(io.out, sc, res, wall)
	onPhase("writing")
	files, err := runFiles(sc, res, opts.plot)
	if err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	if err := results.ReplaceDir(dir, files, source(sc)); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	fmt.Fprintf(io.out, "\nwrote %s and %s\n", filepath.Join(dir, "summary.json"), filepath.Join(dir, "timeseries.csv"))
	if opts.plot {
		fmt.Fprintf(io.out, "wrote %s, the dashboard and the plots (PNG and SVG) into %s\n", report.File, dir)
	}
	switch s := res.Summary; {
	case stopped && s.Incomplete:
		return interrupted("%s; the results up to there are in %s, marked incomplete", s.StopReason, dir)
	case stopped:
		return interrupted("interrupted as the run ended; its results, complete, are in %s", dir)
	case !s.Incomplete:
		return nil
	case strings.Contains(s.StopReason, "without simulated time moving"):
		return fmt.Errorf("%s; the results up to there are in %s, marked incomplete (give the retries a backoff or a limit)", s.StopReason, dir)
	default:
		return fmt.Errorf("%s; the results up to there are in %s, marked incomplete (raise --max-in-flight to go further)", s.StopReason, dir)
	}
}

// title names a scenario and its variant.
func title(sc *topology.Scenario) string {
	if sc.Variant == "" {
		return sc.Name
	}
	return sc.Name + " (variant " + sc.Variant + ")"
}

// runFiles is everything a run writes into its folder, which is replaced
// whole: summary.json and timeseries.csv and, with plots, the scenario
// drawn and checked, the plots and report.html. The plots are drawn from
// the results read back from those bytes, so that they are the same bytes
// as a later 'simulate plot DIR' gives.
func runFiles(sc *topology.Scenario, res *results.Run, plot bool) (map[string][]byte, error) {
	sum, csv, err := res.Encode()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{results.SummaryFile: sum, results.TimeseriesFile: csv}
	if !plot {
		return files, nil
	}
	back, err := results.Decode(sum, csv)
	if err != nil {
		return nil, err
	}
	var checked bytes.Buffer
	if err := check.Run(sc).WriteJSON(&checked); err != nil {
		return nil, err
	}
	design := map[string][]byte{
		report.ScenarioFile: sc.Source,
		report.TopologyFile: plots.Topology(sc),
		report.CheckFile:    checked.Bytes(),
	}
	d, err := report.ParseDesign(design[report.ScenarioFile], design[report.TopologyFile], design[report.CheckFile])
	if err != nil {
		return nil, err
	}
	drawn, err := report.Files(back, d)
	if err != nil {
		return nil, fmt.Errorf("drawing the plots: %w", err)
	}
	for _, more := range []map[string][]byte{drawn, design} {
		for name, b := range more {
			files[name] = b
		}
	}
	return files, nil
}

// source identifies the scenario file a run came from, in its folder's
// manifest.
func source(sc *topology.Scenario) string {
	if abs, err := filepath.Abs(sc.File); err == nil {
		return abs
	}
	return sc.File
}

// startCPUProfile profiles the CPU into file until the returned function is
// called; with no file it does nothing.
func startCPUProfile(file string) (stop func() error, err error) {
	if file == "" {
		return func() error { return nil }, nil
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return results.WriteFilesAtomic(map[string][]byte{file: buf.Bytes()})
	}, nil
}

// writeHeapProfile writes what the heap holds after a collection, so that it
// shows what a run keeps rather than what it threw away.
func writeHeapProfile(file string) error {
	if file == "" {
		return nil
	}
	runtime.GC()
	var buf bytes.Buffer
	if err := pprof.WriteHeapProfile(&buf); err != nil {
		return fmt.Errorf("--memprofile: %w", err)
	}
	return results.WriteFilesAtomic(map[string][]byte{file: buf.Bytes()})
}
