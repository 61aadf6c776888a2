package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/plots/report"
	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
)

// runOptions are the flags of `simulate run`.
type runOptions struct {
	file     string
	variant  string
	seed     uint64
	seedSet  bool
	duration time.Duration
	out      string
	plot     bool
}

func newRunCmd(io streams) *cobra.Command {
	opts := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a scenario and write summary.json and timeseries.csv",
		Long: `Run a scenario file, print a summary table, and write DIR/summary.json and
DIR/timeseries.csv (DIR is out/NAME/VARIANT unless --out is given; "base" when no
variant is chosen). The same file, variant and seed always give the same bytes.`,
		Example: `  simulate run scenarios/timeout-mismatch.toml
  simulate run scenarios/timeout-mismatch.toml --variant aligned --seed 7 --out /tmp/aligned
  simulate run scenarios/timeout-mismatch.toml --plot --out out/`,
		Args: exactArgs(1, "one scenario file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file = args[0]
			opts.seedSet = cmd.Flags().Changed("seed")
			return runRun(opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.variant, "variant", "", "run this variant of the scenario instead of its base")
	f.Uint64Var(&opts.seed, "seed", 0, "master seed (default: the scenario's seed, else 1)")
	f.DurationVar(&opts.duration, "duration", 0, "simulated time to run, e.g. 10m (default: the scenario's duration)")
	f.StringVar(&opts.out, "out", "", "directory for summary.json and timeseries.csv (default out/NAME/VARIANT)")
	f.BoolVar(&opts.plot, "plot", false, "also write the plots, the dashboard, report.html and scenario.toml into the same directory")
	return cmd
}

func runRun(opts *runOptions, io streams) error {
	if opts.duration < 0 {
		return usagef("--duration must not be negative, got %s", opts.duration)
	}
	sc, err := topology.Load(opts.file, opts.variant)
	if err != nil {
		return err
	}
	if opts.duration > 0 {
		sc.Duration = opts.duration
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
	warnFindings(io.err, sc)
	dir := opts.out
	if dir == "" {
		v := sc.Variant
		if v == "" {
			v = "base"
		}
		dir = filepath.Join("out", sc.Name, v)
	}

	start := time.Now()
	res := sim.Run(sc, seed)
	wall := time.Since(start)

	printSummary(io.out, sc, res, wall)
	if err := res.Write(dir); err != nil {
		return fmt.Errorf("writing results: %w", err)
	}
	fmt.Fprintf(io.out, "\nwrote %s and %s\n", filepath.Join(dir, "summary.json"), filepath.Join(dir, "timeseries.csv"))
	if opts.plot {
		return writePlots(opts.file, dir, io)
	}
	return nil
}

// writePlots saves the scenario beside its results, for the report, and
// draws the plots from the files just written, so that they are the same
// bytes as a later 'simulate plot DIR' gives.
func writePlots(file, dir string, io streams) error {
	text, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("copying the scenario: %w", err)
	}
	if err := results.WriteFilesAtomic(map[string][]byte{filepath.Join(dir, report.ScenarioFile): text}); err != nil {
		return fmt.Errorf("copying the scenario: %w", err)
	}
	return runPlot(&plotOptions{dirs: []string{dir}}, io)
}
