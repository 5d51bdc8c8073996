package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// Under an address-space limit (`ulimit -v`, 1 GB here) the command runs:
// the heap is not mapped in advance, which such a limit could refuse (an
// out-of-memory crash at start, before the guard).
func TestRunsUnderAnAddressSpaceLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := rubricBinary(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.py"), []byte("x = 1\n"), 0o644))
	out, err := exec.Command("sh", "-c", `ulimit -v 1000000 && exec "$0" check --no-cache "$1"`, bin, dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "All checks passed")
}
