//go:build linux

package safeio

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// openBeneath opens rel under root with one openat2 that refuses a link
// anywhere on the way (RESOLVE_NO_SYMLINKS: ELOOP, which pathErr reports
// as ErrLink) and any step out of root (RESOLVE_BENEATH): what
// openInNoFollow's walk checks one component at a time, in two calls
// instead of two a component. decided is false where the kernel cannot
// say (no openat2 before Linux 5.6, a seccomp filter that refuses it, a
// rename racing the lookup): the walk decides then.
func openBeneath(root, rel string) (f *os.File, decided bool, err error) {
	dir, err := openRetry(unix.AT_FDCWD, root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, true, err
	}
	defer unix.Close(dir)
	how := unix.OpenHow{Flags: uint64(fileFlags), Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH}
	for {
		fd, err := unix.Openat2(dir, rel, &how)
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), filepath.Join(root, rel)), true, nil
		case unix.EINTR:
			continue
		case unix.ENOSYS, unix.EPERM, unix.EINVAL, unix.E2BIG, unix.EAGAIN, unix.EXDEV:
			return nil, false, nil
		}
		return nil, true, err
	}
}
