package experiment

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// values is KEY=1,2,...,n.
func values(key string, n int) string {
	vs := make([]string, n)
	for i := range vs {
		vs[i] = fmt.Sprint(i + 1)
	}
	return key + "=" + strings.Join(vs, ",")
}

// A grid beyond the limit of runs is refused at once, before any point is
// checked; so are seeds that would wrap around.
func TestHugeGridsAreRefusedBeforeAnythingIsChecked(t *testing.T) {
	for _, tc := range []struct {
		name  string
		axes  []string
		seeds int
		first uint64
		want  string
	}{
		{"a thousand by a thousand", []string{values("client.users.users", 1000), values("client.users.think.mean", 1000)}, 1, 1,
			"the grid has 1000 × 1000 points, times 1 seeds: more than the limit of 100000 runs (raise it with --max-runs)"},
		{"a billion seeds", []string{"duration=100s"}, 1_000_000_000, 1, "the grid has 1 points, times 1000000000 seeds"},
		{"more points than an int holds", []string{values("a", 100_000), values("b", 100_000), values("c", 100_000), values("d", 100_000)}, 1, 1,
			"the grid has 100000 × 100000 × 100000 × 100000 points"},
		{"seeds that wrap around", []string{"duration=100s"}, 3, 1<<64 - 1, "seeds 18446744073709551615 to 18446744073709551615+3-1 go past the last seed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as := axes(t, tc.axes...)
			start := time.Now()
			_, err := NewSweep(mustConfig(t, retryStorm), as, tc.seeds, tc.first)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("took %v to refuse", took)
			}
		})
	}
}

// Every point of a grid is checked before anything runs, but the grid is
// never held: what a sweep keeps does not grow with its points.
func TestAGridIsCheckedPointByPointAndNotKept(t *testing.T) {
	tiny := Config{File: "tiny.toml", Source: []byte("duration = \"2s\"\n[client.c]\ntarget = \"s\"\nrate = 10\n[service.s]\nworkers = 1\nservice_time = \"1ms\"\n")}
	heap := func(points int) (uint64, *Sweep) {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := NewSweepLimited(tiny, axes(t, values("client.c.rate", points)), 1, 1, points)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc), s
	}
	small, _ := heap(10)
	large, s := heap(5000)
	if s.Runs() != 5000 {
		t.Fatalf("%d runs, want 5000", s.Runs())
	}
	if got := strings.Join(s.point(4999), ","); got != "5000" {
		t.Errorf("point 4999 is %s, want 5000", got)
	}
	t.Logf("a sweep of 10 points keeps %d KB, of 5000 points %d KB", small>>10, large>>10)
	if large > small+(256<<10) {
		t.Errorf("a sweep of 5000 points keeps %d KB more than one of 10", (large-small)>>10)
	}
}
