// Package prefetch asks the processor to bring memory into its caches ahead
// of use, without waiting for it: a hint that changes no result, only when
// a later load stops waiting on memory.
//
// A plain load cannot do this in Go: one whose value is unused is removed by
// the compiler, and one whose value is used holds up every instruction after
// it until memory answers. The prefetch instruction retires at once.
package prefetch
