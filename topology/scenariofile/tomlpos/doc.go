// Package tomlpos finds where keys and values are written in TOML source, so
// that errors found after decoding can be reported as file:line:col with the
// offending line and a caret.
//
// github.com/BurntSushi/toml decodes scenario files but keeps no positions.
// [Scan] reads the same source text once more and maps every key path (see
// [Join] for the syntax, e.g. "service.api.call[0].to") to the position of its
// key and of its value. It owns positions only: it neither validates TOML nor
// decodes values. Input is expected to have been accepted by the decoder
// already; on anything else Scan makes a best effort and never fails.
package tomlpos
