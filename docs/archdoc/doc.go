// Package archdoc keeps docs/architecture.md true to the code. It owns the
// layering rules (which packages may import which, inside the module and
// outside it), checks them against the import graph that `go list` reports,
// and draws that graph for the page, between markers that the tests
// compare with the code:
//
//	<!-- BEGIN GENERATED dependencies: go test ./docs/archdoc -update rewrites this -->
//	...
//	<!-- END GENERATED dependencies -->
//
// A rule broken by a change fails `go test ./...` with the import that
// breaks it; a stale drawing fails it with the command that redraws it.
package archdoc
