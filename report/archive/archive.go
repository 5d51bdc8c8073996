// Package archive unpacks submitted archives (.zip, .tar.gz, .tgz, .tar)
// as hostile input: into a private directory the caller owns, never
// executing anything, with limits on total size, entry count and
// compression ratio. Entries escaping the root (../, absolute paths),
// symlinks, hard links and devices are skipped and reported.
package archive

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits bound what one archive may unpack to.
type Limits struct {
	MaxTotal   int64   // uncompressed bytes written, all entries
	MaxEntries int     // entries read (files, directories and skipped ones)
	MaxRatio   float64 // uncompressed / compressed, per zip entry or per tar.gz stream
}

// DefaultLimits: 256 MiB, 20,000 entries, ratio 100. A take-home is a few
// hundred files; a source tree compresses about 5 to 10 times.
var DefaultLimits = Limits{MaxTotal: 256 << 20, MaxEntries: 20000, MaxRatio: 100}

// ratioFloor: below this many bytes the ratio is not checked (a small file
// of blanks compresses far more than 100 times and is harmless).
const ratioFloor = 1 << 20

// Skipped is an entry that was not unpacked, and why.
type Skipped struct {
	Name   string
	Reason string
}

func (s Skipped) String() string { return s.Name + ": " + s.Reason }

// Result describes one unpacking.
type Result struct {
	Root    string // the directory to analyse: dest, or its single top-level directory
	Files   int
	Bytes   int64
	Skipped []Skipped
	// Stopped is set when a limit ended the unpacking early.
	Stopped string
}

// Errors for limits reached while reading.
var (
	ErrTooLarge = errors.New("archive exceeds the total size limit")
	ErrRatio    = errors.New("archive exceeds the compression ratio limit")
)

// IsArchive reports whether the path names an archive this package reads.
func IsArchive(p string) bool { return kind(p) != "" }

func kind(p string) string {
	l := strings.ToLower(p)
	switch {
	case strings.HasSuffix(l, ".zip"):
		return "zip"
	case strings.HasSuffix(l, ".tar.gz"), strings.HasSuffix(l, ".tgz"):
		return "tgz"
	case strings.HasSuffix(l, ".tar"):
		return "tar"
	}
	return ""
}

// Name is the archive's base name without its extension.
func Name(p string) string {
	b := filepath.Base(p)
	l := strings.ToLower(b)
	for _, ext := range []string{".tar.gz", ".tgz", ".zip", ".tar"} {
		if strings.HasSuffix(l, ext) {
			return b[:len(b)-len(ext)]
		}
	}
	return b
}

// Extract unpacks the archive into dest, which must exist and should be a
// fresh private directory (os.MkdirTemp). Files are written 0600 and
// directories 0700 whatever the archive says.
func Extract(archivePath, dest string, lim Limits) (*Result, error) {
	if lim.MaxTotal <= 0 {
		lim.MaxTotal = DefaultLimits.MaxTotal
	}
	if lim.MaxEntries <= 0 {
		lim.MaxEntries = DefaultLimits.MaxEntries
	}
	if lim.MaxRatio <= 0 {
		lim.MaxRatio = DefaultLimits.MaxRatio
	}
	x := &extractor{dest: dest, lim: lim, res: &Result{Root: dest}}
	var err error
	switch kind(archivePath) {
	case "zip":
		err = x.zip(archivePath)
	case "tgz", "tar":
		err = x.tar(archivePath, kind(archivePath) == "tgz")
	default:
		return nil, fmt.Errorf("%s: not a .zip, .tar.gz, .tgz or .tar archive", archivePath)
	}
	if err != nil {
		return x.res, fmt.Errorf("%s: %w", archivePath, err)
	}
	x.res.Root = singleTop(dest)
	return x.res, nil
}

// singleTop descends into the only top-level directory, the usual shape of
// "project.zip" holding "project/".
func singleTop(dest string) string {
	entries, err := os.ReadDir(dest)
	if err != nil || len(entries) != 1 || !entries[0].IsDir() {
		return dest
	}
	return filepath.Join(dest, entries[0].Name())
}

type extractor struct {
	dest    string
	lim     Limits
	res     *Result
	entries int
}

func (x *extractor) skip(name, reason string) {
	x.res.Skipped = append(x.res.Skipped, Skipped{Name: name, Reason: reason})
}

// target validates an entry name and returns where it goes, or a reason.
func (x *extractor) target(name string) (string, string) {
	if strings.ContainsRune(name, 0) {
		return "", "name contains a NUL byte"
	}
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || len(n) >= 2 && n[1] == ':' {
		return "", "absolute path"
	}
	clean := path.Clean(n)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", "path escapes the archive root"
	}
	if clean == "." {
		return "", "empty name"
	}
	full := filepath.Join(x.dest, filepath.FromSlash(clean))
	rel, err := filepath.Rel(x.dest, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", "path escapes the archive root"
	}
	return full, ""
}

// entry counts an entry against the limit; false means stop.
func (x *extractor) entry() bool {
	x.entries++
	if x.entries > x.lim.MaxEntries {
		x.res.Stopped = fmt.Sprintf("more than %d entries; the rest was not unpacked", x.lim.MaxEntries)
		return false
	}
	return true
}

func (x *extractor) mkdir(full string) error {
	return os.MkdirAll(full, 0o700)
}

// write copies r into a new file at full. It never follows or replaces an
// existing path (O_EXCL) and removes partial files on error.
func (x *extractor) write(name, full string, r io.Reader, check func(written int64) error) error {
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			x.skip(name, "duplicate entry")
			return nil
		}
		return err
	}
	remaining := x.lim.MaxTotal - x.res.Bytes
	buf := make([]byte, 32*1024)
	var written int64
	var werr error
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			if written+int64(n) > remaining {
				werr = ErrTooLarge
				break
			}
			if _, err := f.Write(buf[:n]); err != nil {
				werr = err
				break
			}
			written += int64(n)
			if check != nil {
				if err := check(written); err != nil {
					werr = err
					break
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			werr = rerr
			break
		}
	}
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(full)
		return werr
	}
	x.res.Files++
	x.res.Bytes += written
	return nil
}

func (x *extractor) zip(file string) error {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !x.entry() {
			break
		}
		full, why := x.target(f.Name)
		if why != "" {
			x.skip(f.Name, why)
			continue
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := x.mkdir(full); err != nil {
				return err
			}
			continue
		case mode&os.ModeSymlink != 0:
			x.skip(f.Name, "symbolic link")
			continue
		case !mode.IsRegular():
			x.skip(f.Name, "not a regular file ("+mode.Type().String()+")")
			continue
		}
		rc, err := f.Open()
		if err != nil {
			x.skip(f.Name, "unreadable: "+err.Error())
			continue
		}
		compressed := int64(f.CompressedSize64)
		err = x.write(f.Name, full, rc, func(n int64) error {
			if n > ratioFloor && float64(n) > x.lim.MaxRatio*float64(max(compressed, 1)) {
				return ErrRatio
			}
			return nil
		})
		rc.Close()
		switch {
		case errors.Is(err, ErrRatio):
			x.skip(f.Name, fmt.Sprintf("compression ratio above %g (a zip bomb?)", x.lim.MaxRatio))
		case errors.Is(err, ErrTooLarge):
			x.skip(f.Name, fmt.Sprintf("total size limit of %d bytes reached", x.lim.MaxTotal))
			x.res.Stopped = "total size limit reached; the rest was not unpacked"
			return nil
		case err != nil && isCorrupt(err):
			x.skip(f.Name, "corrupt entry: "+err.Error())
		case err != nil:
			return err
		}
	}
	return nil
}

func isCorrupt(err error) bool {
	return errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, tar.ErrHeader) || strings.Contains(err.Error(), "flate")
}

// countingReader counts the compressed bytes consumed.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (x *extractor) tar(file string, gz bool) error {
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	in := &countingReader{r: fh}
	var r io.Reader = in
	if gz {
		zr, err := gzip.NewReader(in)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if isCorrupt(err) {
				x.res.Stopped = "corrupt archive: " + err.Error()
				return nil
			}
			return err
		}
		if !x.entry() {
			return nil
		}
		full, why := x.target(h.Name)
		if why != "" {
			x.skip(h.Name, why)
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := x.mkdir(full); err != nil {
				return err
			}
			continue
		case tar.TypeReg, tar.TypeRegA:
		case tar.TypeSymlink:
			x.skip(h.Name, "symbolic link")
			continue
		case tar.TypeLink:
			x.skip(h.Name, "hard link")
			continue
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			x.skip(h.Name, "device or FIFO")
			continue
		default:
			x.skip(h.Name, fmt.Sprintf("unsupported entry type %q", h.Typeflag))
			continue
		}
		base := x.res.Bytes
		err = x.write(h.Name, full, tr, func(n int64) error {
			out := base + n
			if gz && out > ratioFloor && float64(out) > x.lim.MaxRatio*float64(max(in.n, 1)) {
				return ErrRatio
			}
			return nil
		})
		switch {
		case errors.Is(err, ErrRatio):
			x.skip(h.Name, fmt.Sprintf("compression ratio above %g (a gzip bomb?)", x.lim.MaxRatio))
			x.res.Stopped = "compression ratio limit reached; the rest was not unpacked"
			return nil
		case errors.Is(err, ErrTooLarge):
			x.skip(h.Name, fmt.Sprintf("total size limit of %d bytes reached", x.lim.MaxTotal))
			x.res.Stopped = "total size limit reached; the rest was not unpacked"
			return nil
		case err != nil && isCorrupt(err):
			x.skip(h.Name, "corrupt entry: "+err.Error())
			x.res.Stopped = "corrupt archive"
			return nil
		case err != nil:
			return err
		}
	}
}
