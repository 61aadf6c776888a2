package main

import (
	"sync"

	"github.com/failsim/failsim/sim/experiment"
)

// inParallel runs an experiment's runs on workers goroutines at once: the
// one place that runs simulations in parallel. Each run is a pure function
// of its scenario and seed and shares nothing with the others, so only how
// fast they finish depends on workers, never what they write.
func inParallel(workers int) experiment.Parallel {
	return func(n int, work func(i int)) {
		next := make(chan int)
		var wg sync.WaitGroup
		for range max(1, min(workers, n)) {
			wg.Go(func() {
				for i := range next {
					work(i)
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
	}
}
