package topology

import "time"

// Write is what a call does to its callee's state.
type Write uint8

// Kinds of call: a read changes nothing; a write takes effect when the
// callee completes it. Running an idempotent write twice has the effect of
// running it once; running a non-idempotent one twice (a payment, an
// insert, a counter) has two effects. A conditional write is a
// read-modify-write with optimistic concurrency on a keyed record of a
// database (Records): it reads the record's version when its work starts
// and commits when its work ends only if no other write committed to the
// record in between, else it fails with a conflict. What it commits is a
// change computed from what it read, so running it twice (a retry after a
// lost answer) has two effects, as a non-idempotent write has.
const (
	WriteNone Write = iota
	WriteIdempotent
	WriteNonIdempotent
	WriteConditional
)

// WriteNames are the names scenario files give kinds of call, indexed by value.
var WriteNames = []string{"none", "idempotent", "non_idempotent", "conditional"}

// Repeats reports whether running the write twice has two effects.
func (w Write) Repeats() bool { return w == WriteNonIdempotent || w == WriteConditional }

func (w Write) String() string { return WriteNames[w] }

// Fallback is what a caller answers with when a call fails after its
// retries: a stale cached value or a default, after Latency. The caller's
// own answer is then a degraded success.
type Fallback struct {
	Latency time.Duration
	Pos     Pos
}

// KeyStore is where a component keeps the idempotency keys of the writes it
// completed, each for TTL: a write whose key is there is answered with the
// stored result and takes no effect. Unless Durable, a crash empties it.
type KeyStore struct {
	TTL     time.Duration
	Durable bool
	Pos     Pos
}

// PartialFailure is what a service handler does when one of its calls fails
// after an earlier write call succeeded.
type PartialFailure uint8

// Partial failure policies: leave the state inconsistent and fail; undo the
// earlier writes (compensating calls, which can fail too) and fail; or keep
// what succeeded, answer with success, and retry the failed call later from
// stored state until it succeeds.
const (
	PartialNone PartialFailure = iota
	PartialRollback
	PartialRetryStep
)

// PartialFailureNames are the names scenario files give partial failure policies, indexed by value.
var PartialFailureNames = []string{"none", "rollback", "retry-step"}

func (p PartialFailure) String() string { return PartialFailureNames[p] }

// MaxHedgeAttempts is gRPC's cap on hedgingPolicy.maxAttempts: larger
// values are treated as 5.
const MaxHedgeAttempts = 5

// PartialFailureRisk says whether a handler's calls can leave state
// inconsistent: a write followed by another call that can fail (one without
// a fallback), such as a second write.
func PartialFailureRisk(calls []Call) bool {
	wrote := false
	for _, c := range calls {
		if wrote && c.Fallback == nil {
			return true
		}
		wrote = wrote || c.Write != WriteNone
	}
	return false
}
