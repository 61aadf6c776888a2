package main

import (
	"fmt"
	"io"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology/human"
)

// printInfra says what each cache and durable queue did; nothing when the
// scenario has none.
func printInfra(w io.Writer, s *results.Summary) {
	var caches, queues []string
	for _, name := range s.Order {
		k := s.Components[name]
		if c := k.Cache; c != nil {
			caches = append(caches, fmt.Sprintf("  %s: %s hits (%d of %d lookups), %d fetches, %d coalesced, %d keys held at the end",
				name, human.Percent(c.HitRatio), c.Hits, c.Hits+c.Misses, c.Fetches, c.Coalesced, c.Keys))
		}
		if q := k.Queue; q != nil {
			queues = append(queues, fmt.Sprintf("  %s: %d stored, %d refused, %d acked, %d expired, %d redelivered, %d held at the end; backlog up to %d, oldest %s",
				name, q.Stored, q.Rejected, q.Acked, q.Expired, q.Redelivered, q.Held, q.MaxBacklog, human.Seconds(q.MaxAgeS)))
		}
	}
	for _, sec := range []struct {
		title string
		lines []string
	}{{"Caches", caches}, {"Durable queues", queues}} {
		if len(sec.lines) > 0 {
			fmt.Fprintln(w, "\n"+sec.title)
			for _, l := range sec.lines {
				fmt.Fprintln(w, l)
			}
		}
	}
}
