// Package treecache keeps parsed syntax trees on disk, one file per source
// content, so that a re-run parses only the files that changed. Trees are
// pure functions of the file's bytes and the grammar, so reusing them is
// always sound, whatever other file changed; rules still run on every file.
package treecache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"

	"github.com/rubric-dev/rubric/analyzer/pyast"
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

func (d *Dir) path(src []byte) string {
	sum := sha256.Sum256(src)
	h := hex.EncodeToString(sum[:])
	return filepath.Join(d.root, h[:2], h[2:]+".tree")
}

// Get returns the cached tree of src, or nil. A corrupt entry is a miss.
func (d *Dir) Get(src []byte) *pyast.Tree {
	p := d.path(src)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	t, err := pyast.DecodeTree(data, src)
	if err != nil {
		os.Remove(p)
		return nil
	}
	return t
}

// Put stores the tree of src. Failures are ignored: the cache is an
// optimisation.
func (d *Dir) Put(src []byte, t *pyast.Tree) {
	data, err := t.MarshalBinary()
	if err != nil {
		return
	}
	p := d.path(src)
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
		if err == nil && !e.IsDir() {
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
		if st, err := os.Stat(f); err == nil {
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
