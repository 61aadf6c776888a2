//go:build !amd64 && !arm64

package prefetch

import "unsafe"

// Line does nothing on processors without a prefetch instruction here.
func Line(p unsafe.Pointer) {}
