// Package metrics owns the fixed-size accumulators a run streams its
// measurements into: time-weighted levels (queue length, requests in flight),
// latency histograms with bounded relative error, and the recovery verdict
// computed from a goodput series. Memory depends on the number of components
// and buckets, never on the number of requests simulated.
package metrics
