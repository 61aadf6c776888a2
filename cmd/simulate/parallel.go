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

// counted tells progress, after each run par makes, how many of total are
// done, over every call an experiment makes to it: the runs of an
// experiment that calls it once per scenario add up.
func counted(par experiment.Parallel, total int, progress func(done, total int)) experiment.Parallel {
	if progress == nil {
		return par
	}
	var mu sync.Mutex
	done := 0
	progress(0, total)
	return func(n int, work func(i int)) {
		par(n, func(i int) {
			work(i)
			mu.Lock()
			defer mu.Unlock()
			done++
			progress(done, total)
		})
	}
}
