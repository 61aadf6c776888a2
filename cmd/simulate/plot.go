package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/plots"
	"github.com/failsim/failsim/plots/report"
	"github.com/failsim/failsim/sim/results"
)

// plotOptions are the flags of `simulate plot`.
type plotOptions struct {
	dirs []string
	out  string
}

func newPlotCmd(io streams) *cobra.Command {
	opts := &plotOptions{}
	cmd := &cobra.Command{
		Use:   "plot DIR [DIR...]",
		Short: "Draw a run's plots and report.html, or overlay several runs",
		Long: `Draw plots from results written by 'simulate run', without running anything again.

With one directory: write the dashboard, every plot (PNG and SVG) and report.html,
a self-contained page for a design review, into DIR (or --out). With two or more:
write overlay plots of client p99 latency, goodput, amplification per tier and
wasted work, one line per run, into --out. See docs/plots.md for how to read them.`,
		Example: `  simulate plot out/timeout-mismatch/base
  simulate plot out/timeout-mismatch/base out/timeout-mismatch/aligned --out out/compare`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("expected one or more results directories, got none")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			opts.dirs = args
			return runPlot(opts, io)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", "", "directory to write into (default: DIR itself; required with several DIRs)")
	return cmd
}

func runPlot(opts *plotOptions, io streams) error {
	if len(opts.dirs) > 1 && opts.out == "" {
		return usagef("comparing %d runs needs --out DIR for the overlay plots", len(opts.dirs))
	}
	onPhase("loading")
	runs := make([]*results.Run, len(opts.dirs))
	for i, dir := range opts.dirs {
		r, err := readResults(dir)
		if err != nil {
			return err
		}
		runs[i] = r
	}

	if len(runs) == 1 {
		dir, out := opts.dirs[0], opts.out
		if out == "" {
			out = dir
		}
		design, err := report.ReadDesign(dir)
		if err != nil {
			return usagef("%s: %v", dir, err)
		}
		onPhase("writing")
		if err := writeReport(dir, out, runs[0], design); err != nil {
			return fmt.Errorf("writing plots: %w", err)
		}
		fmt.Fprintf(io.out, "wrote %s, the dashboard and the plots (PNG and SVG) into %s\n", report.File, out)
		return nil
	}

	labels := plots.Labels(runs, opts.dirs)
	compared := make([]plots.Labeled, len(runs))
	for i, r := range runs {
		compared[i] = plots.Labeled{Label: labels[i], Run: r}
	}
	figs := plots.Compare(compared)
	if err := plots.Write(opts.out, figs); err != nil {
		return fmt.Errorf("writing plots: %w", err)
	}
	fmt.Fprintf(io.out, "wrote %d overlay plots (PNG and SVG) into %s\n", len(figs), opts.out)
	return nil
}

// readResults reads a results directory; a missing or malformed one is bad
// input, reported with where and what.
func readResults(dir string) (*results.Run, error) {
	if _, err := os.Stat(filepath.Join(dir, results.SummaryFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, usagef("%s: not a results directory: no %s (write one with 'simulate run FILE --out %s')", dir, results.SummaryFile, dir)
	}
	r, err := results.Read(dir)
	if err != nil {
		return nil, usagef("%s: cannot read results: %v", dir, err)
	}
	if s := r.Summary; s.SimSeconds <= 0 || s.BucketSeconds <= 0 {
		return nil, usagef("%s: %s: sim_seconds and bucket_s must be positive, got %g and %g", dir, results.SummaryFile, s.SimSeconds, s.BucketSeconds)
	}
	return r, nil
}

// writeReport draws a run's plots and report into out. Into the run's own
// folder, the folder is replaced whole with the run's files and the new
// drawings (results.ReplaceDir), so that it never holds plots of two runs.
func writeReport(dir, out string, run *results.Run, design report.Design) error {
	files, err := report.Files(run, design)
	if err != nil {
		return err
	}
	if same, _ := sameDir(dir, out); !same {
		return results.WriteDir(out, files) // a folder of drawings only
	}
	for _, name := range []string{results.SummaryFile, results.TimeseriesFile, report.ScenarioFile, report.TopologyFile, report.CheckFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) && name != results.SummaryFile && name != results.TimeseriesFile {
			continue // a run without --plot, or from before they were written
		} else if err != nil {
			return err
		}
		files[name] = b
	}
	return results.ReplaceDir(dir, files, results.PreviousSource(dir))
}

// sameDir says whether two paths name the same folder.
func sameDir(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}
