package sim

import "testing"

// peek names what the pop from the same end returns, across the ring's wrap
// and its growth, and -1 on an empty deque.
func TestDequePeekIsTheNextPop(t *testing.T) {
	var q deque
	if got := q.peek(false); got != -1 {
		t.Fatalf("peek of an empty deque = %d, want -1", got)
	}
	next := int32(0)
	for round := range 50 {
		for range 3 + round%5 {
			q.push(next)
			next++
		}
		back := round%2 == 0
		want := q.peek(back)
		var got int32
		if back {
			got = q.popBack()
		} else {
			got = q.popFront()
		}
		if got != want {
			t.Fatalf("round %d: peek(%v) = %d, then the pop gave %d", round, back, want, got)
		}
	}
}
