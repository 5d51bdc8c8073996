// Package reusecache is the on-disk analyzer.ReuseCache of `rubric
// check`: the per-file records and findings a run keeps for the next one
// (see analyzer/reuse.go for what they are keyed by).
//
// The records of one scope (a working directory and its arguments) live in
// one pack file, read at once and rewritten at the end of a run with the
// entries the run used or made: a run after an edit needs nearly all of
// the previous run's entries, and one read beats thousands of small files.
// A pack is magic, the entries, then SHA-256 over magic and entries: a
// truncated or altered pack fails the check and is empty.
package reusecache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

var magic = []byte("rubric-reuse-pack-1\x00")

// MaxPack caps the read of a pack; a larger one is ignored.
const MaxPack = 1 << 30

// keep is how many packs (scopes) a cache directory holds; the least
// recently written are removed past it.
const keep = 16

// Pack is the reuse cache of one scope. It is safe for concurrent use.
type Pack struct {
	path string
	mu   sync.Mutex
	old  map[[32]byte][]byte // as loaded
	used map[[32]byte][]byte // read or written by this run: what Save keeps
}

// Open loads the pack of scope under dir (missing or corrupt: empty).
func Open(dir, scope string) *Pack {
	sum := sha256.Sum256([]byte(scope))
	p := &Pack{path: filepath.Join(dir, "reuse", hex.EncodeToString(sum[:16])+".pack"),
		old: map[[32]byte][]byte{}, used: map[[32]byte][]byte{}}
	data, err := readCapped(p.path, MaxPack)
	if err != nil {
		return p
	}
	if entries, err := decode(data); err == nil {
		p.old = entries
	}
	return p
}

func readCapped(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > limit {
		return nil, errors.New("reusecache: not a pack")
	}
	buf := bytes.NewBuffer(make([]byte, 0, st.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(fh, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, errors.New("reusecache: pack too large")
	}
	return buf.Bytes(), nil
}

// Get returns the entry under key.
func (p *Pack) Get(key [32]byte) ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.used[key]; ok {
		return v, true
	}
	v, ok := p.old[key]
	if ok {
		p.used[key] = v
	}
	return v, ok
}

// Put stores data under key.
func (p *Pack) Put(key [32]byte, data []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.used[key] = data
}

// Save writes the entries this run read or wrote, atomically, and removes
// the oldest packs past keep. Failures are ignored: the cache is an
// optimisation.
func (p *Pack) Save() {
	p.mu.Lock()
	data := encode(p.used)
	p.mu.Unlock()
	dir := filepath.Dir(p.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), p.path) != nil {
		os.Remove(tmp.Name())
		return
	}
	prune(dir)
}

// encode writes magic, then per entry (in key order, so that equal
// contents make equal packs) the key, the length and the data, then the
// digest of all that.
func encode(entries map[[32]byte][]byte) []byte {
	keys := make([][32]byte, 0, len(entries))
	size := len(magic) + sha256.Size
	for k, v := range entries {
		keys = append(keys, k)
		size += 32 + binary.MaxVarintLen64 + len(v)
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i][:], keys[j][:]) < 0 })
	out := make([]byte, 0, size)
	out = append(out, magic...)
	for _, k := range keys {
		out = append(out, k[:]...)
		out = binary.AppendUvarint(out, uint64(len(entries[k])))
		out = append(out, entries[k]...)
	}
	sum := sha256.Sum256(out)
	return append(out, sum[:]...)
}

var errCorrupt = errors.New("reusecache: corrupt pack")

// decode checks a pack and indexes its entries (the values alias data).
func decode(data []byte) (map[[32]byte][]byte, error) {
	if len(data) < len(magic)+sha256.Size || !bytes.HasPrefix(data, magic) {
		return nil, errCorrupt
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if sha256.Sum256(body) != [32]byte(sum) {
		return nil, errCorrupt
	}
	rest := body[len(magic):]
	out := map[[32]byte][]byte{}
	for len(rest) > 0 {
		if len(rest) < 32 {
			return nil, errCorrupt
		}
		key := [32]byte(rest[:32])
		n, k := binary.Uvarint(rest[32:])
		if k <= 0 || n > uint64(len(rest)-32-k) {
			return nil, errCorrupt
		}
		start := 32 + k
		out[key] = rest[start : start+int(n) : start+int(n)]
		rest = rest[start+int(n):]
	}
	return out, nil
}

func prune(dir string) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.pack"))
	if err != nil || len(matches) <= keep {
		return
	}
	type aged struct {
		path string
		mod  time.Time
	}
	var all []aged
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil {
			all = append(all, aged{m, st.ModTime()})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod.After(all[j].mod) })
	for _, a := range all[min(keep, len(all)):] {
		os.Remove(a.path)
	}
}
