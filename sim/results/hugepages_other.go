//go:build !linux

package results

// adviseHugePages does nothing where there is no madvise to ask.
func adviseHugePages([]float64) {}
