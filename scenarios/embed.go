package scenarios

import "embed"

// FS holds every shipped scenario file by its path below scenarios/, e.g.
// "validation/mm1.toml".
//
//go:embed *.toml validation/*.toml perf/*.toml configs/*
var FS embed.FS
