package safeio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes the output of write to path atomically: into a
// temporary file in path's directory, synced, then renamed over path. If
// write fails, or the process dies half-way, path keeps its old content
// and the temporary file is removed (or, after a crash, left under a
// ".name.tmp-*" name). An existing file keeps its permissions; a new one
// gets perm. A path that is a symbolic link is written through: the link's
// target is replaced, the link stays. A destination that exists and is not
// a regular file (/dev/stdout, /dev/null, a FIFO) is written in place.
func WriteFile(path string, perm fs.FileMode, write func(io.Writer) error) error {
	return writeFile(path, perm, true, write)
}

// WriteCheckedBytes is WriteBytes for data that carries its own check (a
// cache entry with a digest its reader verifies): the file is replaced
// atomically, but not synced first. A crash may then leave the entry
// damaged, which its reader takes for a miss; a synced write cost an edit
// run on saleor 10 to 90 ms of wall time waiting for the disk.
func WriteCheckedBytes(path string, perm fs.FileMode, data []byte) error {
	return writeFile(path, perm, false, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func writeFile(path string, perm fs.FileMode, sync bool, write func(io.Writer) error) (err error) {
	dest, st, err := destination(path)
	if err != nil {
		return err
	}
	if st != nil {
		if !st.Mode().IsRegular() {
			// /dev/stdout, /dev/null, a FIFO: stream into it; replacing it
			// with a file would be wrong.
			return writeInPlace(path, dest, write)
		}
		perm = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: Cause(err)}
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: Cause(err)}
	}
	if err := tmp.Chmod(perm); err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: Cause(err)}
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			return &fs.PathError{Op: "write", Path: path, Err: Cause(err)}
		}
	}
	if err := tmp.Close(); err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: Cause(err)}
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: Cause(err)}
	}
	return nil
}

func writeInPlace(path, dest string, write func(io.Writer) error) error {
	f, err := os.OpenFile(dest, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return &fs.PathError{Op: "write", Path: path, Err: Cause(err)}
	}
	return f.Close()
}

// WriteBytes is WriteFile for data already in memory.
func WriteBytes(path string, perm fs.FileMode, data []byte) error {
	return WriteFile(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// CheckWritable reports, before any work is done, whether WriteFile(path)
// can succeed: path is not a directory, and its directory exists and
// accepts a new file (checked by creating and removing one).
func CheckWritable(path string) error {
	dest, st, err := destination(path)
	if err != nil {
		return err
	}
	if st != nil && !st.Mode().IsRegular() {
		return nil // a device or FIFO is written in place
	}
	dir := filepath.Dir(dest)
	dst, err := os.Stat(dir)
	if err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("directory %s: %w", dir, Cause(err))}
	}
	if !dst.IsDir() {
		return &fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("%s is not a directory", dir)}
	}
	probe, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".probe-*")
	if err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: Cause(err)}
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// destination resolves path through links to the file a write replaces,
// with its FileInfo when it exists (nil otherwise); a directory is an
// error.
func destination(path string) (string, fs.FileInfo, error) {
	dest := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		dest = real
	}
	st, err := os.Stat(dest)
	if err != nil {
		return dest, nil, nil
	}
	if st.IsDir() {
		return "", nil, &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
	}
	return dest, st, nil
}

// Cause drops a *fs.PathError's own path (a temporary name the user never
// chose) and returns its cause; other errors are returned as they are.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
