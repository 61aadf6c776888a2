// Package results is the output format of a run: summary.json (totals and
// verdicts) and timeseries.csv (per-bucket metrics in long format, header
// t,component,metric,value). It writes them atomically and reads them back,
// so plots and comparisons work from files without re-running the engine.
//
// The JSON field names and metric names are a contract with users' scripts:
// docs/metrics.md documents each one; add, never rename.
package results
