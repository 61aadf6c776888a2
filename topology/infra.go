package topology

import (
	"math"
	"time"
)

// Cache makes a service cache-aside: each call asks for one of Keys keys,
// drawn from Popularity; the service looks it up after its work and, on a
// hit, answers at once without making its calls. On a miss it makes its
// calls (the backing store) and, when they succeed, stores the key,
// evicting the least recently used key when Capacity are held. A crash
// empties it.
type Cache struct {
	Keys       int
	Capacity   int
	Popularity Popularity
	ZipfS      float64       // zipf: the probability of the key of rank i is proportional to 1/i^ZipfS
	Hot        float64       // hot: the share of requests for the hot key; the others are uniform over the rest
	TTL        time.Duration // a stored key is a miss this long after it was stored; 0 for never
	Coalesce   bool          // a miss for a key already being fetched waits for that fetch
	Pos        Pos
}

// Popularity is how requests choose keys.
type Popularity uint8

// Key popularity distributions.
const (
	Uniform Popularity = iota
	Zipf
	HotKey // one key takes a share of the requests, the others share the rest evenly
)

// PopularityNames are the names scenario files give key popularities, indexed by value.
var PopularityNames = []string{"uniform", "zipf", "hot"}

func (p Popularity) String() string { return PopularityNames[p] }

// DurableQueue stores messages that producers send it and answers them at
// once; the Consumers (service instances) pull a message whenever one of
// their workers is free and nothing waits in their own queue. A delivery
// that fails, or is not answered within VisibilityTimeout, goes back to the
// front of the queue: delivery is at least once.
type DurableQueue struct {
	Consumers         []int
	Capacity          int           // messages stored at most; -1 for no limit
	Retention         time.Duration // a message stored this long is dropped; 0 for never
	VisibilityTimeout time.Duration // a delivery not answered within it is delivered again; 0 for never
}

// KeyProbabilities are the probabilities of the keys, most popular first.
func (c Cache) KeyProbabilities() []float64 {
	return keyProbabilities(c.Keys, c.Popularity, c.ZipfS, c.Hot)
}

// Records are a database's keyed, versioned records. Every call of a write
// chooses a key from Popularity, the same for every attempt of one logical
// request's write; a write that commits makes a new version of its key. A
// conditional write (WriteConditional) commits only if its key's version is
// the one it read.
type Records struct {
	Keys       int
	Popularity Popularity
	ZipfS      float64 // zipf: the probability of the key of rank i is proportional to 1/i^ZipfS
	Hot        float64 // hot: the share of writes to the hot key; the others are uniform over the rest
	Pos        Pos
}

// KeyProbabilities are the probabilities of the keys, most popular first.
func (r Records) KeyProbabilities() []float64 {
	return keyProbabilities(r.Keys, r.Popularity, r.ZipfS, r.Hot)
}

// keyProbabilities are the probabilities of n keys under a popularity.
func keyProbabilities(n int, pop Popularity, s, hot float64) []float64 {
	p := make([]float64, n)
	if pop == HotKey && n > 1 {
		p[0] = hot
		for i := 1; i < n; i++ {
			p[i] = (1 - hot) / float64(n-1)
		}
		return p
	}
	var sum float64
	for i := range p {
		p[i] = 1
		if pop == Zipf {
			p[i] = math.Pow(float64(i+1), -s)
		}
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// WarmHitRatio is the hit ratio of the warm cache without a TTL, by Che's
// approximation for LRU under independent requests (Che, Tung and Wang,
// 2002; Fricker, Robert and Roberts, 2012): a key stays in the cache for a
// characteristic time T after its last request, where T solves
// sum_i (1 - exp(-p_i T)) = Capacity, and the hit ratio is
// sum_i p_i (1 - exp(-p_i T)). For uniform keys it is Capacity/Keys exactly.
func (c Cache) WarmHitRatio() float64 {
	if c.Capacity >= c.Keys {
		return 1
	}
	if c.Popularity == Uniform {
		return float64(c.Capacity) / float64(c.Keys)
	}
	p := c.KeyProbabilities()
	held := func(t float64) (n, hit float64) {
		for _, q := range p {
			in := -math.Expm1(-q * t)
			n += in
			hit += q * in
		}
		return n, hit
	}
	lo, hi := 0.0, 1.0
	for n, _ := held(hi); n < float64(c.Capacity); n, _ = held(hi) {
		hi *= 2
	}
	for range 100 {
		mid := (lo + hi) / 2
		if n, _ := held(mid); n < float64(c.Capacity) {
			lo = mid
		} else {
			hi = mid
		}
	}
	_, hit := held((lo + hi) / 2)
	return hit
}
