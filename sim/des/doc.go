// Package des is the discrete-event core: simulated time and the pending-event
// set.
//
// Time is an integer count of nanoseconds, so a run never depends on floating
// point rounding of the clock. The Scheduler orders events by (time, sequence):
// two events at the same instant fire in the order they were scheduled, which
// makes every run a pure function of its inputs.
//
// Costs: Schedule and Next are O(log4 n) in the number of pending events and
// allocate nothing once the heap and timer slab have grown to their working
// size. Cancel is O(1): a cancelled timer stays in the heap and is skipped
// when it reaches the top (lazy cancellation with a generation counter).
package des
