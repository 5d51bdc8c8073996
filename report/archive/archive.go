// Package archive unpacks submitted archives (.zip, .tar.gz, .tgz, .tar)
// as hostile input: into a private directory the caller owns, never
// executing anything, with limits on total size, entry count and
// compression ratio. Entries escaping the root (../, absolute paths),
// symlinks, hard links and devices are skipped and reported, and so is any
// entry that cannot be written (a name too long, a file where a directory
// should be); directories rubric never analyses (node_modules, virtualenvs,
// caches, .git except its reflogs) are not unpacked and do not count
// against the entry limit.
//
// Errors never name the archive (the caller does, once) nor the private
// directory.
package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// Limits bound what one archive may unpack to.
type Limits struct {
	MaxTotal   int64   // uncompressed bytes written, all entries
	MaxEntries int     // entries unpacked or refused (entries in never-analysed directories excepted)
	MaxRatio   float64 // uncompressed / compressed, per zip entry and for the whole archive
}

// DefaultLimits: 256 MiB, 20,000 entries, ratio 100. A take-home is a few
// hundred files; a source tree compresses about 5 to 10 times.
var DefaultLimits = Limits{MaxTotal: 256 << 20, MaxEntries: 20000, MaxRatio: 100}

// Slack the ratio checks allow on top of MaxRatio times the compressed
// size: a small file of blanks compresses far more than 100 times and is
// harmless, but no entry, however small, may expand past it.
const (
	entrySlack   = 64 << 10
	archiveSlack = 1 << 20
)

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
	// Stopped is set when a limit ended the unpacking early; Extract then
	// also returns an error wrapping ErrCut.
	Stopped string
	// Ignored counts entries in directories rubric never analyses, which
	// were not unpacked (one Skipped line per directory says so).
	Ignored int
}

// Errors. ErrCut, ErrEmpty, ErrEncrypted and ErrMislabelled make a
// submission an error, not an empty or partial one.
var (
	ErrTooLarge    = errors.New("archive exceeds the total size limit")
	ErrRatio       = errors.New("archive exceeds the compression ratio limit")
	ErrCut         = errors.New("archive cut short")
	ErrEmpty       = errors.New("empty archive: no file to analyse")
	ErrEncrypted   = errors.New("encrypted archive")
	ErrMislabelled = errors.New("mislabelled archive")
	ErrUnsupported = errors.New("not a .zip, .tar.gz, .tgz or .tar archive")
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

var kindNames = map[string]string{"zip": "a zip archive", "tgz": "a gzip-compressed tar archive", "tar": "a tar archive", "gzip": "gzip-compressed data"}

// sniff tells the archive kind from its first bytes, "" when unknown.
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return "zip"
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "gzip"
	case len(head) >= 262 && string(head[257:262]) == "ustar":
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
// directories 0700 whatever the archive says. It stops when ctx is done.
//
// The error is nil only for an archive unpacked whole, with at least one
// file; a limit reached (ErrCut), an archive with no file (ErrEmpty) or
// encrypted entries (ErrEncrypted), content of another kind than the name
// says (ErrMislabelled) are errors, with the Result of what was unpacked.
func Extract(ctx context.Context, archivePath, dest string, lim Limits) (*Result, error) {
	if lim.MaxTotal <= 0 {
		lim.MaxTotal = DefaultLimits.MaxTotal
	}
	if lim.MaxEntries <= 0 {
		lim.MaxEntries = DefaultLimits.MaxEntries
	}
	if lim.MaxRatio <= 0 {
		lim.MaxRatio = DefaultLimits.MaxRatio
	}
	x := &extractor{ctx: ctx, dest: dest, lim: lim, res: &Result{Root: dest}, ignored: map[string]int{}}
	k := kind(archivePath)
	if k == "" {
		return nil, ErrUnsupported
	}
	f, st, err := safeio.OpenUserFile(archivePath)
	if err != nil {
		return nil, errors.Unwrap(err) // the caller names the archive
	}
	defer f.Close()
	x.size = st.Size()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if got := sniff(head[:n]); got != "" && got != k && !(k == "tgz" && got == "gzip") {
		return nil, fmt.Errorf("%w: the name says %s, the content is %s", ErrMislabelled, kindNames[k], kindNames[got])
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	switch k {
	case "zip":
		err = x.zip(f, st.Size())
	default:
		err = x.tar(f, k == "tgz")
	}
	x.noteIgnored()
	if err != nil {
		return x.res, err
	}
	switch {
	case x.res.Stopped != "":
		return x.res, fmt.Errorf("%w: %s", ErrCut, x.res.Stopped)
	case x.encrypted > 0:
		return x.res, fmt.Errorf("%w: %d entries are encrypted; ask for an unencrypted archive", ErrEncrypted, x.encrypted)
	case x.res.Files == 0:
		return x.res, ErrEmpty
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
	ctx       context.Context
	dest      string
	size      int64 // the archive file's size
	lim       Limits
	res       *Result
	entries   int
	encrypted int
	ignored   map[string]int // never-analysed directory -> entries in it
}

func (x *extractor) skip(name, reason string) {
	x.res.Skipped = append(x.res.Skipped, Skipped{Name: name, Reason: reason})
}

// maxIgnoredNotes bounds the notes about never-analysed directories.
const maxIgnoredNotes = 50

// neverAnalysed returns the first directory of clean (a cleaned,
// '/'-separated entry name) that rubric never looks into, with its path,
// or "". .git is kept for its reflogs, which name the authors.
func neverAnalysed(clean string) string {
	parts := strings.Split(clean, "/")
	for i, p := range parts[:len(parts)-1] {
		if p == ".git" {
			if len(parts) > i+2 && parts[i+1] == "logs" {
				return ""
			}
			return strings.Join(parts[:i+1], "/") + "/"
		}
		if analyzer.SkippedDirs[p] {
			return strings.Join(parts[:i+1], "/") + "/"
		}
	}
	return ""
}

func (x *extractor) noteIgnored() {
	dirs := make([]string, 0, len(x.ignored))
	for d := range x.ignored {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for i, d := range dirs {
		if i == maxIgnoredNotes {
			x.skip("(more directories)", fmt.Sprintf("%d more directories rubric never analyses were not unpacked", len(dirs)-i))
			break
		}
		x.skip(d, fmt.Sprintf("%d entries not unpacked (a directory rubric never analyses)", x.ignored[d]))
	}
}

// target validates an entry name and returns where it goes and its
// cleaned name, or a reason to skip it.
func (x *extractor) target(name string) (full, clean, why string) {
	if strings.ContainsRune(name, 0) {
		return "", "", "name contains a NUL byte"
	}
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || len(n) >= 2 && n[1] == ':' {
		return "", "", "absolute path"
	}
	clean = path.Clean(n)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", "", "path escapes the archive root"
	}
	if clean == "." {
		return "", "", "empty name"
	}
	full = filepath.Join(x.dest, filepath.FromSlash(clean))
	rel, err := filepath.Rel(x.dest, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", "", "path escapes the archive root"
	}
	return full, clean, ""
}

// admit decides whether an entry is unpacked: false for entries in
// never-analysed directories (counted apart) and once the entry limit is
// reached (Stopped is set). done reports that unpacking must stop.
func (x *extractor) admit(clean string) (ok, done bool) {
	if d := neverAnalysed(clean); d != "" {
		if _, seen := x.ignored[d]; seen || len(x.ignored) < 10*maxIgnoredNotes {
			x.ignored[d]++
		}
		x.res.Ignored++
		return false, false
	}
	x.entries++
	if x.entries > x.lim.MaxEntries {
		x.res.Stopped = fmt.Sprintf("more than %d entries to analyse; the rest was not unpacked (raise --max-archive-entries)", x.lim.MaxEntries)
		return false, true
	}
	return true, false
}

// writeProblem turns an error writing an entry into a reason to skip it,
// without the private directory's path; ok is false for errors that must
// stop the unpacking (a full disk).
func writeProblem(err error) (reason string, ok bool) {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno) && (errno == syscall.ENOSPC || errno == syscall.EDQUOT || errno == syscall.EROFS || errno == syscall.EIO):
		return "", false
	case errors.As(err, &errno) && errno == syscall.ENAMETOOLONG:
		return "name too long", true
	case errors.As(err, &errno) && errno == syscall.ENOTDIR:
		return "a file is where a directory should be", true
	case errors.Is(err, fs.ErrExist):
		return "duplicate entry", true
	}
	return "cannot be written: " + safeio.Cause(err).Error(), true
}

func (x *extractor) mkdir(name, full string) error {
	if err := os.MkdirAll(full, 0o700); err != nil {
		why, ok := writeProblem(err)
		if !ok {
			return fmt.Errorf("unpacking stopped: %v", safeio.Cause(err))
		}
		if !errors.Is(err, fs.ErrExist) {
			x.skip(name, why)
		}
	}
	return nil
}

// write copies r into a new file at full. It never follows or replaces an
// existing path (O_EXCL) and removes partial files on error. An entry that
// cannot be written is skipped (and noted); only a full or failing disk
// stops the unpacking.
func (x *extractor) write(name, full string, r io.Reader, check func(written int64) error) error {
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		why, ok := writeProblem(err)
		if !ok {
			return fmt.Errorf("unpacking stopped: %v", safeio.Cause(err))
		}
		x.skip(name, why)
		return nil
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		why, ok := writeProblem(err)
		if !ok {
			return fmt.Errorf("unpacking stopped: %v", safeio.Cause(err))
		}
		if st, serr := os.Lstat(full); serr == nil && st.IsDir() {
			why = "a directory is where this file should be"
		}
		x.skip(name, why)
		return nil
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
		var errno syscall.Errno
		if errors.As(werr, &errno) {
			return fmt.Errorf("unpacking stopped: %v", safeio.Cause(werr))
		}
		return werr
	}
	x.res.Files++
	x.res.Bytes += written
	return nil
}

// overall is the whole-archive ratio check: what was written may not
// exceed MaxRatio times the archive's size (plus a slack).
func (x *extractor) overall(total int64) error {
	if float64(total) > x.lim.MaxRatio*float64(x.size)+archiveSlack {
		return ErrRatio
	}
	return nil
}

func (x *extractor) zip(f io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		full, clean, why := x.target(f.Name)
		if why != "" {
			if _, done := x.admit(f.Name); done {
				return nil
			}
			x.skip(f.Name, why)
			continue
		}
		ok, done := x.admit(clean)
		if done {
			return nil
		}
		if !ok {
			continue
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := x.mkdir(f.Name, full); err != nil {
				return err
			}
			continue
		case mode&os.ModeSymlink != 0:
			x.skip(f.Name, "symbolic link")
			continue
		case !mode.IsRegular():
			x.skip(f.Name, "not a regular file ("+mode.Type().String()+")")
			continue
		case f.Flags&0x1 != 0:
			x.skip(f.Name, "encrypted")
			x.encrypted++
			continue
		}
		rc, err := f.Open()
		if err != nil {
			x.skip(f.Name, "unreadable: "+err.Error())
			continue
		}
		// The compressed size is the archive's claim: no more than the
		// archive itself.
		compressed := min(int64(f.CompressedSize64), size)
		base := x.res.Bytes
		err = x.write(f.Name, full, rc, func(n int64) error {
			if float64(n) > x.lim.MaxRatio*float64(compressed)+entrySlack {
				return ErrRatio
			}
			return x.overall(base + n)
		})
		rc.Close()
		switch {
		case errors.Is(err, ErrRatio) && x.overall(base+1) == nil:
			x.skip(f.Name, fmt.Sprintf("compression ratio above %g (a zip bomb?)", x.lim.MaxRatio))
		case errors.Is(err, ErrRatio):
			x.skip(f.Name, fmt.Sprintf("compression ratio above %g for the whole archive (a zip bomb?)", x.lim.MaxRatio))
			x.res.Stopped = "compression ratio limit reached; the rest was not unpacked"
			return nil
		case errors.Is(err, ErrTooLarge):
			x.skip(f.Name, fmt.Sprintf("total size limit of %d bytes reached", x.lim.MaxTotal))
			x.res.Stopped = "total size limit reached; the rest was not unpacked (raise --max-archive-size)"
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

func (x *extractor) tar(f io.Reader, gz bool) error {
	r := f
	if gz {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	}
	tr := tar.NewReader(r)
	for {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if isCorrupt(err) {
				if x.res.Files == 0 && len(x.res.Skipped) == 0 {
					return fmt.Errorf("corrupt archive: %w", err)
				}
				x.res.Stopped = "corrupt archive: " + err.Error()
				return nil
			}
			return err
		}
		full, clean, why := x.target(h.Name)
		if why != "" {
			if _, done := x.admit(h.Name); done {
				return nil
			}
			x.skip(h.Name, why)
			continue
		}
		ok, done := x.admit(clean)
		if done {
			return nil
		}
		if !ok {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := x.mkdir(h.Name, full); err != nil {
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
		err = x.write(h.Name, full, tr, func(n int64) error { return x.overall(base + n) })
		switch {
		case errors.Is(err, ErrRatio):
			x.skip(h.Name, fmt.Sprintf("compression ratio above %g for the whole archive (a gzip bomb?)", x.lim.MaxRatio))
			x.res.Stopped = "compression ratio limit reached; the rest was not unpacked"
			return nil
		case errors.Is(err, ErrTooLarge):
			x.skip(h.Name, fmt.Sprintf("total size limit of %d bytes reached", x.lim.MaxTotal))
			x.res.Stopped = "total size limit reached; the rest was not unpacked (raise --max-archive-size)"
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
