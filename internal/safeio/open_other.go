//go:build !unix

package safeio

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Without O_NOFOLLOW and openat, links are refused by Lstat before the
// open: a window remains between the two, which unix builds close.
func openNoFollow(path string) (*os.File, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return nil, ErrLink
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	return os.Open(path)
}

func openFollow(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	return os.Open(path)
}

func openInNoFollow(root, rel string) (*os.File, error) {
	cur := root
	for _, p := range strings.Split(filepath.ToSlash(rel), "/") {
		cur = filepath.Join(cur, p)
		st, err := os.Lstat(cur)
		if err != nil {
			return nil, err
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return nil, ErrLink
		}
	}
	return openNoFollow(cur)
}

func isLoop(error) bool { return false }
