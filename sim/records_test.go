package sim

import (
	"testing"
	"unsafe"
)

// A record spans exactly two cache lines: fields added for a mechanism take
// the padding, never a third line.
func TestRecordIsTwoCacheLines(t *testing.T) {
	if n := unsafe.Sizeof(rec{}); n != 128 {
		t.Errorf("a record takes %d bytes, want 128", n)
	}
}
