// Package treecache keeps parsed syntax trees on disk, one file per source
// content, so that a re-run parses only the files that changed. Trees are
// pure functions of the file's bytes and the grammar, so reusing them is
// always sound, whatever other file changed; rules still run on every file.
package treecache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// MaxEntries bounds the cache; past it, Prune removes the least recently
// used half.
const MaxEntries = 200000

// Dir is a tree cache in a directory. It is safe for concurrent use: each
// entry is one file, written to a temporary name and renamed.
type Dir struct {
	root string
}

// Open returns the cache under dir (created on first write). Entries live
// in a subdirectory named after the tree format and grammar, so a rubric
// with another grammar never reads them.
func Open(dir string) *Dir {
	return &Dir{root: filepath.Join(dir, "trees", pyast.FormatID())}
}

func (d *Dir) path(sum [32]byte) string {
	h := hex.EncodeToString(sum[:])
	return filepath.Join(d.root, h[:2], h[2:]+".tree")
}

// An entry is magic, SHA-256 over the format, the source's hash and the
// encoded tree, then the encoded tree: a flipped bit, a truncation, or an
// entry moved to another source's name fails the digest and is a miss.
// The magic's 16 bytes and the digest's 32 keep the tree 8-byte aligned
// in the buffer the entry is read into, so that the decoded tree's nodes
// are those bytes (pyast.DecodeTree), not a copy.
var magic = []byte("rubric-tree-2\x00\x00\x00")

func digest(srcSum [32]byte, payload []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(pyast.FormatID()))
	h.Write(srcSum[:])
	h.Write(payload)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// maxEntry caps the read of the entry of an n-byte source: an encoded
// tree takes 12 bytes a node and nodes are rarely more than two a byte (a
// larger entry is a miss, and the file is parsed).
func maxEntry(n int) int64 { return 64*int64(n) + 1<<20 }

func encodeEntry(srcSum [32]byte, t *pyast.Tree) ([]byte, error) {
	payload, err := t.MarshalBinary()
	if err != nil {
		return nil, err
	}
	sum := digest(srcSum, payload)
	out := make([]byte, 0, len(magic)+len(sum)+len(payload))
	out = append(append(append(out, magic...), sum[:]...), payload...)
	return out, nil
}

func decodeEntry(srcSum [32]byte, data, src []byte) (*pyast.Tree, error) {
	if !bytes.HasPrefix(data, magic) || len(data) < len(magic)+sha256.Size {
		return nil, pyast.ErrBadEncoding
	}
	data = data[len(magic):]
	payload := data[sha256.Size:]
	if digest(srcSum, payload) != [32]byte(data[:sha256.Size]) {
		return nil, pyast.ErrBadEncoding
	}
	return pyast.DecodeTree(payload, src)
}

// Get returns the cached tree of src, or nil. Only a regular file is read
// (no link, no FIFO), within a cap; a corrupt entry is a miss (and is
// removed).
func (d *Dir) Get(src []byte) *pyast.Tree {
	sum := sha256.Sum256(src)
	p := d.path(sum)
	data, err := safeio.ReadFile(p, maxEntry(len(src)))
	if err != nil {
		return nil
	}
	t, err := decodeEntry(sum, data, src)
	if err != nil {
		os.Remove(p)
		return nil
	}
	return t
}

// Put stores the tree of src. Failures are ignored: the cache is an
// optimisation.
func (d *Dir) Put(src []byte, t *pyast.Tree) {
	sum := sha256.Sum256(src)
	data, err := encodeEntry(sum, t)
	if err != nil {
		return
	}
	p := d.path(sum)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
	}
}

// Prune removes the least recently modified half of the entries when there
// are more than MaxEntries.
func (d *Dir) Prune() {
	var files []string
	filepath.WalkDir(d.root, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) <= MaxEntries {
		return
	}
	type entry struct {
		p   string
		mod int64
	}
	es := make([]entry, 0, len(files))
	for _, f := range files {
		if st, err := os.Lstat(f); err == nil {
			es = append(es, entry{f, st.ModTime().UnixNano()})
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].mod < es[j].mod })
	for _, e := range es[:len(es)/2] {
		os.Remove(e.p)
	}
}

// Root is the directory holding this format's entries.
func (d *Dir) Root() string { return d.root }

// ReadOnly serves the entries of a Dir and keeps no new one: for runs
// whose trees are kept elsewhere (`rubric check` keeps every tree it
// parses in its reuse pack, one file written at the end, where a file per
// tree took a quarter of a first run's CPU and most of its system time).
// An upgraded rubric or a new configuration, which starts a new pack,
// still finds the trees an earlier run kept here.
type ReadOnly struct{ *Dir }

// Put implements analyzer.TreeCache; it keeps nothing.
func (ReadOnly) Put([]byte, *pyast.Tree) {}

// Holds reports whether d has ever kept an entry (its format's directory
// exists): when not, a lookup per file is wasted.
func (d *Dir) Holds() bool {
	st, err := os.Lstat(d.root)
	return err == nil && st.IsDir()
}
