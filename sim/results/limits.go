package results

import (
	"fmt"
	"math"

	"github.com/failsim/failsim/topology"
)

// MaxSeriesValues bounds a run's time series, buckets times metrics: what
// a run may keep (sim refuses a scenario whose run would keep more) and
// what is read back from timeseries.csv.
const MaxSeriesValues = 10_000_000

// maxSummarySize bounds summary.json read back: a run's is kilobytes, a
// few megabytes with thousands of components.
const maxSummarySize = 64 << 20

// checkSummary holds a summary read back to what a run can write: a
// duration and a bucket that are positive finite numbers and make at most
// topology.MaxBuckets buckets. A file edited or corrupted past that is
// refused before anything is sized from it.
func checkSummary(name string, s *Summary) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s; a run never writes that: the file is corrupt or was edited", name, fmt.Sprintf(format, args...))
	}
	switch sim, b := s.SimSeconds, s.BucketSeconds; {
	case !(sim > 0) || math.IsInf(sim, 0):
		return bad("sim_seconds is %g, not a positive number", sim)
	case !(b > 0) || math.IsInf(b, 0):
		return bad("bucket_s is %g, not a positive number", b)
	case sim/b > topology.MaxBuckets:
		return bad("sim_seconds %g in buckets of %gs is %.3g buckets, more than %d", sim, b, sim/b, topology.MaxBuckets)
	}
	return nil
}
