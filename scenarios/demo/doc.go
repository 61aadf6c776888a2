// Package demo is a small real system to calibrate the simulator against:
// three Go net/http services on loopback, instrumented with the
// OpenTelemetry Go SDK (otelhttp), writing their spans as OTLP/JSON lines
// the way the Collector's file exporter does.
//
//	loadgen --> gateway --> api --> store
//
// The load generator sends GET requests as a Poisson process. The gateway
// calls the api with a per-try timeout and retries at once; the api does a
// little work and calls the store; the store has a pool of workers (a
// semaphore whose wait honours cancellation) and a latency knob: a
// lognormal service time, a failure probability, and a fault that makes it
// N times slower for a window. Cancellation travels as Go's does: a caller
// that gives up closes its connection, and the callee's request context is
// cancelled, so a call still waiting for a store worker leaves, while one
// the store has started runs to its end.
//
// Unlike sim/ and topology/, this package is real: it reads the clock,
// starts goroutines and draws from its own random source. It lives apart
// from the engine for that reason.
package demo
