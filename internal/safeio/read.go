// Package safeio reads files from trees rubric does not trust and writes
// rubric's own outputs without ever losing the previous version.
//
// Reading: every file is opened without following a symbolic link
// (O_NOFOLLOW; under a root, at every component of the relative path), in
// non-blocking mode so that opening a FIFO cannot hang, then checked with
// fstat: anything but a regular file (FIFO, device, socket, directory) is
// refused before a byte is read, and reads are capped.
//
// Writing: WriteFile writes a temporary file in the destination's
// directory and renames it over the destination, so an interrupted or
// failing write leaves the old file intact.
package safeio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Sentinel errors; check them with errors.Is.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrLink       = errors.New("symbolic link (not followed)")
	ErrTooLarge   = errors.New("file too large")
	ErrOutside    = errors.New("path leaves the tree")
)

// TooLargeError says how large a refused file is. It wraps ErrTooLarge.
type TooLargeError struct {
	Size, Limit int64 // Size is -1 when only "more than Limit" is known
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%v: more than %d bytes", ErrTooLarge, e.Limit)
	}
	return fmt.Sprintf("%v: %d bytes (limit %d)", ErrTooLarge, e.Size, e.Limit)
}

// Unwrap lets errors.Is match ErrTooLarge.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// Open opens path for reading. A symbolic link as the last component is
// refused (ErrLink), and so is anything that is not a regular file
// (ErrNotRegular); the links of the directories above it are the caller's
// (the user named them). The returned FileInfo comes from fstat on the
// opened descriptor, so it describes what will be read.
func Open(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, nil, pathErr(path, err)
	}
	return checkRegular(f, path)
}

// OpenIn opens rel under root, refusing a symbolic link at any component
// of rel (ErrLink) and anything that is not a regular file. root itself is
// opened as given (links followed): it is what the user named. rel must be
// a local path (no "..", not absolute).
func OpenIn(root, rel string) (*os.File, fs.FileInfo, error) {
	full := filepath.Join(root, rel)
	if !filepath.IsLocal(rel) {
		return nil, nil, &fs.PathError{Op: "open", Path: full, Err: ErrOutside}
	}
	f, err := openInNoFollow(root, filepath.Clean(rel))
	if err != nil {
		return nil, nil, pathErr(full, err)
	}
	return checkRegular(f, full)
}

func pathErr(path string, err error) error {
	if isLoop(err) {
		err = ErrLink
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if isLoop(pe.Err) {
			pe.Err = ErrLink
		}
		return pe
	}
	return &fs.PathError{Op: "open", Path: path, Err: err}
}

func checkRegular(f *os.File, path string) (*os.File, fs.FileInfo, error) {
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		what := ErrNotRegular
		if st.Mode()&fs.ModeSymlink != 0 {
			what = ErrLink
		}
		return nil, nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (%s)", what, kindOf(st.Mode()))}
	}
	return f, st, nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return m.Type().String()
}

// ReadFile reads the regular file at path (see Open), at most limit bytes:
// a larger file is refused with a *TooLargeError. limit <= 0 means no cap.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, st, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(f, st, limit)
}

// OpenUserFile opens a file the user chose (a configuration file, a
// checklist, a baseline, an archive to grade). Links are followed (a shared
// configuration is often one), but a FIFO, a device or a directory is
// still refused (ErrNotRegular) before anything is read.
func OpenUserFile(path string) (*os.File, fs.FileInfo, error) {
	f, err := openFollow(path)
	if err != nil {
		return nil, nil, err
	}
	return checkRegular(f, path)
}

// ReadUserFile reads a file the user chose (see OpenUserFile), at most
// limit bytes: a larger file is refused with a *TooLargeError.
func ReadUserFile(path string, limit int64) ([]byte, error) {
	f, st, err := OpenUserFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(f, st, limit)
}

// ReadFileIn reads rel under root (see OpenIn), at most limit bytes.
func ReadFileIn(root, rel string, limit int64) ([]byte, error) {
	f, st, err := OpenIn(root, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(f, st, limit)
}

// ReadPrefix reads at most limit bytes of the regular file at path and
// never refuses a larger file: it returns its first limit bytes.
func ReadPrefix(path string, limit int64) ([]byte, error) {
	f, _, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// ReadPrefixIn is ReadPrefix for rel under root (see OpenIn).
func ReadPrefixIn(root, rel string, limit int64) ([]byte, error) {
	f, _, err := OpenIn(root, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

func readCapped(f *os.File, st fs.FileInfo, limit int64) ([]byte, error) {
	if limit > 0 && st.Size() > limit {
		return nil, &TooLargeError{Size: st.Size(), Limit: limit}
	}
	var r io.Reader = f
	if limit > 0 {
		// The file may have grown since fstat: read one byte past the
		// limit to tell.
		r = io.LimitReader(f, limit+1)
	}
	buf := make([]byte, st.Size()+1) // one spare byte shows growth
	n, err := io.ReadFull(r, buf)
	switch {
	case err == nil:
		rest, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		buf = append(buf, rest...)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		buf = buf[:n]
	default:
		return nil, err
	}
	if limit > 0 && int64(len(buf)) > limit {
		return nil, &TooLargeError{Size: -1, Limit: limit}
	}
	return buf, nil
}
