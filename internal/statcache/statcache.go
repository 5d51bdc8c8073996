// Package statcache remembers the content hash of files by their stat
// (size, modification and change times, inode, device, mode), so that a
// re-run can tell an unchanged file's hash without reading it, as git's
// index does for `git status`.
//
// A hash is recorded only for a file whose last change is at least Racy
// old when it was read: a change made afterwards moves its modification or
// change time past the recorded one even on file systems with coarse
// timestamps. Editing a file within the same timestamp tick as the read
// that recorded it would otherwise leave its stat unchanged.
package statcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/rubric-dev/rubric/internal/safeio"
)

// Racy is how old a file's last change must be for its hash to be
// recorded. A variable for tests only.
var Racy = 2 * time.Second

// maxFile caps the read of a stored index (entries are about 100 bytes).
const maxFile = 64 << 20

// schema changes whenever entry or the encoding does.
const schema = "rubric-stat-3"

// Key is what a file's stat says about it; equal keys mean an unchanged
// file.
type Key struct {
	Size         int64
	Mtime, Ctime int64 // nanoseconds
	Ino, Dev     uint64
	Mode         uint32
}

type entry struct {
	Key Key
	Sum [32]byte
	// Unsure marks a hash read too soon after the file's last change (see
	// Racy): never trusted for the stat (Sum), only telling what the last
	// run saw (Saw).
	Unsure bool
}

// Cache is the stat index of one scope (a working directory and its
// arguments). It is safe for concurrent use.
type Cache struct {
	path string
	// stale is where the same scope's index was kept in the gob encoding
	// (schema rubric-stat-2), never read again: Save removes it.
	stale string
	mu    sync.Mutex
	old   map[string]entry // as loaded
	seen  map[string]entry // confirmed or recorded by this run: what Save keeps
	now   func() time.Time
}

// Open loads the index of scope under dir (a missing or corrupt index is
// empty).
func Open(dir, scope string) *Cache {
	sum := sha256.Sum256([]byte(schema + "\x00" + scope))
	c := &Cache{path: filepath.Join(dir, "stat", hex.EncodeToString(sum[:16])+".idx"),
		old: map[string]entry{}, seen: map[string]entry{}, now: time.Now}
	gobSum := sha256.Sum256([]byte("rubric-stat-2\x00" + scope))
	c.stale = filepath.Join(dir, "stat", hex.EncodeToString(gobSum[:16])+".gob")
	// A regular file only, not followed through a link, opened without
	// blocking (a FIFO planted in the cache directory would hang the run),
	// capped.
	data, err := safeio.ReadFile(c.path, maxFile)
	if err != nil {
		return c
	}
	if entries, err := decode(data); err == nil {
		c.old = entries
	}
	return c
}

// Sum returns the recorded hash of the file at path when its stat fi is
// the one recorded with it.
func (c *Cache) Sum(path string, fi fs.FileInfo) ([32]byte, bool) {
	k, ok := keyOf(fi)
	if c == nil || !ok {
		return [32]byte{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.old[path]
	if !ok || e.Key != k || e.Unsure {
		return [32]byte{}, false
	}
	c.seen[path] = e
	return e.Sum, true
}

// Record notes the hash of the file at path, read when its stat was fi.
// When the file changed too recently to be told apart from a change right
// after the read (see Racy), the hash is kept as unsure: Sum will not
// trust it, Saw still tells it.
func (c *Cache) Record(path string, fi fs.FileInfo, sum [32]byte) {
	k, ok := keyOf(fi)
	if c == nil || !ok {
		return
	}
	changed := time.Unix(0, max(k.Mtime, k.Ctime))
	unsure := c.now().Sub(changed) < Racy
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[path] = entry{Key: k, Sum: sum, Unsure: unsure}
}

// Saw reports whether the last run read the file at path with the hash
// sum (whatever its stat then): a file read again but found as it was
// does not make this run's analysis differ from the last one's.
func (c *Cache) Saw(path string, sum [32]byte) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.old[path]
	return ok && e.Sum == sum
}

// Save writes the entries this run confirmed or recorded (files it did not
// meet are dropped), atomically. Failures are ignored: the index is an
// optimisation.
func (c *Cache) Save() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.seen) == len(c.old) && maps.Equal(c.seen, c.old) {
		return // unchanged: nothing to write
	}
	data := encode(c.seen)
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), c.path) != nil {
		os.Remove(tmp.Name())
		return
	}
	os.Remove(c.stale)
}

// The stored index is the schema, the number of entries (8 bytes), the
// entries in path order (the path after its length as a uvarint, then the
// key's six fields and the sum, fixed width, and a byte for Unsure), and a
// CRC-32C (Castagnoli) of all that. Decoding it is a loop over the bytes:
// gob, used before, took 10 to 15 ms on saleor's 4,300 files, on the path
// of every run, warm ones included.
const entryFixed = 8*5 + 4 + 32 + 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errCorrupt = errors.New("statcache: corrupt index")

func encode(entries map[string]entry) []byte {
	paths := slices.Sorted(maps.Keys(entries))
	n := len(schema) + 8 + 4
	for _, p := range paths {
		n += binary.MaxVarintLen64 + len(p) + entryFixed
	}
	b := make([]byte, 0, n)
	b = append(b, schema...)
	b = binary.BigEndian.AppendUint64(b, uint64(len(paths)))
	for _, p := range paths {
		e := entries[p]
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
		for _, v := range [...]uint64{uint64(e.Key.Size), uint64(e.Key.Mtime), uint64(e.Key.Ctime), e.Key.Ino, e.Key.Dev} {
			b = binary.BigEndian.AppendUint64(b, v)
		}
		b = binary.BigEndian.AppendUint32(b, e.Key.Mode)
		b = append(b, e.Sum[:]...)
		if e.Unsure {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// decode reads what encode wrote; anything else (another schema, a torn
// or damaged file) is an error, and the index is then empty.
func decode(data []byte) (map[string]entry, error) {
	if len(data) < len(schema)+8+4 || !bytes.HasPrefix(data, []byte(schema)) {
		return nil, errCorrupt
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(data[len(body):]) {
		return nil, errCorrupt
	}
	b := body[len(schema):]
	count := binary.BigEndian.Uint64(b)
	b = b[8:]
	if count > uint64(len(b))/(1+entryFixed) {
		return nil, errCorrupt
	}
	out := make(map[string]entry, count)
	for range count {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) || uint64(len(b)-k)-n < entryFixed {
			return nil, errCorrupt
		}
		p := string(b[k : k+int(n)])
		b = b[k+int(n):]
		var e entry
		u := func(i int) uint64 { return binary.BigEndian.Uint64(b[8*i:]) }
		e.Key = Key{Size: int64(u(0)), Mtime: int64(u(1)), Ctime: int64(u(2)), Ino: u(3), Dev: u(4), Mode: binary.BigEndian.Uint32(b[40:])}
		copy(e.Sum[:], b[44:76])
		switch b[76] {
		case 0:
		case 1:
			e.Unsure = true
		default:
			return nil, errCorrupt
		}
		if _, dup := out[p]; dup {
			return nil, errCorrupt
		}
		out[p] = e
		b = b[entryFixed:]
	}
	if len(b) != 0 {
		return nil, errCorrupt
	}
	return out, nil
}
