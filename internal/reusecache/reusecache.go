// Package reusecache is the on-disk analyzer.ReuseCache of `rubric
// check`: the per-file records and findings a run keeps for the next one
// (see analyzer/reuse.go for what they are keyed by).
//
// The records of one scope (a working directory and its arguments) live in
// one pack file, mapped at once (mapPack): a run after an edit needs
// nearly all of the previous run's entries, and one mapping beats
// thousands of small files. A run appends a segment with the entries it
// made; the pack is rewritten with just the entries the run used when
// those are less than half of it.
//
// A segment is magic, the length of its entries, the entries, then a
// CRC-32C (Castagnoli) over everything but the values; each entry is its
// key, its length, the CRC-32C of its value, then the value. Reading
// stops at the first segment that fails its check (a torn append, a
// flipped bit in a key or a length), keeping the segments before it; a
// value is checked against its own CRC the first time the run reads it,
// and a value that fails is a miss. So a run after an edit checks the few
// megabytes it reads, not the tens of megabytes of trees it does not
// (half of opening saleor's 85 MB pack was that check). An entry the run
// keeps without reading it is checked when a rewrite copies it. The
// checks guard against accidents, not against whoever can write the cache
// directory (no unkeyed digest could: they would recompute it), and
// CRC-32C catches every burst of up to 32 flipped bits at a fraction of
// SHA-256's cost. Every value starts at a multiple of 8 bytes from the
// start of the pack, so that a tree kept in it is used in place
// (pyast.DecodeTree), not copied.
package reusecache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/safeio"
)

var magic = []byte("rubric-reuse-pack-4\x00\x00\x00\x00\x00")

// sumSize is the length of a segment's check, padded to align.
const sumSize = 8

// entryHead is the length of an entry's head: key, value length (8 bytes,
// big endian), the value's CRC-32C (4 bytes, big endian) and 4 zeros.
const entryHead = 48

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func valueSum(v []byte) uint32 { return crc32.Checksum(v, castagnoli) }

// align is the alignment of values within a pack (the pack is mapped at
// a page boundary, or read into a buffer aligned as much); segments are
// multiples of it long.
const align = 8

// pad returns how many zero bytes bring n to a multiple of align.
func pad(n int) int { return -n & (align - 1) }

// MaxPack caps the read of a pack; a larger one is ignored.
const MaxPack = 1 << 30

// keep is how many packs (scopes) a cache directory holds; the least
// recently written are removed past it.
const keep = 16

// Pack is the reuse cache of one scope. It is safe for concurrent use.
type Pack struct {
	*analyzer.MemoryReuse // the entries loaded, and what the run uses and makes
	path                  string
	size                  int64 // bytes of the pack as loaded
	// sums are the loaded values' CRCs, by key: a value is checked
	// against its sum on its first Get, or when a rewrite copies it.
	sums map[[32]byte]uint32

	mu      sync.Mutex
	flushed bool     // FlushEarly ran
	early   *os.File // the new pack, its first segment written by FlushEarly
}

// Open loads the pack of scope under dir (missing or corrupt: empty),
// mapping it (mapPack): for a process that opens one pack, once.
func Open(dir, scope string) *Pack { return open(dir, scope, mapPack) }

// OpenCopy is Open for a process that opens packs again and again
// (`check --watch`): the pack is read into memory that the collector
// frees once nothing uses it, where a mapping would stay for good.
func OpenCopy(dir, scope string) *Pack { return open(dir, scope, safeio.ReadFile) }

func open(dir, scope string, read func(string, int64) ([]byte, error)) *Pack {
	sum := sha256.Sum256([]byte(scope))
	p := &Pack{path: filepath.Join(dir, "reuse", hex.EncodeToString(sum[:16])+".pack")}
	var entries map[[32]byte][]byte
	if data, err := read(p.path, MaxPack); err == nil {
		entries, p.sums, p.size = decodeSegments(data)
	}
	p.MemoryReuse = analyzer.NewCheckedMemoryReuse(entries, p.check)
	return p
}

// check tells whether v, loaded under key, is what was written.
func (p *Pack) check(key [32]byte, v []byte) bool {
	sum, ok := p.sums[key]
	return ok && valueSum(v) == sum
}

// FlushEarly implements analyzer.ReuseFlusher: on a run that started
// without a pack (a first run, which writes the pack whole), the entries
// made so far are written as the new pack's first segment and let go: the
// trees of the test modules the driver has dropped are then freed, not
// kept to the end for Save (on saleor, a first run's peak went from 244 to
// some 200 MB). Save adds the rest as a second segment. Any other run
// flushes nothing: it appends little, or rewrites the pack with entries
// it only reads.
func (p *Pack) FlushEarly() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.size != 0 || p.flushed {
		return
	}
	p.flushed = true
	dir := filepath.Dir(p.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	if encodeTo(tmp, p.TakeMade(), nil) != nil {
		// Those entries are gone from memory: the pack Save writes lacks
		// them, and the next run makes them again.
		tmp.Close()
		os.Remove(tmp.Name())
		return
	}
	p.early = tmp
}

// Save appends the entries this run made, or rewrites the pack with the
// entries this run read or wrote when those are less than half of it;
// then removes the oldest packs past keep. Failures are ignored: the
// cache is an optimisation.
func (p *Pack) Save() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.early != nil {
		p.saveAfterFlush()
		return
	}
	used, made := p.Used()
	usedBytes := int64(0)
	for _, v := range used {
		usedBytes += int64(32 + len(v))
	}
	compact := p.size == 0 || 2*usedBytes < p.size
	entries := made
	if compact {
		entries = used
	}
	if !compact && len(entries) == 0 {
		return
	}
	dir := filepath.Dir(p.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	if !compact {
		fh, err := os.OpenFile(p.path, os.O_WRONLY|os.O_APPEND, 0)
		if err == nil {
			if st, err := fh.Stat(); err == nil && st.Mode().IsRegular() {
				_ = encodeTo(fh, entries, nil)
			}
			fh.Close()
			return
		}
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	werr := encodeTo(tmp, entries, p.sums)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), p.path) != nil {
		os.Remove(tmp.Name())
		return
	}
	prune(dir)
}

// saveAfterFlush ends the pack FlushEarly began: what the run read or
// wrote since is its second segment.
func (p *Pack) saveAfterFlush() {
	tmp := p.early
	used, _ := p.Used()
	werr := encodeTo(tmp, used, nil)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), p.path) != nil {
		os.Remove(tmp.Name())
		return
	}
	prune(filepath.Dir(p.path))
}

// encode writes one segment: magic, the length of the entries (8 bytes,
// big endian), the entries (in key order, so that equal contents make
// equal segments: entryHead, the value, zeros up to a multiple of align),
// then the segment's sum (CRC-32C over all that but the values, and 4
// zeros). magic is 24 bytes long: each value is aligned.
func encode(entries map[[32]byte][]byte) []byte {
	var b bytes.Buffer
	_ = encodeTo(&b, entries, nil)
	return b.Bytes()
}

// encodeTo writes the segment encode makes to w, through a small buffer:
// a first run's pack is tens of megabytes, which a segment built whole in
// memory added to the run's peak. An entry whose key has a sum in sums
// (loaded from a pack) and whose value does not match it is left out.
func encodeTo(w io.Writer, entries map[[32]byte][]byte, sums map[[32]byte]uint32) error {
	type entry struct {
		key [32]byte
		sum uint32
	}
	keys := make([]entry, 0, len(entries))
	size := 0
	for k, v := range entries {
		sum := valueSum(v)
		if old, ok := sums[k]; ok && old != sum {
			continue // damaged since it was written
		}
		keys = append(keys, entry{k, sum})
		size += entryHead + len(v) + pad(len(v))
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i].key[:], keys[j].key[:]) < 0 })
	bw := bufio.NewWriterSize(w, 1<<20)
	crc := uint32(0)
	head := func(b []byte) {
		crc = crc32.Update(crc, castagnoli, b)
		bw.Write(b) // the error sticks: bw.Flush returns it
	}
	var h [entryHead]byte
	head(magic)
	binary.BigEndian.PutUint64(h[:8], uint64(size))
	head(h[:8])
	var zeros [align]byte
	for _, e := range keys {
		v := entries[e.key]
		copy(h[:32], e.key[:])
		binary.BigEndian.PutUint64(h[32:], uint64(len(v)))
		binary.BigEndian.PutUint32(h[40:], e.sum)
		head(h[:])
		bw.Write(v)
		bw.Write(zeros[:pad(len(v))])
	}
	var sum [sumSize]byte
	binary.BigEndian.PutUint32(sum[:], crc)
	bw.Write(sum[:])
	return bw.Flush()
}

var errCorrupt = errors.New("reusecache: corrupt pack")

// decodeSegments reads the segments of a pack up to the first one that
// fails its check, and returns their entries (the values alias data and
// are not checked yet), the values' sums and the bytes they take.
func decodeSegments(data []byte) (map[[32]byte][]byte, map[[32]byte]uint32, int64) {
	var segs [][]packEntry
	var size int64
	total := 0
	for len(data) > 0 {
		entries, n, err := decodeSegment(data)
		if err != nil {
			break
		}
		segs = append(segs, entries)
		total += len(entries)
		size += int64(n)
		data = data[n:]
	}
	// Sized at once: growing the map was half of decoding a large pack.
	out := make(map[[32]byte][]byte, total)
	sums := make(map[[32]byte]uint32, total)
	for _, entries := range segs {
		for _, e := range entries {
			out[e.key] = e.value // a later segment's entry replaces an earlier one's
			sums[e.key] = e.sum
		}
	}
	return out, sums, size
}

// decode checks a pack of one segment, values included, and indexes its
// entries.
func decode(data []byte) (map[[32]byte][]byte, error) {
	entries, n, err := decodeSegment(data)
	if err == nil && n != len(data) {
		err = errCorrupt
	}
	if err != nil {
		return nil, err
	}
	out := make(map[[32]byte][]byte, len(entries))
	for _, e := range entries {
		if valueSum(e.value) != e.sum {
			return nil, errCorrupt
		}
		out[e.key] = e.value
	}
	return out, nil
}

type packEntry struct {
	key   [32]byte
	value []byte
	sum   uint32
}

// decodeSegment checks the segment data starts with (all but its values)
// and returns its entries, in order, and its length.
func decodeSegment(data []byte) ([]packEntry, int, error) {
	head := len(magic) + 8
	if len(data) < head+sumSize || !bytes.HasPrefix(data, magic) {
		return nil, 0, errCorrupt
	}
	body := binary.BigEndian.Uint64(data[len(magic):])
	if body > uint64(len(data)-head-sumSize) {
		return nil, 0, errCorrupt
	}
	end := head + int(body)
	crc := crc32.Update(0, castagnoli, data[:head])
	var entries []packEntry
	rest := data[head:end]
	for len(rest) > 0 {
		if len(rest) < entryHead {
			return nil, 0, errCorrupt
		}
		crc = crc32.Update(crc, castagnoli, rest[:entryHead])
		key := [32]byte(rest[:32])
		n := binary.BigEndian.Uint64(rest[32:])
		if n > uint64(len(rest)-entryHead) || uint64(pad(int(n))) > uint64(len(rest)-entryHead)-n ||
			binary.BigEndian.Uint32(rest[44:]) != 0 {
			return nil, 0, errCorrupt
		}
		end := entryHead + int(n)
		for _, z := range rest[end : end+pad(int(n))] {
			if z != 0 {
				return nil, 0, errCorrupt // not the one encoding of these entries
			}
		}
		entries = append(entries, packEntry{key, rest[entryHead:end:end], binary.BigEndian.Uint32(rest[40:])})
		rest = rest[end+pad(int(n)):]
	}
	var sum [sumSize]byte
	binary.BigEndian.PutUint32(sum[:], crc)
	if sum != [sumSize]byte(data[end:end+sumSize]) {
		return nil, 0, errCorrupt
	}
	return entries, end + sumSize, nil
}

func prune(dir string) {
	// A run stopped between FlushEarly and Save leaves its new pack
	// behind under a temporary name.
	if tmps, err := filepath.Glob(filepath.Join(dir, ".tmp-*")); err == nil {
		for _, t := range tmps {
			if st, err := os.Lstat(t); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > time.Hour {
				os.Remove(t)
			}
		}
	}
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
