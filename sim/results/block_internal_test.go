package results

import "testing"

// A block's recent buckets take no more memory than its columns would: a
// run of one bucket may have ten million keys.
func TestBlockHoldsNoMoreRecentBucketsThanItHas(t *testing.T) {
	for _, n := range []int{0, 1, 3, recentBuckets, 300} {
		if bl := NewBlock(1000, n); len(bl.recent) > 1000*n || len(bl.recent) > 1000*recentBuckets {
			t.Errorf("%d buckets: %d recent values for 1000 keys", n, len(bl.recent))
		}
	}
}
