// Package window owns sliding-window sums over simulated time: how many
// requests, accepts, deposits or failures happened in the last D seconds.
// The window is cut into a fixed number of slices, as Finagle's
// WindowedAdder and resilience4j's time-based window are, so memory is fixed
// and an old slice expires whole.
package window
