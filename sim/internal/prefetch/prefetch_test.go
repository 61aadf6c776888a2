package prefetch_test

import (
	"testing"
	"unsafe"

	"github.com/failsim/failsim/sim/internal/prefetch"
)

// A prefetch is only a hint: any address is fine, memory is unchanged.
func TestLineChangesNothingAndNeverFaults(t *testing.T) {
	data := [16]int64{7}
	for _, p := range []unsafe.Pointer{unsafe.Pointer(&data[0]), unsafe.Pointer(&data[15]), nil} {
		prefetch.Line(p)
	}
	if data[0] != 7 || data[15] != 0 {
		t.Errorf("data = %v after prefetching it", data)
	}
}
