// Command simulate runs failure scenarios of service architectures: clients,
// load balancers, services and databases with timeouts, retries and faults.
//
// This package is the command line only: it parses flags, loads scenarios
// with package scenariofile, runs them with package sim, prints summaries and
// writes results with package results. See README.md for a tour and docs/
// for the reference.
package main
