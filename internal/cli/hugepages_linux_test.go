package cli

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// mappingOf finds the mapping that holds a heap object, and none for an
// address nothing maps.
func TestMappingOfFindsTheHeapMapping(t *testing.T) {
	b := make([]byte, 8<<20)
	p := uintptr(unsafe.Pointer(&b[0]))
	lo, hi := mappingOf(p)
	assert.True(t, lo <= p && p+uintptr(len(b)) <= hi, "the mapping %x-%x holds %x", lo, hi, p)
	lo, hi = mappingOf(1)
	assert.Zero(t, hi-lo)
}
