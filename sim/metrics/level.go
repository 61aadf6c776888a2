package metrics

import "github.com/failsim/failsim/sim/des"

// Level tracks a quantity that changes at instants (queue length, requests in
// flight, busy workers) and yields its time-weighted mean and its maximum over
// each bucket and over the whole run.
type Level struct {
	cur  int64
	last des.Time

	area, totArea float64 // current bucket; whole run up to the last closed bucket
	max, totMax   int64   // the same, kept as integers like the level: no float max on every change
	negative      bool    // the level has been below zero: a bookkeeping bug

	baseArea float64  // totArea when the measured part of the run began
	baseAt   des.Time // when it began: 0, or the end of the warm-up
}

// Add changes the level by delta at time now.
func (l *Level) Add(now des.Time, delta int64) {
	l.advance(now)
	l.cur += delta
	if l.cur > l.max {
		l.max = l.cur
	}
	l.negative = l.negative || l.cur < 0
}

// Negative reports whether the level has ever been below zero.
func (l *Level) Negative() bool { return l.negative }

// Area is the integral of the level over [0, now), in level-nanoseconds.
func (l *Level) Area(now des.Time) float64 {
	return l.totArea + l.area + float64(l.cur)*float64(now-l.last)
}

// Value is the current level.
func (l *Level) Value() int64 { return l.cur }

func (l *Level) advance(now des.Time) {
	l.area += float64(l.cur) * float64(now-l.last)
	l.last = now
}

// Close ends the current bucket, of width w, at now and returns its
// time-weighted mean and maximum. The next bucket starts at the current level.
func (l *Level) Close(now, w des.Time) (mean, maximum float64) {
	l.advance(now)
	mean, maximum = l.area/float64(w), float64(l.max)
	l.totArea += l.area
	l.totMax = max(l.totMax, l.max)
	l.area, l.max = 0, l.cur
	return mean, maximum
}

// Measure starts the measured part of the run at now, a bucket's end (just
// closed): Total then covers [now, end) only. Area still covers the whole
// run, for the books.
func (l *Level) Measure(now des.Time) {
	l.baseArea, l.baseAt, l.totMax = l.totArea, now, l.cur
}

// Total returns the time-weighted mean over the measured part of the run,
// [0, end) or [Measure's time, end), and the maximum over its closed
// buckets.
func (l *Level) Total(end des.Time) (mean, maximum float64) {
	if end <= l.baseAt {
		return 0, float64(l.totMax)
	}
	return (l.totArea - l.baseArea) / float64(end-l.baseAt), float64(l.totMax)
}
