package sim

import (
	"math"

	"github.com/failsim/failsim/sim/results"
)

// Bits of rec.infra: a job's state in caches, bulkheads and links.
const (
	fetching   uint8 = 1 << iota // a cache miss making the service's calls
	parked                       // a cache miss waiting for another job's fetch of its key
	inBulkhead                   // holds a place in its step's bulkhead
	away                         // on its link, or lost there: its callee does not hold it (links.go)
)

// infraColumns are a server's cache and bulkhead metrics, when it has them.
func infraColumns(k *component) []column {
	var cols []column
	if ca := k.srv.cache; ca != nil {
		cols = append(cols,
			count("cache_hits", func(c *counts) int64 { return c.cacheHits }),
			count("cache_misses", func(c *counts) int64 { return c.cacheMisses }),
			count("cache_coalesced", func(c *counts) int64 { return c.coalesced }),
			fromView("cache_hit_ratio", func(v *view) float64 {
				if n := v.c.cacheHits + v.c.cacheMisses; n > 0 {
					return float64(v.c.cacheHits) / float64(n)
				}
				return math.NaN()
			}),
			fromView("cache_fetches_rps", func(v *view) float64 { return float64(v.c.cacheMisses-v.c.coalesced) / v.width }),
			fromState("cache_keys", func(*view) float64 { return float64(ca.held) }),
		)
	}
	for i := range k.srv.calls {
		if k.srv.calls[i].bulkhead > 0 {
			cols = append(cols, count("bulkhead_rejected", func(c *counts) int64 { return c.bulkheadRejected }))
			break
		}
	}
	return cols
}

// queueColumns are a durable queue's metrics.
func queueColumns(k *component) []column {
	d := k.mq
	return []column{
		fromView("backlog_mean", func(v *view) float64 { return v.queue[0] }),
		fromView("backlog_max", func(v *view) float64 { return v.queue[1] }),
		fromState("backlog", func(*view) float64 { return float64(d.stored()) }),
		fromState("delivering", func(*view) float64 { return float64(d.delivering) }),
		fromState("oldest_age_s", func(v *view) float64 {
			if d.msgs.len() == 0 {
				return 0
			}
			return (v.now - d.msgs.front()).Seconds()
		}),
		count("acked", func(c *counts) int64 { return c.acked }),
		count("redelivered", func(c *counts) int64 { return c.redelivered }),
		count("expired", func(c *counts) int64 { return c.expired }),
	}
}

// infraSummary adds report r's cache, queue and bulkhead totals.
func (s *Sim) infraSummary(r *report, c *results.Component) {
	m := r.stats.measured()
	t := &m
	c.BulkheadRejected = t.bulkheadRejected
	k := &s.comps[r.members[0]]
	if k.srv != nil && k.srv.cache != nil {
		c.Cache = &results.Cache{Hits: t.cacheHits, Misses: t.cacheMisses, Coalesced: t.coalesced, Fetches: t.cacheMisses - t.coalesced}
		for _, i := range r.members {
			c.Cache.Keys += int64(s.comps[i].srv.cache.held)
		}
		if n := t.cacheHits + t.cacheMisses; n > 0 {
			c.Cache.HitRatio = float64(t.cacheHits) / float64(n)
		}
	}
	if d := k.mq; d != nil {
		var most float64
		c.MeanQueue, most = r.stats.queue.Total(s.end)
		c.MaxQueue = int64(most)
		c.Queue = &results.Queue{Stored: t.completed, Rejected: t.rejected, Acked: t.acked, Expired: t.expired,
			Redelivered: t.redelivered, Held: int64(d.stored()), MaxBacklog: c.MaxQueue, MaxAgeS: d.maxAge.Seconds()}
	}
}
