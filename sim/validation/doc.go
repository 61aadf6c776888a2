// Package validation checks the engine against theory. It owns the closed
// forms of queueing theory and retry algebra (Erlang B and C,
// Pollaczek-Khinchine, mean value analysis, 1 - p^N, the gRPC throttling
// threshold, layered amplification; Che's approximation for LRU caches
// lives with the cache model, topology.Cache.WarmHitRatio) and the suite that runs the scenarios
// of scenarios/validation over many seeds and sets each closed form beside
// the simulated mean and its 95% confidence interval. `simulate validate`
// prints the suite; docs/validation.md is its output, checked by a test.
package validation
