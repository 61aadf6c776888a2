package sim

import (
	"testing"
	"unsafe"
)

// A record spans exactly two cache lines: fields added for a mechanism take
// the padding, never a third line. prefetch loads the second from step.
func TestRecordIsTwoCacheLines(t *testing.T) {
	if n := unsafe.Sizeof(rec{}); n != 128 {
		t.Errorf("a record takes %d bytes, want 128", n)
	}
	if o := unsafe.Offsetof(rec{}.step); o != 64 {
		t.Errorf("step is at byte %d of a record, want 64: the start of its second line", o)
	}
}

// A caller that gives up on a call lets go of it at once: the call, still
// held by its callee, no longer holds its caller, so that finishing it later
// frees it alone. With keepChains the call holds its caller until it ends.
func TestCallerDoneLetsAbandonedCallsGo(t *testing.T) {
	for _, keep := range []bool{false, true} {
		rs := records{keepChains: keep}
		root := rs.alloc(-1, 0)
		rs.at(root).refs++ // the client's hold
		c := rs.alloc(root, 1)
		rs.at(c).refs += 2 // the caller's and the callee's holds
		rs.at(c).flags |= abandoned

		rs.callerDone(c)
		rs.release(root) // the request ends while the callee still works on c
		if got, want := rs.live(), 2; keep && got != want {
			t.Errorf("keepChains: %d records live after the request ended, want %d (c holds its caller)", got, want)
		}
		if got, want := rs.live(), 1; !keep && got != want {
			t.Errorf("%d records live after the request ended, want %d (only c)", got, want)
		}
		rs.release(c) // the callee's hold: c ends
		if rs.live() != 0 {
			t.Errorf("keepChains %v: %d records live after c ended, want 0", keep, rs.live())
		}
	}
}

// A call whose caller took its answer keeps holding its caller until it
// ends: the caller's record is in use.
func TestCallerDoneKeepsAnsweredCalls(t *testing.T) {
	var rs records
	root := rs.alloc(-1, 0)
	rs.at(root).refs++
	c := rs.alloc(root, 1)
	rs.at(c).refs += 2
	rs.callerDone(c)
	if p := rs.at(c).parent; p != root {
		t.Errorf("an answered call's parent is %d, want %d", p, root)
	}
	rs.release(c)
	if rs.live() != 1 {
		t.Errorf("%d records live, want the request alone", rs.live())
	}
}
