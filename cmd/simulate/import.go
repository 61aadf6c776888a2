package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/sim/trace"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/scenariofile"
	"github.com/failsim/failsim/topology/traces"
)

func newImportCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Build a scenario from what a real system recorded",
	}
	cmd.AddCommand(newImportTracesCmd(io))
	return cmd
}

type importOptions struct {
	files    []string
	out      string
	name     string
	check    bool
	scenario string
	calib    string
	seed     uint64
	requests int
}

func newImportTracesCmd(io streams) *cobra.Command {
	opts := &importOptions{}
	cmd := &cobra.Command{
		Use:   "traces FILE...",
		Short: "Infer a scenario from OTLP or Jaeger traces, and check how well it fits them",
		Long: `Read traces (OTLP/JSON as the OpenTelemetry Collector's file exporter writes it, one
request a line, or one OTLP/JSON body; Jaeger JSON as its UI downloads it; Jaeger's
Elasticsearch documents) and write a scenario: a component per service (per operation
when a service has several), its own time as an empirical distribution, the calls each
makes with their retries and timeouts, and clients at the rates requests arrived. Its
comments give the evidence for each number; GUESS marks what traces cannot show
(worker counts, timeouts that never fired): edit those.

--check replays the scenario (the one written, or --scenario after you edited it) and
prints, per operation, the observed and simulated p50, p90, p99 and calls per request
with a verdict, and writes calibration.json. Bad input is reported with its file, line
or JSON path, and nothing is written.`,
		Example: `  simulate import traces traces.jsonl --out shop.toml
  simulate import traces traces.jsonl --out shop.toml --check
  simulate import traces traces.jsonl --scenario shop-edited.toml --check`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("expected one or more trace files")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			return runImportTraces(cmd.Context(), opts, io)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.out, "out", "imported.toml", "the scenario file to write")
	f.StringVar(&opts.name, "name", "", "the scenario's name (default: the --out file's name)")
	f.BoolVar(&opts.check, "check", false, "replay the scenario and compare it with the traces, per operation; write calibration.json")
	f.StringVar(&opts.scenario, "scenario", "", "with --check: check this scenario (an edited import) instead of writing one")
	f.StringVar(&opts.calib, "calibration", "", "with --check: where to write calibration.json (default: beside the scenario)")
	f.Uint64Var(&opts.seed, "seed", 1, "with --check: the seed of the replay")
	f.IntVar(&opts.requests, "requests", 20000, "with --check: simulated requests to compare")
	return cmd
}

// ImportTraces reads the files and infers their model and scenario.
func importTraces(files []string, name string) (*traces.Model, *traces.Written, error) {
	r := traces.NewReader()
	for _, f := range files {
		if err := r.ReadFile(f); err != nil {
			return nil, nil, err
		}
	}
	m, err := r.Infer()
	if err != nil {
		return nil, nil, err
	}
	return m, m.Scenario(name), nil
}

// importMemory is the soft memory limit of an import, unless GOMEMLIMIT
// says otherwise: spans take 64 bytes each, and without a limit the
// collector lets the heap double before it runs (a 1 GB file then needs
// 600 MB instead of 420 MB).
const importMemory = 400 << 20

func runImportTraces(ctx context.Context, opts *importOptions, io streams) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemory))
	}
	if opts.scenario != "" && !opts.check {
		return usagef("--scenario is for --check")
	}
	name := opts.name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(opts.out), filepath.Ext(opts.out))
	}
	m, w, err := importTraces(opts.files, name)
	if err != nil {
		var te *traces.Error
		if errors.As(err, &te) {
			return badFileError{fmt.Errorf("%w\nnothing was written", err)}
		}
		return err
	}
	path := opts.scenario
	var sc *topology.Scenario
	if path == "" {
		path = opts.out
		// The scenario must load before it is written: a bug here is not the
		// user's to find.
		if sc, err = scenariofile.Parse(path, w.TOML, ""); err != nil {
			return fmt.Errorf("the inferred scenario does not load (a bug in the import): %w", err)
		}
		if err := writeFileAtomic(path, w.TOML); err != nil {
			return err
		}
		fmt.Fprintf(io.out, "wrote %s: %d components from %d spans of %d traces\n", path, len(w.Components), m.Spans, m.Traces)
		for _, n := range m.Notes {
			fmt.Fprintf(io.out, "  note: %s\n", n)
		}
	} else if sc, err = scenariofile.Load(path, ""); err != nil {
		return err
	}
	if !opts.check {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	rows, err := checkFit(ctx, m, w, sc, opts.seed, opts.requests)
	if err != nil {
		return err
	}
	writeFit(io, rows)
	calib := opts.calib
	if calib == "" {
		calib = filepath.Join(filepath.Dir(path), "calibration.json")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"scenario": path, "traces": opts.files, "seed": opts.seed, "tolerances": map[string]float64{
		"p50": traces.TolP50, "p90": traces.TolP90, "p99": traces.TolP99, "per_request": traces.TolCount, "floor_s": traces.TolFloor,
	}, "operations": rows}); err != nil {
		return err
	}
	if err := writeFileAtomic(calib, b.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(io.out, "wrote %s\n", calib)
	return nil
}

// checkFit replays sc long enough for requests simulated requests after a
// warm-up and sets its operations against the observed ones.
func checkFit(ctx context.Context, m *traces.Model, w *traces.Written, sc *topology.Scenario, seed uint64, requests int) ([]traces.FitRow, error) {
	rate := 0.0
	for _, c := range sc.Components {
		if c.Client != nil && len(c.Client.Rate) > 0 {
			rate += c.Client.Rate[len(c.Client.Rate)-1].RPS
		}
	}
	warm := 5 * time.Second
	run := sc.Duration
	if rate > 0 {
		run = time.Duration(float64(requests) / rate * float64(time.Second))
	}
	run = min(max(run, 30*time.Second), time.Hour)
	sc.Duration = warm + run
	simulated, err := trace.Replay(ctx, sc, seed, warm, sc.Duration, requests)
	if err != nil {
		return nil, err
	}
	return traces.Fit(m, w, simulated), nil
}

func writeFit(io streams, rows []traces.FitRow) {
	tw := tabwriter.NewWriter(io.out, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "component\tspans\tper request\tsimulated\tp50\tsimulated\tp90\tsimulated\tp99\tsimulated\tverdict\t")
	ms := func(s float64) string { return fmt.Sprintf("%.1fms", s*1e3) }
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.3g\t%.3g\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Component, r.Observed.Spans, r.Observed.PerRequest, r.Simulated.PerRequest,
			ms(r.Observed.P50), ms(r.Simulated.P50), ms(r.Observed.P90), ms(r.Simulated.P90), ms(r.Observed.P99), ms(r.Simulated.P99), r.Verdict)
	}
	tw.Flush()
	for _, r := range rows {
		if r.Why != "" {
			fmt.Fprintf(io.out, "  %s: %s\n", r.Component, r.Why)
		}
	}
}

// badFileError is bad input in a file the command reads (not a scenario):
// exit status 2, and the message as it is.
type badFileError struct{ err error }

func (e badFileError) Error() string { return e.err.Error() }
func (e badFileError) Unwrap() error { return e.err }
