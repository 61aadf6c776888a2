package results

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// adviseHugePages asks Linux to back a large series block with 2 MB pages
// where the system leaves transparent huge pages to madvise (the default of
// many distributions): a block of tens of megabytes is written a column
// apart, a page each value, and 4 KB pages made every first write a page
// fault and most writes a TLB miss (a thousand services: 15-25% of the run).
// Advice only: an error changes nothing.
func adviseHugePages(vals []float64) {
	if len(vals) < 1<<19 { // under 4 MB: not worth a system call
		return
	}
	_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Pointer(&vals[0])), len(vals)*8), unix.MADV_HUGEPAGE)
}
