package sim

import (
	"fmt"

	"github.com/failsim/failsim/sim/results"
	"github.com/failsim/failsim/topology"
	"github.com/failsim/failsim/topology/human"
)

// MaxSeriesValues bounds a run's time series: buckets times metrics. Each
// value is 8 bytes in memory and about 25 in timeseries.csv, which is
// encoded in memory before it is written: 10 million values keep a run
// that is stopped and written at its end well under a gigabyte.
const MaxSeriesValues = results.MaxSeriesValues

// CheckSize says, before anything runs, whether sc's run would keep more
// than topology.MaxBuckets buckets or MaxSeriesValues values of time
// series. Run refuses such a scenario too; commands call CheckSize once
// the command line has had its say (--duration), to refuse it as bad input.
func CheckSize(sc *topology.Scenario) error {
	if err := checkBuckets(sc); err != nil {
		return err
	}
	return checkSeries(sc, newSim(sc, 1))
}

// SeriesValues is how many values of time series a run of sc keeps:
// buckets times metrics.
func SeriesValues(sc *topology.Scenario) int64 {
	return sc.Buckets() * int64(len(newSim(sc, 1).series.Keys))
}

func checkBuckets(sc *topology.Scenario) error {
	if n := sc.Buckets(); n > topology.MaxBuckets {
		return fmt.Errorf("%s in buckets of %s is %d buckets; a run keeps at most %d: use a longer [metrics] bucket or a shorter duration",
			human.Duration(sc.Duration), human.Duration(sc.Metrics.Bucket), n, topology.MaxBuckets)
	}
	return nil
}

func checkSeries(sc *topology.Scenario, s *Sim) error {
	buckets, metrics := sc.Buckets(), int64(len(s.series.Keys))
	if n := buckets * metrics; n > MaxSeriesValues {
		return fmt.Errorf("%d buckets of %s times %d metrics is %d values of time series; a run keeps at most %d: use a longer [metrics] bucket or a shorter duration",
			buckets, human.Duration(sc.Metrics.Bucket), metrics, n, MaxSeriesValues)
	}
	return nil
}
