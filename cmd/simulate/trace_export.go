package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/pflag"

	"github.com/failsim/failsim/sim"
	"github.com/failsim/failsim/sim/trace"
	"github.com/failsim/failsim/topology"
)

// addExportFlags adds the flags that write the chosen requests as trace
// files instead of telling them.
func addExportFlags(f *pflag.FlagSet, opts *traceOptions) {
	f.StringVar(&opts.format, "format", "", "write the requests as otlp (OTLP/JSON lines), jaeger (Jaeger JSON) or chrome (trace-event JSON) instead of telling them")
	f.StringVar(&opts.outFile, "out", "", "with --format: the file to write (default: standard output)")
	f.BoolVar(&opts.all, "all", false, "with --format: every request that matches the filters, in the order they started, instead of -n spread over them")
	f.IntVar(&opts.max, "max", 10000, "with --all: at most this many requests (the first ones)")
}

// exportTrace writes the chosen requests in opts.format; the file is
// written whole or not at all.
func exportTrace(ctx context.Context, sc *topology.Scenario, seed uint64, opts *traceOptions, io streams) error {
	if opts.format == "" {
		opts.format = trace.FormatOTLP
	}
	if !slices.Contains(trace.Formats, opts.format) {
		return usagef("--format %q: want one of otlp, jaeger, chrome", opts.format)
	}
	if opts.max < 1 {
		return usagef("--max must be at least 1, got %d", opts.max)
	}
	f := trace.Filter{Requests: opts.requests, Component: opts.component, From: opts.from, To: opts.to}
	var reqs []trace.Request
	var err error
	total := 0
	if opts.all {
		reqs, total, err = trace.SampleAll(ctx, sc, sim.Options{Seed: seed}, opts.max, f)
	} else {
		n := opts.n
		if len(opts.requests) > 0 {
			n = len(opts.requests)
		}
		reqs, err = trace.Sample(ctx, sc, sim.Options{Seed: seed}, n, f)
		total = len(reqs)
	}
	if err != nil {
		return err
	}
	if len(reqs) == 0 {
		return usagef("no request of %s (seed %d) matches the filters", title(sc), seed)
	}
	var b bytes.Buffer
	if err := trace.Export(&b, opts.format, sc, seed, reqs); err != nil {
		return err
	}
	if opts.outFile == "" {
		_, err := io.out.Write(b.Bytes())
		return err
	}
	if err := writeFileAtomic(opts.outFile, b.Bytes()); err != nil {
		return err
	}
	more := ""
	if total > len(reqs) {
		more = fmt.Sprintf(" (the first %d of %d that match; raise --max for more)", len(reqs), total)
	}
	fmt.Fprintf(io.err, "wrote %d request(s) of %s as %s to %s%s\n", len(reqs), title(sc), opts.format, opts.outFile, more)
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it: a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
