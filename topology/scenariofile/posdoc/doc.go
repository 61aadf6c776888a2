// Package posdoc reads JSON and YAML documents into a tree that keeps, for
// every key and value, the line and column where it is written, so that a
// problem found while interpreting the document (an unknown field, a value
// out of range) can be reported as file:line:col.
//
// It is the format layer of the gRPC service config and Envoy importers in
// package scenariofile: it checks syntax, rejects duplicate keys, and decides
// scalar types (a JSON number without a fraction or exponent, or a YAML
// !!int, is an int64; other numbers are float64). It knows nothing of gRPC or
// Envoy. Columns count runes, as tomlpos does for TOML. Reading is
// linear in the input; YAML aliases are followed, with the number of values
// bounded so that nested aliases cannot blow up.
package posdoc
