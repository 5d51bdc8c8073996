package statcache

import (
	"io/fs"
	"syscall"
)

// keyOf reads the stat fields that change whenever a file's content does.
func keyOf(fi fs.FileInfo) (Key, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() {
		return Key{}, false
	}
	return Key{Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(), Ino: st.Ino, Dev: uint64(st.Dev), Mode: st.Mode}, true
}
