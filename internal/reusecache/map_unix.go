//go:build unix

package reusecache

import (
	"syscall"

	"github.com/rubric-dev/rubric/internal/safeio"
)

// mapPack maps a pack read-only (a regular file only, not followed
// through a link, at most limit bytes). Mapping beats reading: the pages
// are the page cache's, with no copy into fresh memory, and an edit run
// touches only those it reads (the entries' heads, the records it uses,
// the trees it loads, in place). The mapping is never unmapped: values alias it, and trees made
// from them may outlive the pack; a process that opens packs again and
// again uses OpenCopy.
//
// rubric never truncates a pack in place (it appends, or renames a new
// one over it), so the mapped bytes stay readable; a pack truncated in
// place by something else while a run reads it would stop that run
// (SIGBUS), not change its answer.
func mapPack(path string, limit int64) ([]byte, error) {
	f, st, err := safeio.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, &safeio.TooLargeError{Size: st.Size(), Limit: limit}
	}
	if st.Size() == 0 {
		return nil, nil
	}
	return syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
}
