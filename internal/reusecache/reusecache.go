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
// A segment is magic, the length of its entries, then the entries; each
// entry is its key, its value's length, a CRC-32C (Castagnoli) of key,
// length and value, then the value. Opening a pack only parses the
// segments: a segment that does not parse (a torn append) is dropped with
// the ones after it. An entry is checked against its CRC the first time
// the run reads it, and one that fails is a miss: so a run after an edit
// checks the few megabytes it reads, not the tens of megabytes of trees
// it does not (checking saleor's whole 85 MB pack was half of opening
// it). As the CRC covers the key and the length too, a damaged key or
// length can only lose entries, never hand out another's bytes. An entry
// the run keeps without reading it is checked when a rewrite copies it.
// The checks guard against accidents, not against whoever can write the
// cache directory (no unkeyed digest could: they would recompute it), and
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

var magic = []byte("rubric-reuse-pack-6\x00\x00\x00\x00\x00")

// entryHead is the length of an entry's head: key, value length (8 bytes,
// big endian), entrySum (4 bytes, big endian) and 4 zeros.
const entryHead = 48

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// entrySum is the CRC-32C of an entry's key, length (as in its head) and
// value.
func entrySum(key [32]byte, v []byte) uint32 {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(v)))
	return crc32.Update(crc32.Update(crc32.Update(0, castagnoli, key[:]), castagnoli, n[:]), castagnoli, v)
}

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

	mu          sync.Mutex
	flushFailed bool     // a FlushEarly failed: no more flushing
	early       *os.File // the new pack, its first segments written by FlushEarly
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
	return ok && entrySum(key, v) == sum
}

// FlushEarly implements analyzer.ReuseFlusher: on a run that started
// without a pack (a first run, which writes the pack whole), the entries
// made since the last flush are written as the new pack's next segment and
// let go. The driver flushes after phase one (each file's record, until
// then held for the pack, is freed) and once the test modules' trees are
// dropped (they are then freed, not kept to the end for Save): on saleor a
// first run's peak went from 244 to some 200 MB. Save adds the rest as the
// last segment. Any other run flushes nothing: it appends little, or
// rewrites the pack with entries it only reads.
func (p *Pack) FlushEarly() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.size != 0 || p.flushFailed {
		return
	}
	if p.early == nil {
		dir := filepath.Dir(p.path)
		tmp, err := os.CreateTemp(dir, ".tmp-*")
		if err != nil && os.MkdirAll(dir, 0o755) == nil {
			tmp, err = os.CreateTemp(dir, ".tmp-*")
		}
		if err != nil {
			p.flushFailed = true // Save writes what the run holds
			return
		}
		p.early = tmp
	}
	made := p.TakeMade()
	if len(made) == 0 {
		return
	}
	if encodeTo(p.early, made, nil) != nil {
		// Those entries are gone from memory, and the segments written
		// before with the file: the pack Save writes lacks them, and the
		// next run makes them again.
		p.early.Close()
		os.Remove(p.early.Name())
		p.early, p.flushFailed = nil, true
	}
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

// encode writes one segment: magic, the number of entries and the length
// of their values (8 bytes each, big endian), the entries' heads
// (entryHead each, in entryOrder, so that equal contents make equal
// segments), then the values in the same order, each followed by zeros up
// to a multiple of align. magic is 24 bytes long and a head 48: each value
// is aligned. The heads stand together so that opening a pack reads a
// megabyte of them, not a page of every value.
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
	values := 0
	for k, v := range entries {
		sum := entrySum(k, v)
		if old, ok := sums[k]; ok && old != sum {
			continue // damaged since it was written
		}
		keys = append(keys, entry{k, sum})
		values += len(v) + pad(len(v))
	}
	sort.Slice(keys, func(i, j int) bool {
		return entryBefore(len(entries[keys[i].key]), keys[i].key, len(entries[keys[j].key]), keys[j].key)
	})
	bw := bufio.NewWriterSize(w, 1<<20)
	var h [entryHead]byte
	bw.Write(magic) // the error sticks: bw.Flush returns it
	binary.BigEndian.PutUint64(h[:8], uint64(len(keys)))
	binary.BigEndian.PutUint64(h[8:16], uint64(values))
	bw.Write(h[:16])
	for _, e := range keys {
		copy(h[:32], e.key[:])
		binary.BigEndian.PutUint64(h[32:], uint64(len(entries[e.key])))
		binary.BigEndian.PutUint32(h[40:], e.sum)
		bw.Write(h[:])
	}
	var zeros [align]byte
	for _, e := range keys {
		v := entries[e.key]
		bw.Write(v)
		bw.Write(zeros[:pad(len(v))])
	}
	return bw.Flush()
}

// entryBefore is the order of a segment's entries: shorter values first,
// then by key. An edit run reads the small records of every file (phase
// one's, the findings) and hardly any of the large values (trees, sources):
// with the small ones together at the start of a segment, it touches a few
// megabytes of the pack's pages rather than a page or two in every
// stretch of it. On saleor the records an edit to a test module reads, 9 MB
// in some 17,000 entries, were spread over all 85 MB of the pack.
func entryBefore(lenA int, keyA [32]byte, lenB int, keyB [32]byte) bool {
	if lenA != lenB {
		return lenA < lenB
	}
	return bytes.Compare(keyA[:], keyB[:]) < 0
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

// decode checks a pack of one segment, values and padding included, and
// indexes its entries.
func decode(data []byte) (map[[32]byte][]byte, error) {
	entries, n, err := decodeSegment(data)
	if err == nil && n != len(data) {
		err = errCorrupt
	}
	if err != nil {
		return nil, err
	}
	out := make(map[[32]byte][]byte, len(entries))
	for i, e := range entries {
		if entrySum(e.key, e.value) != e.sum || i > 0 && !entryBefore(len(entries[i-1].value), entries[i-1].key, len(e.value), e.key) {
			return nil, errCorrupt // not the one encoding of these entries
		}
		for _, z := range data[e.at+len(e.value) : e.at+len(e.value)+pad(len(e.value))] {
			if z != 0 {
				return nil, errCorrupt
			}
		}
		out[e.key] = e.value
	}
	return out, nil
}

type packEntry struct {
	key   [32]byte
	value []byte
	sum   uint32
	at    int // where the value starts in the segment
}

// decodeSegment parses the segment data starts with, reading its heads
// only (its values are not checked), and returns its entries, in order,
// and its length.
func decodeSegment(data []byte) ([]packEntry, int, error) {
	head := len(magic) + 16
	if len(data) < head || !bytes.HasPrefix(data, magic) {
		return nil, 0, errCorrupt
	}
	count := binary.BigEndian.Uint64(data[len(magic):])
	values := binary.BigEndian.Uint64(data[len(magic)+8:])
	rest := uint64(len(data) - head)
	if count > rest/entryHead || values > rest-count*entryHead {
		return nil, 0, errCorrupt // a torn append
	}
	heads := data[head : head+int(count)*entryHead]
	at := head + len(heads) // where the next value starts
	end := at + int(values)
	entries := make([]packEntry, 0, count)
	for len(heads) > 0 {
		key := [32]byte(heads[:32])
		n := binary.BigEndian.Uint64(heads[32:])
		if n > uint64(end-at) || uint64(pad(int(n))) > uint64(end-at)-n || binary.BigEndian.Uint32(heads[44:]) != 0 {
			return nil, 0, errCorrupt
		}
		entries = append(entries, packEntry{key, data[at : at+int(n) : at+int(n)], binary.BigEndian.Uint32(heads[40:]), at})
		at += int(n) + pad(int(n))
		heads = heads[entryHead:]
	}
	if at != end {
		return nil, 0, errCorrupt
	}
	return entries, end, nil
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
