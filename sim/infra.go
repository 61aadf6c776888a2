package sim

import (
	"math"

	"github.com/failsim/failsim/sim/results"
)

// Bits of rec.infra: a job's state in caches and bulkheads.
const (
	fetching   uint8 = 1 << iota // a cache miss making the service's calls
	parked                       // a cache miss waiting for another job's fetch of its key
	inBulkhead                   // holds a place in its step's bulkhead
)

// infraColumns are a server's cache and bulkhead metrics, when it has them.
func infraColumns(k *component) []column {
	var cols []column
	if ca := k.srv.cache; ca != nil {
		cols = append(cols,
			count("cache_hits", func(c *counts) int64 { return c.cacheHits }),
			count("cache_misses", func(c *counts) int64 { return c.cacheMisses }),
			count("cache_coalesced", func(c *counts) int64 { return c.coalesced }),
			column{"cache_hit_ratio", func(v *view) float64 {
				if n := v.c.cacheHits + v.c.cacheMisses; n > 0 {
					return float64(v.c.cacheHits) / float64(n)
				}
				return math.NaN()
			}},
			column{"cache_fetches_rps", func(v *view) float64 { return float64(v.c.cacheMisses-v.c.coalesced) / v.width }},
			column{"cache_keys", func(*view) float64 { return float64(ca.held) }},
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
		{"backlog_mean", func(v *view) float64 { return v.queue[0] }},
		{"backlog_max", func(v *view) float64 { return v.queue[1] }},
		{"backlog", func(*view) float64 { return float64(d.stored()) }},
		{"delivering", func(*view) float64 { return float64(d.delivering) }},
		{"oldest_age_s", func(v *view) float64 {
			if d.msgs.len() == 0 {
				return 0
			}
			return (v.now - d.msgs.front()).Seconds()
		}},
		count("acked", func(c *counts) int64 { return c.acked }),
		count("redelivered", func(c *counts) int64 { return c.redelivered }),
		count("expired", func(c *counts) int64 { return c.expired }),
	}
}

// infraSummary adds component k's cache, queue and bulkhead totals.
func (s *Sim) infraSummary(k *component, c *results.Component) {
	m := k.stats.measured()
	t := &m
	c.BulkheadRejected = t.bulkheadRejected
	if k.srv != nil && k.srv.cache != nil {
		c.Cache = &results.Cache{Hits: t.cacheHits, Misses: t.cacheMisses, Coalesced: t.coalesced,
			Fetches: t.cacheMisses - t.coalesced, Keys: int64(k.srv.cache.held)}
		if n := t.cacheHits + t.cacheMisses; n > 0 {
			c.Cache.HitRatio = float64(t.cacheHits) / float64(n)
		}
	}
	if d := k.mq; d != nil {
		var most float64
		c.MeanQueue, most = k.stats.queue.Total(s.end)
		c.MaxQueue = int64(most)
		c.Queue = &results.Queue{Stored: t.completed, Rejected: t.rejected, Acked: t.acked, Expired: t.expired,
			Redelivered: t.redelivered, Held: int64(d.stored()), MaxBacklog: c.MaxQueue, MaxAgeS: d.maxAge.Seconds()}
	}
}
