package sim

import (
	"math/rand/v2"
	"slices"

	"github.com/failsim/failsim/sim/des"
	"github.com/failsim/failsim/sim/random"
	"github.com/failsim/failsim/topology"
)

// cache is a service's key store: keys 0..n-1 drawn from their popularity,
// at most capacity of them held, the least recently used evicted first.
// Its arrays are indexed by key and allocated once, so lookups and stores
// allocate nothing.
type cache struct {
	cdf      []float64 // zipf: P(key <= i); nil for uniform
	n        int32
	draws    *rand.Rand
	capacity int32
	held     int32
	ttl      des.Time // 0 for never

	storedAt   []des.Time // when the key was stored; -1 when not held
	prev, next []int32    // the LRU list, most recent first
	head, tail int32

	// Coalescing (nil without): the job fetching each key, -1 for none,
	// and the jobs waiting for it. A waiting list holds a reference to each
	// job in it; a job that left early stays as a tombstone.
	fetcher []int32
	waiting [][]int32
}

func newCache(seed uint64, name string, c *topology.Cache) *cache {
	ca := &cache{
		n:        int32(c.Keys),
		draws:    random.Stream(seed, name, "keys"),
		capacity: int32(min(c.Capacity, c.Keys)),
		ttl:      des.FromDuration(c.TTL),
		storedAt: make([]des.Time, c.Keys),
		prev:     make([]int32, c.Keys),
		next:     make([]int32, c.Keys),
	}
	if c.Popularity != topology.Uniform {
		ca.cdf = c.KeyProbabilities()
		for i := 1; i < len(ca.cdf); i++ {
			ca.cdf[i] += ca.cdf[i-1]
		}
	}
	if c.Coalesce {
		ca.fetcher = make([]int32, c.Keys)
		ca.waiting = make([][]int32, c.Keys)
	}
	ca.reset()
	return ca
}

// reset empties the cache, as a restart does.
func (ca *cache) reset() {
	for i := range ca.storedAt {
		ca.storedAt[i] = -1
	}
	for i := range ca.fetcher {
		ca.fetcher[i] = -1
	}
	ca.held, ca.head, ca.tail = 0, -1, -1
}

// draw picks the key of the next request.
func (ca *cache) draw() int32 {
	if ca.cdf == nil {
		return ca.draws.Int32N(ca.n)
	}
	i, _ := slices.BinarySearch(ca.cdf, ca.draws.Float64())
	return int32(min(i, int(ca.n)-1))
}

// lookup reports whether key is held and fresh, and makes it the most
// recently used. A key older than the TTL is dropped: a miss.
func (ca *cache) lookup(key int32, now des.Time) bool {
	at := ca.storedAt[key]
	if at < 0 {
		return false
	}
	ca.unlink(key)
	if ca.ttl > 0 && now-at >= ca.ttl {
		ca.storedAt[key] = -1
		ca.held--
		return false
	}
	ca.pushFront(key)
	return true
}

// store holds key as fetched at now, evicting the least recently used key
// when the cache is full.
func (ca *cache) store(key int32, now des.Time) {
	if ca.storedAt[key] >= 0 {
		ca.unlink(key)
	} else {
		if ca.held == ca.capacity {
			t := ca.tail
			ca.unlink(t)
			ca.storedAt[t] = -1
			ca.held--
		}
		ca.held++
	}
	ca.storedAt[key] = now
	ca.pushFront(key)
}

func (ca *cache) unlink(key int32) {
	p, n := ca.prev[key], ca.next[key]
	if p >= 0 {
		ca.next[p] = n
	} else {
		ca.head = n
	}
	if n >= 0 {
		ca.prev[n] = p
	} else {
		ca.tail = p
	}
}

func (ca *cache) pushFront(key int32) {
	ca.prev[key], ca.next[key] = -1, ca.head
	if ca.head >= 0 {
		ca.prev[ca.head] = key
	} else {
		ca.tail = key
	}
	ca.head = key
}

// cacheLookup is job c's lookup after its work: a hit answers at once; a
// miss for a key another job is fetching waits for it (coalescing); any
// other miss makes the service's calls, the fetch.
func (s *Sim) cacheLookup(k *component, c int32) {
	ca := k.srv.cache
	cr := s.recs.at(c)
	key := ca.draw()
	cr.key = key
	if ca.lookup(key, s.now()) {
		k.stats.cur.cacheHits++
		s.finishJob(k, c, ok)
		return
	}
	k.stats.cur.cacheMisses++
	if ca.fetcher != nil {
		if ca.fetcher[key] >= 0 {
			k.stats.cur.coalesced++
			cr.infra |= parked
			cr.refs++ // the waiting list's hold
			ca.waiting[key] = append(ca.waiting[key], c)
			return
		}
		ca.fetcher[key] = c
	}
	cr.infra |= fetching
	cr.step = 0
	s.nextStep(k, c)
}

// cacheAnswered is job c leaving a cache with outcome o. A fetch that
// succeeded stores its key; the jobs waiting for the fetch get its outcome
// (ok, or an error for any other), as Go's singleflight gives every waiter
// the one result. A waiting job that leaves early (crash, cancel) leaves a
// tombstone.
func (s *Sim) cacheAnswered(k *component, c int32, o outcome) {
	ca := k.srv.cache
	cr := s.recs.at(c)
	if cr.infra&parked != 0 {
		cr.infra &^= parked
		return
	}
	cr.infra &^= fetching
	key := cr.key
	if o == ok {
		ca.store(key, s.now())
	}
	if ca.fetcher == nil || ca.fetcher[key] != c {
		return
	}
	ca.fetcher[key] = -1
	waiters := ca.waiting[key]
	ca.waiting[key] = waiters[:0] // finishing a waiter never looks a key up, so nothing joins meanwhile
	if o != ok {
		o = failed
	}
	for _, w := range waiters {
		if s.recs.at(w).infra&parked != 0 {
			s.finishJob(k, w, o)
		}
		s.recs.release(w) // the waiting list's hold
	}
}
