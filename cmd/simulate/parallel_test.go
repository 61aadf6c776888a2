package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/failsim/failsim/sim"
)

func TestInParallelCallsEachOnce(t *testing.T) {
	for _, tc := range []struct{ workers, n int }{{1, 0}, {1, 5}, {2, 1}, {2, 100}, {8, 3}} {
		calls := make([]atomic.Int32, tc.n)
		inParallel(tc.workers)(tc.n, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Errorf("workers %d, n %d: work(%d) called %d times", tc.workers, tc.n, i, c)
			}
		}
	}
}

// BenchmarkReplications runs eight seeds of the shipped timeout-mismatch
// scenario on one worker and on two: the speed-up of parallel replications
// is the ratio of their runs/s.
//
//	go test ./cmd/simulate -run '^$' -bench Replications -benchtime 5x
func BenchmarkReplications(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				inParallel(workers)(8, func(i int) {
					sc, err := loadScenario("../../scenarios/timeout-mismatch.toml", "", nil)
					if err == nil {
						_, err = sim.Run(context.Background(), sc, sim.Options{Seed: uint64(i + 1)})
					}
					if err != nil {
						b.Error(err)
					}
				})
			}
			b.ReportMetric(float64(8*b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
