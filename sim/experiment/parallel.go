package experiment

// Parallel calls work(i) for every i in [0, n) and returns once every call
// has returned; it may make several calls at once, on goroutines of its
// own. The packages under sim/ start no goroutine: how many runs go at once
// is the caller's choice (the command line's --jobs), passed in as a
// Parallel.
type Parallel func(n int, work func(i int))

// Sequential makes the calls one after the other, in order.
func Sequential(n int, work func(i int)) {
	for i := range n {
		work(i)
	}
}
