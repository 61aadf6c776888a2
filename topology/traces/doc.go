// Package traces reads distributed traces and infers from them a scenario
// that behaves like the system that produced them.
//
// It owns three things. Reading (read.go): OTLP/JSON as the OpenTelemetry
// Collector's file exporter writes it (one ExportTraceServiceRequest per
// line, streamed) or as one request body, through the Collector's own pdata
// reader; Jaeger's query API JSON, as its UI downloads it; Jaeger's
// Elasticsearch bulk documents. Every span is kept as a fixed-size record,
// so a gigabyte of input stays a few hundred bytes a span in memory. Bad
// input is an *Error naming the file, the line or JSON path, and the
// problem.
//
// Inference (infer.go): services by service.name; an operation is a span
// entered from another service (or from nowhere: a root), whatever its
// kind, so that spans without span.kind (OpenTracing) and calls to
// uninstrumented peers (a client span with db.system or peer.service and no
// child) still make a graph. Per operation it estimates the arrival rate,
// the error ratio, its own time (its span minus the union of the intervals
// it waited on calls) as quantiles and a fitted lognormal, and per callee
// the calls per run, retries (a try after a failed try to the same callee),
// timeouts (a failed try whose callee went on, or error.type "timeout"),
// backoff and whether calls overlap (parallel groups, kept in Operation.
// Groups for when the scenario format has them).
//
// Writing (scenario.go): a scenario TOML whose comments give the evidence
// for each number and mark as GUESS what traces cannot show (worker counts,
// timeouts that never fired, retry policies never exercised). Fit (fit.go)
// compares the operations of two models, observed and simulated, for
// `simulate import traces --check`.
//
// Like the rest of topology, nothing here reads the clock, starts a
// goroutine or lets map order decide an output.
package traces
