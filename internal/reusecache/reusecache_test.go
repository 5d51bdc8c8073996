package reusecache

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func key(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func has(p *Pack, k string) bool {
	_, ok := p.Get(key(k))
	return ok
}

func TestPackKeepsWhatTheRunUsed(t *testing.T) {
	for name, open := range map[string]func(dir, scope string) *Pack{"mapped": Open, "copied": OpenCopy} {
		t.Run(name, func(t *testing.T) { testPackKeepsWhatTheRunUsed(t, open) })
	}
}

// The two ways of opening a pack read one format: a pack written after a
// mapped read is read by a copying one and the other way round.
func TestMappedAndCopiedPacksAgree(t *testing.T) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	p.Put(key("a"), []byte("alpha"))
	p.Save()
	q := OpenCopy(dir, "scope")
	assert.True(t, has(q, "a"))
	q.Put(key("b"), []byte("beta"))
	q.Save()
	p = Open(dir, "scope")
	assert.True(t, has(p, "a"))
	assert.True(t, has(p, "b"))
}

func testPackKeepsWhatTheRunUsed(t *testing.T, Open func(dir, scope string) *Pack) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	assert.False(t, has(p, "a"))
	p.Put(key("a"), []byte("alpha"))
	p.Put(key("b"), []byte("beta"))
	p.Put(key("empty"), nil)
	p.Save()

	p = Open(dir, "scope")
	v, ok := p.Get(key("a"))
	require.True(t, ok)
	assert.Equal(t, "alpha", string(v))
	v, ok = p.Get(key("empty"))
	assert.True(t, ok)
	assert.Empty(t, v)
	assert.False(t, has(Open(dir, "other scope"), "a"), "scopes do not share packs")
	p.Put(key("c"), []byte("gamma"))
	p.Save() // appended: b, unused, stays for now
	st, err := os.Stat(p.path)
	require.NoError(t, err)

	p = Open(dir, "scope")
	for _, k := range []string{"a", "b", "c", "empty"} {
		assert.True(t, has(p, k), k)
	}
	assert.Equal(t, st.Size(), p.size, "two segments read")
	// A run that uses less than half of the pack rewrites it with what it
	// used.
	p = Open(dir, "scope")
	has(p, "a")
	p.Put(key("d"), make([]byte, 10))
	p.Save()
	p = Open(dir, "scope")
	assert.True(t, has(p, "a"))
	assert.True(t, has(p, "d"))
	assert.False(t, has(p, "b"))
	assert.False(t, has(p, "c"))
}

func TestTornAppendKeepsTheSegmentsBefore(t *testing.T) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	p.Put(key("a"), []byte("alpha"))
	p.Save()
	p = Open(dir, "scope")
	has(p, "a")
	p.Put(key("b"), []byte("beta"))
	p.Save()
	data, err := os.ReadFile(p.path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p.path, data[:len(data)-3], 0o644))
	p = Open(dir, "scope")
	assert.True(t, has(p, "a"))
	assert.False(t, has(p, "b"), "the torn segment is dropped")
}

// A flipped bit anywhere but in the zeros that pad a value makes its
// entry a miss; in the padding, which holds no data, it changes nothing.
func TestCorruptPackIsEmpty(t *testing.T) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	p.Put(key("a"), []byte("alpha"))
	p.Save()
	data, err := os.ReadFile(p.path)
	require.NoError(t, err)
	padding := len(data) - pad(len("alpha"))
	for at := range data {
		bad := append([]byte{}, data...)
		bad[at] ^= 1
		require.NoError(t, os.WriteFile(p.path, bad, 0o644))
		v, ok := Open(dir, "scope").Get(key("a"))
		if at >= padding {
			assert.Equal(t, "alpha", string(v), "bit %d flipped", at)
		} else {
			assert.False(t, ok, "bit %d flipped", at)
		}
	}
	require.NoError(t, os.WriteFile(p.path, []byte("garbage"), 0o644))
	assert.False(t, has(Open(dir, "scope"), "a"))
	// Not a regular file: ignored.
	require.NoError(t, os.Remove(p.path))
	require.NoError(t, os.Mkdir(p.path, 0o755))
	assert.False(t, has(Open(dir, "scope"), "a"))
	assert.NoError(t, os.Remove(p.path))
	matches, _ := filepath.Glob(filepath.Join(dir, "reuse", "*"))
	assert.Empty(t, matches)
}

func FuzzDecode(f *testing.F) {
	f.Add(encode(map[[32]byte][]byte{key("a"): []byte("alpha")}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := decode(data); err == nil {
			assert.Equal(t, data, encode(m))
		}
		decodeSegments(data)
	})
}

// Every value of a loaded pack, over several segments, starts at a
// multiple of 8 bytes: a tree kept there is used in place.
func TestValuesAreAligned(t *testing.T) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	for i := range 9 {
		p.Put(key(string(rune('a'+i))), make([]byte, i*3+1))
	}
	p.Save()
	p = Open(dir, "scope")
	for i := range 9 {
		_, _ = p.Get(key(string(rune('a' + i))))
	}
	p.Put(key("late"), []byte("odd"))
	p.Save()
	p = Open(dir, "scope")
	used, _ := p.Used()
	assert.Empty(t, used)
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "late"} {
		v, ok := p.Get(key(k))
		require.True(t, ok, k)
		assert.Zero(t, uintptr(unsafe.Pointer(unsafe.SliceData(v)))%8, k)
	}
}

// A segment holds its short values first: the records an edit run reads
// stand together, ahead of the trees and sources it mostly leaves. The
// order is a function of the entries alone (same entries, same bytes).
func TestShortValuesComeFirst(t *testing.T) {
	entries := map[[32]byte][]byte{}
	for i := range 40 {
		entries[key(string(rune('a'+i)))] = make([]byte, (i*7919)%97+1)
	}
	entries[key("tie-1")] = make([]byte, 5)
	entries[key("tie-2")] = make([]byte, 5)
	data := encode(entries)
	got, n, err := decodeSegment(data)
	require.NoError(t, err)
	require.Equal(t, len(data), n)
	require.Len(t, got, len(entries))
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		assert.True(t, len(a.value) < len(b.value) || len(a.value) == len(b.value) && bytes.Compare(a.key[:], b.key[:]) < 0, "entry %d", i)
		assert.Less(t, a.at, b.at)
	}
	assert.Equal(t, data, encode(entries))
	back, err := decode(data)
	require.NoError(t, err)
	assert.Equal(t, entries, back)
}

// A first run writes what it made so far each time the driver flushes (and
// lets it go: a Get of it is a miss), then the rest at Save, as segments of
// one new pack. A run that starts with a pack flushes nothing.
func TestFirstRunFlushesEarly(t *testing.T) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	p.Put(key("a"), []byte("alpha"))
	p.Put(key("b"), []byte("beta"))
	p.FlushEarly()
	assert.False(t, has(p, "a"), "flushed: let go")
	tmps, _ := filepath.Glob(filepath.Join(dir, "reuse", ".tmp-*"))
	require.Len(t, tmps, 1, "the new pack is being written")
	p.Put(key("c"), []byte("gamma"))
	p.FlushEarly() // the next segment
	assert.False(t, has(p, "c"))
	p.FlushEarly() // nothing made since: no segment
	p.Put(key("e"), []byte("epsilon"))
	assert.True(t, has(p, "e"))
	p.Save()
	tmps, _ = filepath.Glob(filepath.Join(dir, "reuse", ".tmp-*"))
	assert.Empty(t, tmps)

	q := Open(dir, "scope")
	for _, k := range []string{"a", "b", "c", "e"} {
		assert.True(t, has(q, k), k)
	}
	q.Put(key("d"), []byte("delta"))
	q.FlushEarly() // the pack existed: nothing written now
	assert.True(t, has(q, "d"))
	tmps, _ = filepath.Glob(filepath.Join(dir, "reuse", ".tmp-*"))
	assert.Empty(t, tmps)
	q.Save()
	r := Open(dir, "scope")
	for _, k := range []string{"a", "b", "c", "d"} {
		assert.True(t, has(r, k), k)
	}
}

// A value is checked when the run first reads it: a damaged one is a miss
// and the segment's other entries stay. A rewrite checks the values it
// copies that the run only kept, and leaves the damaged ones out.
func TestDamagedValueIsAMissAndNotCopied(t *testing.T) {
	dir := t.TempDir()
	p := Open(dir, "scope")
	for _, k := range []string{"a", "b", "c"} {
		p.Put(key(k), []byte(k+"-value"))
	}
	p.Put(key("big"), make([]byte, 4096)) // unused below: the next run rewrites the pack
	p.Save()
	data, err := os.ReadFile(p.path)
	require.NoError(t, err)
	for _, k := range []string{"b", "c"} {
		at := bytes.Index(data, []byte(k+"-value"))
		require.Positive(t, at)
		data[at] ^= 1
	}
	require.NoError(t, os.WriteFile(p.path, data, 0o644))

	p = Open(dir, "scope")
	assert.True(t, has(p, "a"))
	assert.False(t, has(p, "b"), "damaged: a miss")
	assert.True(t, has(p, "a"), "asked again")
	p.Keep(key("c")) // damaged, kept unread
	p.Save()
	p = Open(dir, "scope")
	assert.Len(t, p.sums, 1, "the rewrite copied a alone")
	assert.True(t, has(p, "a"))
	assert.False(t, has(p, "c"))
	assert.False(t, has(p, "big"))
}
