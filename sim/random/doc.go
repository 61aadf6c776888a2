// Package random owns every random draw of a run: one independent stream per
// (component, purpose), derived from the run's master seed, and the duration
// distributions sampled from those streams.
//
// Deriving a stream from the component's name rather than from a shared
// generator means adding a component, or a draw for a new purpose, does not
// shift anybody else's draws: comparing two variants compares like with like
// (common random numbers).
package random
