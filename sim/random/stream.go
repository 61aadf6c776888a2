package random

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream returns the generator for one purpose of one component, e.g.
// Stream(seed, "db", "work"). The same arguments always give the same
// sequence; different names or purposes give independent ones.
func Stream(seed uint64, component, purpose string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(component))
	h.Write([]byte{0})
	h.Write([]byte(purpose))
	s1 := splitmix64(seed ^ h.Sum64())
	s2 := splitmix64(s1)
	return rand.New(rand.NewPCG(s1, s2))
}

// splitmix64 scrambles x so that nearby seeds give unrelated PCG states.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Indexed is a stream whose n-th draw is the same whenever it is asked
// for, and in any order: draws tied to an item rather than to a moment,
// such as the record a logical request's write chooses, which every
// attempt of that write must choose again.
type Indexed struct{ base uint64 }

// NewIndexed returns the indexed stream for one purpose of one component.
func NewIndexed(seed uint64, component, purpose string) Indexed {
	return Indexed{base: Stream(seed, component, purpose).Uint64()}
}

// Float64 is the stream's n-th draw, uniform in [0, 1).
func (x Indexed) Float64(n uint64) float64 {
	return float64(splitmix64(x.base^splitmix64(n))>>11) / (1 << 53)
}
