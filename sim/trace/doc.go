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
package trace
