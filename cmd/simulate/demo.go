package main

import (
	"bytes"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/failsim/failsim/scenarios/demo"
)

func newDemoCmd(io streams) *cobra.Command {
	cfg := demo.Defaults()
	var out string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a small real system on loopback, traced with OpenTelemetry, to calibrate against",
		Long: `Start three Go net/http services on loopback (gateway -> api -> store), instrumented with
the OpenTelemetry Go SDK, send them Poisson load for --duration, and write their spans as
OTLP/JSON lines (--out). The gateway retries the api with a per-try timeout; the store has
a pool of workers and a latency knob, and --fault-factor slows it down N-fold for a window.
docs/calibration.md walks from its traces to a calibrated scenario and back.`,
		Example: `  simulate demo --duration 30s --out steady.jsonl
  simulate demo --duration 40s --fault-at 15s --fault-for 10s --fault-factor 10 --out fault.jsonl`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var b bytes.Buffer
			if out != "" {
				cfg.Traces = &b
			}
			res, err := demo.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if out != "" {
				if err := writeFileAtomic(out, b.Bytes()); err != nil {
					return err
				}
			}
			o := res.Outcome()
			fmt.Fprintf(io.out, "requests %d, succeeded %.1f%%, store calls per request %.3f, latency p50 %s p99 %s\n",
				res.Requests, 100*o.SuccessRatio, o.Amplification, o.P50.Round(10*time.Microsecond), o.P99.Round(10*time.Microsecond))
			if out != "" {
				fmt.Fprintf(io.out, "wrote %s\n", out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.Float64Var(&cfg.Rate, "rate", cfg.Rate, "requests per second (Poisson)")
	f.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long the load runs")
	f.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the load generator's and the store's draws")
	f.IntVar(&cfg.StoreWorkers, "store-workers", cfg.StoreWorkers, "calls the store serves at once")
	f.DurationVar(&cfg.StoreMedian, "store-median", cfg.StoreMedian, "the store's median service time")
	f.DurationVar(&cfg.StoreP99, "store-p99", cfg.StoreP99, "the store's 99th percentile service time")
	f.Float64Var(&cfg.StoreErrorRate, "store-errors", cfg.StoreErrorRate, "chance that a store call fails")
	f.DurationVar(&cfg.GatewayTimeout, "gateway-timeout", cfg.GatewayTimeout, "the gateway's per-try timeout to the api")
	f.IntVar(&cfg.GatewayAttempts, "gateway-attempts", cfg.GatewayAttempts, "the gateway's tries, the first included")
	f.DurationVar(&cfg.Fault.At, "fault-at", 0, "when the store slows down, after the load starts")
	f.DurationVar(&cfg.Fault.For, "fault-for", 0, "for how long")
	f.Float64Var(&cfg.Fault.Factor, "fault-factor", 0, "how much slower (0: no fault)")
	f.StringVar(&out, "out", "", "write the spans as OTLP/JSON lines to this file")
	return cmd
}
