package scenariofile

import (
	"math"

	"github.com/failsim/failsim/topology"
)

var durableKeys = []string{"consumer", "capacity", "retention", "visibility_timeout"}

// cacheOf reads a service's cache key. A cache needs calls: its misses go
// to them.
func (d *decoder) cacheOf(o *object, s *topology.Server) {
	n := o.get("cache")
	if n == nil {
		return
	}
	co := d.object(n, o.what+" cache", "keys", "capacity", "popularity", "zipf_s", "hot_fraction", "ttl", "coalesce")
	if co == nil {
		return
	}
	c := &topology.Cache{
		Keys:       co.integer("keys", 0, 1, 10_000_000),
		Popularity: topology.Popularity(co.enum("popularity", int(topology.Uniform), topology.PopularityNames)),
		ZipfS:      co.number("zipf_s", 1, 0, 10),
		Hot:        co.number("hot_fraction", 0.5, 0, 1),
		TTL:        d.limit(co, "ttl"),
		Coalesce:   co.boolean("coalesce", false),
		Pos:        d.pos(n),
	}
	if !co.has("keys") {
		co.missing("keys", "how many distinct keys requests ask for")
	}
	c.Capacity = co.integer("capacity", c.Keys, 1, 10_000_000)
	popularityKeys(co, c.Popularity)
	if !o.has("call") {
		o.errorf(n, "a cache sends its misses to the service's calls; add a [[call]] to the backing store")
	}
	s.Cache = c
}

// durableQueue reads a [queue.NAME]: its consumer service (all instances)
// and its limits.
func (d *decoder) durableQueue(o *object, q *topology.DurableQueue, r *resolver) {
	q.Consumers = r.resolveTarget(o, "consumer")
	for _, t := range q.Consumers {
		if r.kinds[t] != topology.KindService {
			o.errorf(o.get("consumer"), "consumer: %q is a %s; a queue delivers to a service, whose workers take its messages", r.names[t], r.kinds[t])
			q.Consumers = nil
			break
		}
	}
	q.Capacity = o.integer("capacity", -1, 0, math.MaxInt32)
	q.Retention = d.limit(o, "retention")
	q.VisibilityTimeout = d.limit(o, "visibility_timeout")
}

// checkFraction reports a call step that would never run.
func checkFraction(co *object, f float64) {
	if n := co.get("fraction"); n != nil && f == 0 {
		co.errorf(n, "fraction must be more than zero (a step that never runs is no step); remove the call instead")
	}
}
