// Package report writes report.html: one self-contained file for a design
// review, with a run's summary tables, recovery verdict, dashboard, every
// figure of package plots (embedded as PNG data: URIs, so that it opens
// offline, attached to a document, with no network at all) and the scenario
// text. It also writes the figures themselves, as PNG and SVG, beside it.
package report
