package sim

import (
	"unsafe"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/internal/prefetch"
)

// rec is a call as its callee handles it, or a logical request (parent -1)
// as its client handles it. Fields are ordered by size so that a record
// takes 120 bytes: thousands of them are in flight in a spiral, and every
// byte is cache.
type rec struct {
	sent  des.Time  // when it reached its callee
	start des.Time  // when a worker took it
	work  des.Time  // service time: how long the work itself takes (not waiting on calls)
	due   des.Time  // the deadline the call carries (propagated), 0 for none
	timer des.Timer // the caller's timeout on this call
	wait  des.Timer // the job's own next event: work done, queue expiry, or the end of a backoff

	// The job's outbound call in progress: its absolute deadline, the last
	// backoff wait, its step (servers), attempts so far, the attempt now in
	// flight, and the budget cost of the retry it waits to send. A
	// database's job makes no call: a keyed database keeps the version of
	// its key that the job read in tries (keys.go).
	deadline des.Time
	backoff  des.Time
	step     int32
	tries    int32
	child    int32
	nextCost float32

	parent int32   // the caller's job, or -1
	comp   int32   // the component handling this record
	refs   int32   // holds: caller waiting, callee working, children alive, a queue entry, a link carrying it
	user   int32   // closed-loop user of a logical request; for a call, its link's delay to the callee in µs (links.go)
	pick   int32   // index of this call's target in its balancer's target list
	peers  int32   // calls inside its server when it was admitted, itself included (concurrency limit samples)
	cost   float32 // retry budget tokens this attempt took (AWS refunds them on success)

	prev, next int32 // the component's list of jobs (a crash drops them all)
	key        int32 // the key a cache job looks up, or a keyed database's job writes
	flags      uint16
	write      uint16 // the write this call makes (its slot + 1), 0 for a read
	infra      uint8  // cache and bulkhead state (infra.go)
	class      uint8  // the request class it serves (its index + 1), 0 for none: every call made for it inherits it (classes.go)
}

const (
	abandoned  uint16 = 1 << iota // the caller gave up; its answer goes nowhere
	cancelled                     // the caller told the callee it gave up
	queued                        // waiting for a worker
	pending                       // waiting in a balancer's pending queue for an upstream slot
	working                       // holding a worker
	computing                     // doing its work (not yet making its calls)
	cutShort                      // the server's own timeout cut the work short
	pastDue                       // the work was stopped at its propagated deadline
	isRetry                       // this call is a retry of its caller's
	backingOff                    // a retry is allowed and waits to be sent (backoff, or a pending slot)
	inside                        // admitted: in the component's list of jobs
)

// Flags of the state mechanisms (state.go, hedge.go).
const (
	degraded     = inside << (iota + 1) // it answered, or will, from a fallback
	compensating                        // rolling back its earlier write steps
	repairing                           // a repair: retries a failed step, with no caller
	hedgeCopy                           // a hedged attempt after the first
	member                              // a member of a group of calls made at once: its job's call to one callee (fanout.go)
)

// records is the slab of records with its free list. It grows a page at a
// time, so a record never moves: growing copies nothing, and a *rec stays
// valid across allocations.
type records struct {
	pages []*[pageSize]rec
	n     int32 // records ever allocated
	free  []int32

	// keepChains keeps every call linked to its logical request until it
	// ends, for runs that need the way up from an abandoned call: to count
	// a write's effects per request (state.go), or to tell a trace whose
	// work it is.
	keepChains bool
}

const (
	pageBits = 12
	pageSize = 1 << pageBits // records a page
)

func (rs *records) at(i int32) *rec { return &rs.pages[i>>pageBits][i&(pageSize-1)] }

// prefetch starts loading record i (-1 for none) into the caches, both of
// its lines, without waiting for it: a hint that changes no result.
func (rs *records) prefetch(i int32) {
	if i >= 0 {
		r := rs.at(i)
		prefetch.Line(unsafe.Pointer(r))
		prefetch.Line(unsafe.Pointer(&r.step)) // the first field of the second line
	}
}

func (rs *records) alloc(parent, comp int32) int32 {
	var i int32
	if n := len(rs.free); n > 0 {
		i = rs.free[n-1]
		rs.free = rs.free[:n-1]
	} else {
		if rs.n>>pageBits == int32(len(rs.pages)) {
			rs.pages = append(rs.pages, new([pageSize]rec))
		}
		i = rs.n
		rs.n++
	}
	r := rs.at(i)
	*r = rec{} // zeroing and then setting the few other fields is half the stores of a literal
	r.parent, r.comp, r.child, r.pick, r.prev, r.next = parent, comp, -1, -1, -1, -1
	if parent >= 0 {
		rs.at(parent).refs++
	}
	return i
}

// release drops one hold on i and frees every record whose last hold goes.
func (rs *records) release(i int32) {
	for i >= 0 {
		r := rs.at(i)
		r.refs--
		if r.refs > 0 {
			return
		}
		rs.free = append(rs.free, i)
		i = r.parent
	}
}

// callerDone drops the caller's hold on call c: the caller has its answer,
// or gave up on it. An abandoned call also stops holding its caller, unless
// keepChains: nothing above it is needed to finish it (orphaned stops at
// it), and finishing it, often seconds later while it waited in a queue,
// then touches none of the records above it, long gone from the caches.
// In a retry spiral that is most of the work: a fifth of the time at ten
// times timeout-mismatch's load went to those walks.
func (rs *records) callerDone(c int32) {
	if r := rs.at(c); r.flags&abandoned != 0 && !rs.keepChains {
		j := r.parent
		r.parent = -1
		rs.release(j)
	}
	rs.release(c)
}

// live counts records in use: calls and logical requests in flight.
func (rs *records) live() int { return int(rs.n) - len(rs.free) }

// orphaned reports whether nobody waits for the result of job i any more:
// its call, or a call above it, was given up by its caller.
// A repair is wanted whoever gave up above it.
func (rs *records) orphaned(i int32) bool {
	for ; i >= 0; i = rs.at(i).parent {
		switch f := rs.at(i).flags; {
		case f&abandoned != 0:
			return true
		case f&repairing != 0:
			return false
		}
	}
	return false
}
