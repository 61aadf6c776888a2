// Package results is the output contract: what a run writes
// (summary.json, totals and verdicts, and timeseries.csv, per-bucket
// metrics in long format, header t,component,metric,value) and what an
// experiment over many runs writes (compare.json, sweep.json, runs.jsonl,
// edge.json), with the estimates in them and how each is computed from the
// runs (Outcome, Metric, Estimate). It writes files atomically and reads
// them back, so that plots, reports and merges work from files without
// running the engine: nothing here imports it.
//
// The JSON field names and metric names are a contract with users'
// scripts: docs/metrics.md and docs/experiments.md document each one; add,
// never rename.
package results
