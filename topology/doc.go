// Package topology turns a scenario file into a validated model: the
// components (clients, load balancers, services with their caches,
// databases, durable queues), how they call each other, and the faults on
// the timeline.
//
// Scenario files are TOML. Parse and Load validate strictly and report every
// problem at once, each with its file:line:col, the offending line and a
// caret: unknown keys (with a did-you-mean), durations without a unit,
// negative or out-of-range values, references to components that do not
// exist, and call cycles. A file may define variants ([variant.NAME]) that
// override keys of the base; every variant is validated whichever is run.
//
// docs/scenario-format.md is the reference for every key, unit and default.
package topology
