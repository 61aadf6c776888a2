package scenariofile

import (
	"runtime"
	"testing"
	"time"
)

// bounded runs f, failing the test if it does not return within ten
// seconds (a read that blocks), and says what it allocated and how long it
// took.
func bounded(t *testing.T, f func() error) (alloc uint64, took time.Duration, err error) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("still loading after 10s")
	}
	took = time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, took, err
}
