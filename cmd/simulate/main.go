// Command simulate runs failure scenarios of service architectures: clients,
// load balancers, services and databases with timeouts, retries and faults.
// See README.md for a tour and docs/ for the reference.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
