package sim

// deque is a growable ring buffer of records: a server's queue or a
// balancer's pending requests. It holds a reference to each record in it, so
// a record that leaves early (expired, cancelled, dropped) stays valid as a
// tombstone until it reaches an end and is skipped.
type deque struct {
	buf        []int32
	head, size int
}

func (q *deque) len() int { return q.size }

func (q *deque) push(x int32) {
	if q.size == len(q.buf) {
		n := make([]int32, max(16, 2*len(q.buf)))
		for i := range q.size {
			n[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = n, 0
	}
	q.buf[(q.head+q.size)%len(q.buf)] = x
	q.size++
}

func (q *deque) popFront() int32 {
	x := q.buf[q.head]
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return x
}

// peek is the record popBack (back) or popFront would return, -1 when empty.
func (q *deque) peek(back bool) int32 {
	switch {
	case q.size == 0:
		return -1
	case back:
		return q.buf[(q.head+q.size-1)%len(q.buf)]
	}
	return q.buf[q.head]
}

func (q *deque) popBack() int32 {
	q.size--
	return q.buf[(q.head+q.size)%len(q.buf)]
}
