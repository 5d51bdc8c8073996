//go:build unix

package safeio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

const fileFlags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOCTTY

func openNoFollow(path string) (*os.File, error) {
	fd, err := openRetry(unix.AT_FDCWD, path, fileFlags)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

func openFollow(path string) (*os.File, error) {
	fd, err := openRetry(unix.AT_FDCWD, path, fileFlags&^unix.O_NOFOLLOW)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// openInNoFollow walks rel from root one component at a time with openat
// and O_NOFOLLOW, so that no directory of rel may be a link either, even
// one swapped in after the tree was listed.
func openInNoFollow(root, rel string) (*os.File, error) {
	if f, decided, err := openBeneath(root, rel); decided {
		return f, err
	}
	dir, err := openRetry(unix.AT_FDCWD, root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	for i, p := range parts {
		last := i == len(parts)-1
		flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
		if last {
			flags = fileFlags
		}
		fd, err := openRetry(dir, p, flags)
		unix.Close(dir)
		if err != nil {
			if !last && errors.Is(err, unix.ENOTDIR) {
				// A link (or a file) where a directory should be: find out
				// which, for the message.
				var st unix.Stat_t
				if unix.Fstatat(unix.AT_FDCWD, filepath.Join(root, filepath.Join(parts[:i+1]...)), &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
					return nil, ErrLink
				}
			}
			return nil, err
		}
		if last {
			return os.NewFile(uintptr(fd), filepath.Join(root, rel)), nil
		}
		dir = fd
	}
	return nil, os.ErrInvalid // unreachable: rel has at least one part
}

func openRetry(dir int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dir, name, flags, 0)
		if err == unix.EINTR {
			continue
		}
		return fd, err
	}
}

func isLoop(err error) bool { return errors.Is(err, unix.ELOOP) }
