// Package scenariofile reads scenario files (TOML) into a validated
// topology.Scenario, with the gRPC service configs (JSON) and Envoy route
// and cluster files (YAML) they import, the variants they define and the
// settings given from outside (`--set KEY=VALUE`).
//
// Parse and Load validate strictly and report every problem at once, each
// with its file:line:col, the offending line and a caret: unknown keys (with
// a did-you-mean), durations without a unit, negative or out-of-range
// values, references to components that do not exist, and call cycles. A
// file may define variants ([variant.NAME]) that override keys of the base;
// every variant is validated whichever is run.
//
// A client or load balancer may import its policy from a gRPC service config
// or Envoy files, read with their own field names, defaults and rules;
// ParseFS reads them from the scenario's directory, and problems in them
// are reported at their own file:line:col. Each external format has one
// reader: tomlpos finds positions in TOML, posdoc reads JSON and YAML with
// positions, grpc.go and envoy.go interpret them.
//
// docs/scenario-format.md is the reference for every key, unit and default.
// docs/importers.md describes the imports.
package scenariofile
