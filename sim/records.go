package sim

import "github.com/failsim/failsim/sim/des"

// rec is a call as its callee handles it, or a logical request (parent -1)
// as its client handles it.
type rec struct {
	parent int32 // the caller's job, or -1
	comp   int32 // the component handling this record
	refs   int32 // holds: caller waiting, callee working, children alive
	flags  uint8
	user   int32 // closed-loop user of a logical request
	pick   int32 // index of this call's target in its balancer's target list
	sent   des.Time
	start  des.Time  // when a worker took it
	work   des.Time  // service time: how long the work itself takes (not waiting on calls)
	timer  des.Timer // the caller's timeout on this call
	wait   des.Timer // the job's own next event: work done, or the end of a backoff

	// The job's outbound call in progress: its step (servers), attempts so
	// far, the last backoff wait, the absolute deadline and the attempt now
	// in flight.
	step     int32
	tries    int32
	backoff  des.Time
	deadline des.Time
	child    int32

	prev, next int32 // the component's list of jobs (a crash drops them all)
}

const (
	abandoned uint8 = 1 << iota // the caller gave up; its answer goes nowhere
	queued                      // waiting for a worker
	working                     // holding a worker
	computing                   // doing its work (not yet making its calls)
	cutShort                    // the server's own timeout cut the work short
)

// records is the slab of records with its free list. It grows a page at a
// time, so a record never moves: growing copies nothing, and a *rec stays
// valid across allocations.
type records struct {
	pages [][]rec
	n     int32 // records ever allocated
	free  []int32
}

const pageBits = 12 // 4096 records a page

func (rs *records) at(i int32) *rec { return &rs.pages[i>>pageBits][i&(1<<pageBits-1)] }

func (rs *records) alloc(parent, comp int32) int32 {
	var i int32
	if n := len(rs.free); n > 0 {
		i = rs.free[n-1]
		rs.free = rs.free[:n-1]
	} else {
		if rs.n>>pageBits == int32(len(rs.pages)) {
			rs.pages = append(rs.pages, make([]rec, 1<<pageBits))
		}
		i = rs.n
		rs.n++
	}
	*rs.at(i) = rec{parent: parent, comp: comp, child: -1, pick: -1, prev: -1, next: -1}
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

// orphaned reports whether nobody waits for the result of job i any more:
// its call, or a call above it, was given up by its caller.
func (rs *records) orphaned(i int32) bool {
	for ; i >= 0; i = rs.at(i).parent {
		if rs.at(i).flags&abandoned != 0 {
			return true
		}
	}
	return false
}
