// Package topology is the model a run is made of: the components (clients,
// load balancers, services with their caches, databases, durable queues),
// the policies on the calls between them (timeouts, retries, budgets,
// breakers, hedges), the faults on the timeline, and the SLOs, alerts and
// interventions that operate them.
//
// A Scenario is validated: every component index is valid, the call graph
// has no cycle, every value is in range. Package scenariofile makes one
// from a file; the engine (package sim), the static review (package check)
// and the experiments take one as it is.
//
// The model carries its own arithmetic (the mean and quantiles of a
// distribution, a cache's warm hit ratio, a drift's value at a time) and
// the names scenario files give each enumeration, so that everything above
// it speaks the same words. It imports nothing but the standard library.
package topology
