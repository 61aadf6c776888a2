// Package sim runs a validated scenario (topology.Scenario) and returns its
// results (results.Run). A run is a pure function of the scenario and the
// seed: simulated time is an integer, events are ordered by (time, sequence),
// every random draw comes from a stream derived from the seed and a
// component's name, and nothing inside a run reads the clock, starts a
// goroutine or iterates a map.
//
// The request model has three levels. A logical request is what a client
// wants. Each try to satisfy it is an attempt (the first included), and each
// hop from a caller to the next tier is a call. All three are records in one
// slab: a record is a call as its callee handles it (a job), and its parent
// is the job of the caller that made it. A logical request is the root job,
// handled by its client.
//
// When a caller gives up on a call (its timeout fires), the callee is not
// told unless the edge cancels or propagates its deadline: it keeps working,
// exactly as most real systems do, and the time it spends on work whose
// result nobody wants any more is counted as wasted. A job's work is wasted
// when its call, or any call above it, has been given up by its caller.
//
// Beyond calls, a run keeps the books of state (writes that take effect
// twice, idempotency keys, outcomes left inconsistent by partial failures,
// state.go), of hedged and fallback answers, and of operations: SLOs and
// alerts evaluated at every bucket boundary (alerts.go), interventions and
// autoscalers that change capacity and policies during the run
// (operate.go).
//
// Between a caller and its callee lies a link (links.go), when the scenario
// gives the edge a delay, a loss or a fault on links: a call crosses it on
// its way (lost, or delivered after a delay) and its answer on the way back
// (lost after the callee did the work, or delivered late). A database with
// keyed records (keys.go) versions them, and its conditional writes fail
// with a conflict when another write committed to their record since they
// read it.
//
// A durable queue answers its producers at once and delivers each message as
// a job of its own, with the message's store time as the job's arrival, to
// a consumer that pulls when it has a free worker. A cache's lookup happens
// after a service's work; only misses make the service's calls.
//
// Hot paths allocate nothing in steady state: records and timers come from
// free lists, events are plain values in a typed heap, and dispatch is a
// switch on the event kind.
//
// An optional Tracer (Options.Tracer) hears the semantic points of every
// request's life (start, send, queue, work, answer, timeout, what goes on
// after it, retry, give-up, end); without one each point costs a nil check.
package sim
