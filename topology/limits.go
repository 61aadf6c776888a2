package topology

// MaxBuckets bounds the buckets of a run: a run keeps one value per metric
// per bucket, and a run interrupted or stopped writes them all. The
// loader holds every scenario to it, whatever set its duration and bucket
// (the file, --set or --duration).
const MaxBuckets = 1_000_000

// Buckets is how many buckets the run has: its duration over its bucket,
// the last one possibly shorter. It is 0 when the bucket is not positive.
func (sc *Scenario) Buckets() int64 {
	b := sc.Metrics.Bucket
	if b <= 0 {
		return 0
	}
	n := int64(sc.Duration / b)
	if sc.Duration%b != 0 {
		n++
	}
	return n
}
