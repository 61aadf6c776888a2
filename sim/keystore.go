package sim

import "github.com/failsim/failsim/sim/des"

// keyStore is a component's idempotency keys, each kept for ttl after the
// write that stored it. Keys expire in the order they were stored (one ttl
// for all), so a FIFO finds the expired ones at its front: the store holds
// the keys of the last ttl, never more.
type keyStore struct {
	ttl     des.Time
	durable bool
	expires map[uint64]des.Time
	fifo    []storedKey
	head    int // fifo[head:] are the keys not yet expired, or since overwritten
}

type storedKey struct {
	key uint64
	at  des.Time // when it expires
}

func newKeyStore(ttl des.Time, durable bool) *keyStore {
	return &keyStore{ttl: ttl, durable: durable, expires: map[uint64]des.Time{}}
}

// expire drops the keys whose time is up at now.
func (ks *keyStore) expire(now des.Time) {
	for ks.head < len(ks.fifo) && ks.fifo[ks.head].at <= now {
		e := ks.fifo[ks.head]
		if ks.expires[e.key] == e.at {
			delete(ks.expires, e.key)
		}
		ks.head++
	}
	if ks.head > 1024 && ks.head*2 > len(ks.fifo) { // reuse the space of expired entries
		n := copy(ks.fifo, ks.fifo[ks.head:])
		ks.fifo, ks.head = ks.fifo[:n], 0
	}
}

func (ks *keyStore) has(now des.Time, key uint64) bool {
	ks.expire(now)
	_, ok := ks.expires[key]
	return ok
}

// put stores key until now + ttl.
func (ks *keyStore) put(now des.Time, key uint64) {
	ks.expire(now)
	at := now + ks.ttl
	ks.expires[key] = at
	ks.fifo = append(ks.fifo, storedKey{key, at})
}

// size is how many keys are stored at now.
func (ks *keyStore) size(now des.Time) int {
	ks.expire(now)
	return len(ks.expires)
}

// clear empties the store, as a crash does to one kept in memory, and says
// how many keys were lost.
func (ks *keyStore) clear() int {
	n := len(ks.expires)
	clear(ks.expires)
	ks.fifo, ks.head = ks.fifo[:0], 0
	return n
}
