// Package live holds what the figures of package plots are made of, as
// numbers rather than pictures: the tiers of a run, the arithmetic on its
// series (sums over a tier's replicas, rates, ratios), and the dashboard's
// charts as lines of values with their titles, labels and colours. The
// playground draws these in the browser while a run goes; package plots
// draws the same numbers with the same words into PNG and SVG.
//
// It reads results only (package sim/results) and links no plotting
// library, so that the engine compiled for the browser stays small.
package live
