// Package plots draws a run's results as pictures: client latency, load
// amplification per tier, offered load against goodput, outcomes, queues,
// wasted work and a four-panel dashboard, plus overlays that compare several
// runs on one picture. It reads results only (package sim/results), never the
// engine, so any results directory can be re-drawn without re-running it.
//
// A tier is a summary group: the replicas api-1..api-4 form the tier "api",
// whose per-bucket values are the sums of its members'. Metrics a figure
// needs but a run lacks are skipped (a line, a panel or a whole figure), and
// metrics it does not know are ignored, so results from newer or older
// engines still draw.
//
// Figures render to PNG and SVG with gonum.org/v1/plot. The same results
// always give the same bytes: nothing depends on the clock or on map order.
package plots
