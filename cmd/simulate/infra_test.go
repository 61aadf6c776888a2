package main

import (
	"os"

	"github.com/failsim/failsim/sim/results"
)

func Example_printInfra() {
	printInfra(os.Stdout, &results.Summary{
		Order: []string{"users", "cache", "orders"},
		Components: map[string]results.Component{
			"users":  {Kind: "client"},
			"cache":  {Kind: "service", Cache: &results.Cache{Hits: 750, Misses: 250, Coalesced: 50, Fetches: 200, HitRatio: 0.75, Keys: 100}},
			"orders": {Kind: "queue", Queue: &results.Queue{Stored: 1000, Rejected: 5, Acked: 990, Expired: 2, Redelivered: 3, Held: 8, MaxBacklog: 400, MaxAgeS: 12.5}},
		},
	})
	// Output:
	// Caches
	//   cache: 75.0% hits (750 of 1000 lookups), 200 fetches, 50 coalesced, 100 keys held at the end
	//
	// Durable queues
	//   orders: 1000 stored, 5 refused, 990 acked, 2 expired, 3 redelivered, 8 held at the end; backlog up to 400, oldest 12.50s
}
