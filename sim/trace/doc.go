// Package trace follows sampled logical requests through a run and tells
// their lives in plain words: each attempt, where it queued and worked, who
// gave up on it while others went on working for nobody, each retry and its
// wait, and how it ended.
//
// Sampling is deterministic: a first run lists the requests that match the
// filter (started in a time window, reached a component, or given by
// number), the requests are numbered in the order they start, and the n
// chosen are spread evenly over that list; a second run, with the same
// scenario and seed, records their events. No randomness is involved beyond
// the run's own seed.
//
// The same lives export as spans (spans.go: a root span per request at its
// client, a client span per try at the caller and a server span at the
// callee, with OpenTelemetry's attribute names where they exist) to OTLP/JSON
// through the Collector's pdata, Jaeger's API JSON and Chrome trace events
// (export.go); simulated time maps to timestamps from a fixed Epoch, so the
// same run gives the same bytes. Replay reads a run's spans back through the
// trace importer (topology/traces) to check a calibrated scenario.
package trace
