// Package source holds a Python file's bytes and maps byte offsets to the
// line/column positions that users see.
package source

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rubric-dev/rubric/internal/safeio"
)

// Sentinel errors for input that is not analysed. Check them with errors.Is.
var (
	ErrBinary      = errors.New("binary file (contains NUL bytes)")
	ErrTooLarge    = errors.New("file too large")
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
)

// DefaultMaxSize is the largest file analysed unless configured otherwise.
const DefaultMaxSize = 4 << 20

// File is one source file. Rel is the path shown to users: relative to the
// working directory when possible, always '/'-separated.
type File struct {
	Path string // path used to open the file
	Rel  string // display path
	// src is the text (Src); a file made by NewLazy has it from load on
	// first use.
	src  []byte
	lazy bool
	load func() []byte
	once sync.Once
	size int // len(src), known before a lazy file's bytes are
	// Encoding is the file's declared encoding (PEP 263) when it is not
	// UTF-8, e.g. "iso-8859-1"; Src then holds the decoded UTF-8 text and
	// every offset and position refers to that text, not to the bytes on
	// disk. "" for UTF-8 files.
	Encoding string
	// The byte offset of the start of every lineStep-th line (lines 1,
	// 1+lineStep...), made on first use: most files are never asked for a
	// position (a run asks for the positions of findings and of a few
	// comments), and a position is found from the nearest mark before it
	// by counting at most lineStep-1 line endings, which costs next to
	// nothing next to a table of every line (4 bytes a line, 3 MB on
	// saleor, kept to the end of the run).
	linesOnce sync.Once
	marks     []uint32
	nstarts   int // line starts: 1 + the number of '\n'
	nlines    int // line count (LineCount)
}

// lineStep is how many lines apart the marks of a File's line table are.
const lineStep = 16

var newline = []byte{'\n'}

// New returns a File for src.
func New(path, rel string, src []byte) *File {
	return &File{Path: path, Rel: rel, src: src, size: len(src), nlines: Lines(src)}
}

// NewLazy returns a File whose text load supplies on first use (Src),
// for a file a run may never need the text of: size and lines are what
// len and Lines give for that text, known beforehand. load is called at
// most once, from whichever goroutine asks first.
func NewLazy(path, rel string, size, lines int, load func() []byte) *File {
	return &File{Path: path, Rel: rel, lazy: true, load: load, size: size, nlines: lines}
}

// Lines returns the number of lines of src, as LineCount counts them.
func Lines(src []byte) int {
	if len(src) == 0 {
		return 0
	}
	n := 1 + bytes.Count(src, newline)
	if src[len(src)-1] == '\n' {
		n-- // a trailing newline does not start a line
	}
	return n
}

// Src returns the file's text.
func (f *File) Src() []byte {
	if f.lazy {
		f.once.Do(func() {
			f.src, f.load = f.load(), nil
		})
	}
	return f.src
}

// Size returns the length of the text, without reading a lazy file's.
func (f *File) Size() int { return f.size }

// Hide takes the text away until the function it returns puts it back:
// under test, a rule that must not read the file runs without it. Not
// safe beside other uses of f.
func (f *File) Hide() (restore func()) {
	src := f.Src()
	f.src = nil
	return func() { f.src = src }
}

// lineMarks returns the line table, making it on first use.
func (f *File) lineMarks() []uint32 {
	f.linesOnce.Do(func() {
		src := f.Src()
		n := 1 + bytes.Count(src, newline)
		marks := make([]uint32, 1, (n+lineStep-1)/lineStep)
		for i, k := 0, 1; ; k++ {
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			if k%lineStep == 0 {
				marks = append(marks, uint32(i))
			}
		}
		f.marks, f.nstarts = marks, n
	})
	return f.marks
}

// lineAt returns the 0-based index of the line holding offset off (within
// the file) and the offset where that line starts.
func (f *File) lineAt(off int) (line, start int) {
	marks := f.lineMarks()
	k := sort.Search(len(marks), func(i int) bool { return int(marks[i]) > off }) - 1
	if k < 0 {
		k = 0
	}
	from := int(marks[k])
	seg := f.Src()[from:off]
	return k*lineStep + bytes.Count(seg, newline), from + bytes.LastIndexByte(seg, '\n') + 1
}

// Position is a 1-based line and column. Column counts Unicode code points;
// Column16 counts UTF-16 code units (what SARIF and LSP clients expect);
// Offset is the byte offset.
type Position struct {
	Offset   int
	Line     int
	Column   int
	Column16 int
}

// LineCount returns the number of lines (a trailing newline does not start one).
func (f *File) LineCount() int { return f.nlines }

// Position maps a byte offset to a position. Offsets are clamped to the file.
func (f *File) Position(off int) Position {
	src := f.Src()
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	li, start := f.lineAt(off)
	seg := src[start:off]
	col, col16 := 1, 1
	for len(seg) > 0 {
		r, size := utf8.DecodeRune(seg)
		seg = seg[size:]
		col++
		if r >= 0x10000 {
			col16 += 2
		} else {
			col16++
		}
	}
	return Position{Offset: off, Line: li + 1, Column: col, Column16: col16}
}

// LineStart returns the byte offset where 1-based line n starts.
func (f *File) LineStart(n int) int {
	if n < 1 {
		return 0
	}
	marks, src := f.lineMarks(), f.Src()
	if n > f.nstarts {
		return len(src)
	}
	i := int(marks[(n-1)/lineStep])
	for k := (n - 1) % lineStep; k > 0; k-- {
		i += bytes.IndexByte(src[i:], '\n') + 1
	}
	return i
}

// Line returns the text of 1-based line n without its line ending.
func (f *File) Line(n int) []byte {
	f.lineMarks()
	if n < 1 || n > f.nstarts {
		return nil
	}
	start, src := f.LineStart(n), f.Src()
	end := len(src)
	if j := bytes.IndexByte(src[start:], '\n'); j >= 0 {
		end = start + j
	}
	return bytes.TrimRight(src[start:end], "\r")
}

// Read loads path, refusing files over maxSize bytes, binary files and
// invalid UTF-8, and decoding a declared encoding (see Accept). The
// returned error wraps one of the sentinels where it applies; for invalid
// UTF-8 it also carries the offending offset.
func Read(path string, maxSize int64) ([]byte, error) {
	raw, err := ReadRaw(path, "", maxSize)
	if err != nil {
		return nil, err
	}
	return Accept(raw, maxSize)
}

// ReadRaw reads an input's bytes as they are on disk, with no check of
// their content. The file must be a regular file and no symbolic link: when
// rootRel (the path relative to the directory the file was found under) is
// a suffix of path, no directory between that root and the file may be a
// link either. FIFOs and devices are refused before reading, and a file
// over maxSize bytes is refused with ErrTooLarge.
func ReadRaw(path, rootRel string, maxSize int64) ([]byte, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	var raw []byte
	var err error
	if root, ok := rootOf(path, rootRel); ok {
		raw, err = safeio.ReadFileIn(root, rootRel, maxSize)
	} else {
		raw, err = safeio.ReadFile(path, maxSize)
	}
	var big *safeio.TooLargeError
	if errors.As(err, &big) {
		if big.Size < 0 {
			return nil, fmt.Errorf("%w: more than %d bytes (raise the limit with --max-file-size)", ErrTooLarge, maxSize)
		}
		return nil, tooLarge(big.Size, maxSize)
	}
	return raw, err
}

// rootOf returns the directory path was found under: path without its
// trailing rootRel components.
func rootOf(path, rootRel string) (string, bool) {
	if rootRel == "" || !filepath.IsLocal(filepath.FromSlash(rootRel)) {
		return "", false
	}
	rel := filepath.FromSlash(rootRel)
	clean := filepath.Clean(path)
	if clean == rel {
		return ".", true
	}
	if !strings.HasSuffix(clean, string(filepath.Separator)+rel) {
		return "", false
	}
	return clean[:len(clean)-len(rel)-1] + string(filepath.Separator), true
}

func tooLarge(size, maxSize int64) error {
	return fmt.Errorf("%w: %d bytes (limit %d; raise it with --max-file-size)", ErrTooLarge, size, maxSize)
}

// Accept applies Read's checks to bytes already in memory and returns the
// UTF-8 text to analyse; see Prepare.
func Accept(src []byte, maxSize int64) ([]byte, error) {
	text, _, err := Prepare(src, maxSize)
	return text, err
}

// Prepare checks a file's raw bytes and returns the UTF-8 text to analyse
// and the declared encoding ("" for UTF-8): the size limit, binary content
// (NUL bytes), then the PEP 263 coding declaration (a file declaring
// latin-1, cp1252... is decoded to UTF-8, as Python would read it), then
// UTF-8 validity.
func Prepare(raw []byte, maxSize int64) (text []byte, encoding string, err error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if int64(len(raw)) > maxSize {
		return nil, "", tooLarge(int64(len(raw)), maxSize)
	}
	if err := checkBinary(raw); err != nil {
		return nil, "", err
	}
	text, encoding, err = decode(raw)
	if err != nil {
		return nil, "", err
	}
	if err := Check(text); err != nil {
		return nil, "", err
	}
	return text, encoding, nil
}

// InvalidUTF8Error locates the first invalid byte.
type InvalidUTF8Error struct{ Offset int }

func (e *InvalidUTF8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8 at byte %d", e.Offset)
}

// Unwrap lets errors.Is match ErrInvalidUTF8.
func (e *InvalidUTF8Error) Unwrap() error { return ErrInvalidUTF8 }

// Check reports whether src is text rubric can analyse.
func Check(src []byte) error {
	if err := checkBinary(src); err != nil {
		return err
	}
	if !utf8.Valid(src) {
		off := 0
		for off < len(src) {
			r, size := utf8.DecodeRune(src[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return &InvalidUTF8Error{Offset: off}
	}
	return nil
}

func checkBinary(src []byte) error {
	probe := src
	if len(probe) > 8000 {
		probe = probe[:8000]
	}
	if bytes.IndexByte(probe, 0) >= 0 {
		return ErrBinary
	}
	return nil
}
