package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/sim/results"
)

// mergeOptions are the flags of `simulate merge`.
type mergeOptions struct {
	out    string
	files  []string
	bestBy string
}

func newMergeCmd(io streams) *cobra.Command {
	opts := &mergeOptions{}
	cmd := &cobra.Command{
		Use:   "merge OUT FILE...",
		Short: "Join the runs files of a sharded sweep into its results",
		Long: `Join the runs files that the shards of one sweep wrote (simulate sweep --shard),
check that they are of the same scenario text, settings, seeds and build and
hold every run exactly once, and write into OUT what the unsharded sweep would
have: runs.jsonl in run order, sweep.json and the plots, the same bytes.`,
		Example: `  simulate merge out/tm/sweep out/tm/sweep/runs-*-of-3.jsonl`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("expected an output directory and one or more runs files, got %d argument(s)", len(args))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			opts.out, opts.files = args[0], args[1:]
			return runMerge(opts, io)
		},
	}
	cmd.Flags().StringVar(&opts.bestBy, "best-by", "success_rate", "the metric that picks the best point (as given to sweep)")
	return cmd
}

func runMerge(opts *mergeOptions, io streams) error {
	sw, err := results.Merge(opts.files, opts.bestBy)
	if err != nil {
		return inputError(err)
	}
	printSweep(io.out, sw)
	if err := writeSweep(opts.out, sw); err != nil {
		return fmt.Errorf("writing the sweep: %w", err)
	}
	fmt.Fprintf(io.out, "\nwrote runs.jsonl, sweep.json and the plots (PNG and SVG) into %s\n", opts.out)
	return nil
}
