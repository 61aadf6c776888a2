package main

import (
	"context"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/trace"
	"github.com/failsim/failsim/topology/human"
)

// traceOptions are the flags of `simulate trace`.
type traceOptions struct {
	file      string
	variant   string
	sets      []string
	seed      uint64
	seedSet   bool
	progress  bool
	duration  time.Duration
	durSet    bool
	n         int
	requests  []int64
	component string
	from, to  time.Duration
	format    string // "" for the narration; otlp, jaeger or chrome (trace_export.go)
	outFile   string
	all       bool
	max       int
}

func newTraceCmd(io streams) *cobra.Command {
	opts := &traceOptions{}
	cmd := &cobra.Command{
		Use:   "trace FILE|NAME",
		Short: "Tell the life of a few requests of a run in plain words",
		Long: `Run a scenario and tell, event by event, what happened to a few logical requests:
each attempt and the calls made for it, where they queued and worked, which caller
gave up while the components below kept working (and for how much longer), each
retry and its wait, the work done for nobody, and how the request ended.

Requests are numbered in the order they start. The flags choose which may be
sampled (started in --from/--to, reached --component, or given by --request);
-n of them are taken, evenly spread. The same scenario, variant and seed always
tell the same story. Nothing is written to disk.`,
		Example: `  simulate trace timeout-mismatch --from 60s --to 62s -n 2
  simulate trace timeout-mismatch --request 18444
  simulate trace retry-storm --component api-1 --from 65s -n 3
  simulate trace scenarios/timeout-mismatch.toml --variant cancellation --from 60s -n 1`,
		Args: exactArgs(1, "one scenario file or name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.file = args[0]
			opts.seedSet = cmd.Flags().Changed("seed")
			opts.durSet = cmd.Flags().Changed("duration")
			return runTrace(cmd.Context(), opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.variant, "variant", "", "trace this variant of the scenario instead of its base")
	f.StringArrayVar(&opts.sets, "set", nil, "override a key of the scenario, KEY=VALUE (repeatable)")
	f.Uint64Var(&opts.seed, "seed", 0, "master seed (default: the scenario's seed, else 1)")
	f.DurationVar(&opts.duration, "duration", 0, "simulated time to run (default: the scenario's duration)")
	f.IntVarP(&opts.n, "requests-to-show", "n", 3, "how many requests to tell")
	f.Int64SliceVar(&opts.requests, "request", nil, "tell these requests, by number (repeatable, or comma-separated)")
	f.StringVar(&opts.component, "component", "", "only requests that reached this component")
	f.BoolVar(&opts.progress, "progress", false, "show progress on stderr even when it is not a terminal")
	f.DurationVar(&opts.from, "from", 0, "only requests that started at or after this time, e.g. 60s")
	f.DurationVar(&opts.to, "to", 0, "only requests that started before this time (default: the end of the run)")
	addExportFlags(f, opts)
	return cmd
}

func runTrace(ctx context.Context, opts *traceOptions, io streams) error {
	if opts.n < 1 {
		return usagef("-n must be at least 1, got %d", opts.n)
	}
	if opts.from < 0 || opts.to < 0 || (opts.to > 0 && opts.to <= opts.from) {
		return usagef("--from %s and --to %s: want 0 <= from < to", opts.from, opts.to)
	}
	onPhase("loading")
	sc, err := loadScenario(opts.file, opts.variant, opts.sets)
	if err != nil {
		return err
	}
	if err := applyDuration(sc, opts.duration, opts.durSet); err != nil {
		return err
	}
	if c := opts.component; c != "" {
		var names []string
		for _, k := range sc.Components {
			names = append(names, k.Name)
		}
		if !slices.Contains(names, c) {
			return usagef("--component: no component named %q%s", c, human.DidYouMean(c, names))
		}
	}
	seed := sc.Seed
	if opts.seedSet {
		seed = opts.seed
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.format != "" || opts.all {
		return exportTrace(ctx, sc, seed, opts, io)
	}
	n := opts.n
	if len(opts.requests) > 0 {
		n = len(opts.requests)
	}
	onPhase("set-up")
	progress, done := newRunProgress(io.err, opts.progress, 2*sc.Duration)
	reqs, err := trace.Sample(ctx, sc, sim.Options{Seed: seed, Progress: progress}, n, trace.Filter{
		Requests: opts.requests, Component: opts.component, From: opts.from, To: opts.to,
	})
	done()
	if err != nil {
		return err
	}
	if len(reqs) == 0 {
		return usagef("no request of %s (seed %d) matches the filters", title(sc), seed)
	}
	return trace.Write(io.out, reqs)
}
