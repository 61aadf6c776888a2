package experiment

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkReplications runs eight seeds of the shipped timeout-mismatch
// scenario on one worker and on two: the speed-up of parallel replications
// is the ratio of their times per op.
//
//	go test ./sim/experiment -run '^$' -bench Replications -benchtime 5x
func BenchmarkReplications(b *testing.B) {
	c, err := readConfig("../../scenarios/timeout-mismatch.toml", "", nil)
	if err != nil {
		b.Fatal(err)
	}
	var jobs []job
	for r := range 8 {
		jobs = append(jobs, job{index: r, seed: uint64(r + 1)})
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				if err := execute(context.Background(), []Config{c}, jobs, workers, false, func(finished) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(jobs)*b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
