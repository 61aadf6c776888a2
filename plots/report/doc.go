// Package report writes report.html: one self-contained file for a design
// review, with a run's summary tables, recovery verdict, dashboard, every
// figure of package plots (embedded as PNG data: URIs, so that it opens
// offline, attached to a document, with no network at all) and the scenario
// text. It also writes the figures themselves, as PNG and SVG, beside it.
//
// compare.html is the same kind of page for a comparison of variants over
// seeds (package sim/experiment): the verdict, the outcomes with their
// confidence intervals and paired differences, and the comparison figures.
package report
