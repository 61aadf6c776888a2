// Command simulate runs failure scenarios of service architectures: clients,
// load balancers, services and databases with timeouts, retries and faults.
//
// This package is the command line only, the top of the layers that
// docs/architecture.md draws: it parses flags, resolves the names of
// shipped scenarios (package scenarios), loads files with package
// scenariofile, runs them with package sim or sim/experiment, prints what
// they give and writes it with package results. It is the one place that
// knows flags: errors from the packages below are worded in their own
// terms, and the command adds the flag they came from. `simulate serve`
// hands the same work to the browser page of package playground. See
// README.md for a tour and docs/ for the reference.
package main
