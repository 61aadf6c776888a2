// Package topology turns a scenario file into a validated model: the
// components (clients, load balancers, services, databases), how they call
// each other, and the faults on the timeline.
//
// Scenario files are TOML. Parse and Load validate strictly and report every
// problem at once, each with its file:line:col, the offending line and a
// caret: unknown keys (with a did-you-mean), durations without a unit,
// negative or out-of-range values, references to components that do not
// exist, and call cycles. A file may define variants ([variant.NAME]) that
// override keys of the base; every variant is validated whichever is run.
//
// A client or load balancer may import its policy from a gRPC service config
// (JSON) or Envoy route and cluster files (YAML), read with their own field
// names, defaults and rules; ParseFS reads them from the scenario's
// directory, and problems in them are reported at their own file:line:col.
//
// docs/scenario-format.md is the reference for every key, unit and default.
// docs/importers.md describes the imports.
package topology
