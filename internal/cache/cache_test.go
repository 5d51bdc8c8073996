package cache

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/design"
)

func inputs(t *testing.T, dir string, files map[string]string) []analyzer.Input {
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return analyzer.Discover([]string{dir}, dir, nil)
}

func sampleEntry() *Entry {
	return &Entry{Diagnostics: []analyzer.Diagnostic{{Code: "ERR001", Path: "a.py", Message: "bare except", Range: analyzer.Range{Start: 4, End: 11},
		Fixes: []analyzer.Fix{{Message: "f", Edits: []analyzer.TextEdit{{NewText: "except Exception:"}}}}}}, Stats: analyzer.Stats{Files: 1, Lines: 3}}
}

func TestKeyAndRoundTrip(t *testing.T) {
	dir, cdir := t.TempDir(), t.TempDir()
	in := inputs(t, dir, map[string]string{"a.py": "x = 1\n"})
	s1, err := Take(in, "0.1.0", "cfg", 0, 2)
	require.NoError(t, err)
	assert.Nil(t, Load(cdir, s1))

	res := &analyzer.Result{Diagnostics: sampleEntry().Diagnostics, Stats: analyzer.Stats{Files: 1}}
	stored, err := Store(cdir, s1, res)
	require.NoError(t, err)
	assert.True(t, stored)
	got := Load(cdir, s1)
	require.NotNil(t, got)
	assert.Equal(t, res.Diagnostics, got.Diagnostics)
	hit := s1.Result(got, analyzer.Config{WorkDir: dir})
	assert.Equal(t, "x = 1\n", string(hit.Files["a.py"].Src()))

	s2, _ := Take(in, "0.1.0", "other cfg", 0, 2)
	assert.NotEqual(t, s1.Key, s2.Key)
	s3, _ := Take(in, "0.2.0", "cfg", 0, 2)
	assert.NotEqual(t, s1.Key, s3.Key)
	require.NoError(t, os.WriteFile(in[0].Path, []byte("x = 2\n"), 0o644))
	s4, _ := Take(in, "0.1.0", "cfg", 0, 2)
	assert.NotEqual(t, s1.Key, s4.Key)
}

// Every single bit flipped in a stored entry, every truncation, and an
// entry copied under another key's name are misses: a corrupt entry never
// gives an answer that a cold run would not.
func TestCorruptEntriesAreMisses(t *testing.T) {
	const key = "0123abcd"
	good, err := encodeEntry(key, sampleEntry())
	require.NoError(t, err)
	e, err := decodeEntry(key, good)
	require.NoError(t, err)
	require.Equal(t, sampleEntry(), e)

	cdir := t.TempDir()
	snap := &Snapshot{Key: key}
	write := func(data []byte) {
		require.NoError(t, os.WriteFile(entryPath(cdir, key), data, 0o644))
	}
	// Every bit of every byte, through the decoder Load applies to what
	// it reads.
	flips := 0
	for i := range good {
		for bit := 0; bit < 8; bit++ {
			bad := bytes.Clone(good)
			bad[i] ^= 1 << bit
			_, err := decodeEntry(key, bad)
			require.Error(t, err, "bit %d of byte %d", bit, i)
			flips++
		}
	}
	// And through Load from disk, a flip in each part of the entry (writes
	// are slow on some disks: not all 7,000).
	for _, i := range []int{0, len(magic), len(magic) + 8, len(magic) + headerSize, len(good) / 2, len(good) - 1} {
		bad := bytes.Clone(good)
		bad[i] ^= 0x10
		write(bad)
		require.Nil(t, Load(cdir, snap), "byte %d", i)
	}
	for n := 0; n < len(good); n++ {
		_, err := decodeEntry(key, good[:n])
		require.Error(t, err, "cut at %d", n)
	}
	_, err = decodeEntry("another key", good)
	assert.Error(t, err, "an entry renamed to another key")
	_, err = decodeEntry(key, append(bytes.Clone(good), 0))
	assert.Error(t, err, "trailing bytes")
	write(good)
	assert.NotNil(t, Load(cdir, snap))
	t.Logf("%d single-bit flips over a %d-byte entry: all misses", flips, len(good))
}

// Only a regular file within the cap is read as an entry: a link (to
// another valid entry, even), a FIFO or a huge file is a miss, and the
// load does not hang.
func TestEntriesAreRegularFiles(t *testing.T) {
	cdir, other := t.TempDir(), t.TempDir()
	const key = "feedface"
	good, err := encodeEntry(key, sampleEntry())
	require.NoError(t, err)
	target := filepath.Join(other, "planted.gob")
	require.NoError(t, os.WriteFile(target, good, 0o644))
	require.NoError(t, os.Symlink(target, entryPath(cdir, key)))
	assert.Nil(t, Load(cdir, &Snapshot{Key: key}))
	require.NoError(t, syscall.Mkfifo(entryPath(cdir, "fifo"), 0o644))
	assert.Nil(t, Load(cdir, &Snapshot{Key: "fifo"}))

	// Over the cap (a sparse file: refused by its size, never read).
	big := entryPath(cdir, "big")
	require.NoError(t, os.WriteFile(big, good, 0o644))
	require.NoError(t, os.Truncate(big, MaxEntrySize+1))
	assert.Nil(t, Load(cdir, &Snapshot{Key: "big"}))
}

// A run the parse backstop cut short is not stored.
func TestTimedOutResultsAreNotStored(t *testing.T) {
	dir, cdir := t.TempDir(), t.TempDir()
	snap, err := Take(inputs(t, dir, map[string]string{"a.py": "x = 1\n"}), "v", "c", 0, 1)
	require.NoError(t, err)
	stored, err := Store(cdir, snap, &analyzer.Result{ParseTimeouts: 1})
	require.NoError(t, err)
	assert.False(t, stored)
	assert.Nil(t, Load(cdir, snap))
}

// The run that follows a snapshot analyses the snapshot: a file removed,
// edited or added after the listing changes nothing, so the stored entry
// matches its key.
func TestTheSnapshotIsWhatRuns(t *testing.T) {
	dir := t.TempDir()
	in := inputs(t, dir, map[string]string{"a.py": "try:\n    pass\nexcept:\n    pass\n", "b.py": "x = 1\n"})
	snap, err := Take(in, "v", "c", 0, 2)
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, "a.py")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.py"), []byte("def f(:\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.py"), []byte("def g(:\n"), 0o644))
	cfg := analyzer.Config{Rules: analyzer.BuiltinRules(), WorkDir: dir, Jobs: 2}
	snap.Apply(&cfg)
	res, err := analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	assert.Empty(t, res.Diagnostics, "no SYN001 from the edited b.py or the added c.py")
	assert.Equal(t, 2, res.Stats.Files)
	assert.Len(t, res.Files, 2)
}

// Reading a FIFO or a link for the key does not hang, and the key records
// the refusal the driver will report.
func TestTakeRefusesWhatTheDriverRefuses(t *testing.T) {
	dir := t.TempDir()
	in := inputs(t, dir, map[string]string{"a.py": "x = 1\n"})
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo.py"), 0o644))
	in = append(in, analyzer.Input{Path: filepath.Join(dir, "fifo.py"), Rel: "fifo.py", RootRel: "fifo.py"})
	snap, err := Take(in, "v", "c", 0, 2)
	require.NoError(t, err)
	require.Len(t, snap.Inputs, 2)
	assert.Error(t, snap.Inputs[1].Err)
	assert.NotContains(t, snap.Raw, "fifo.py")
}

// The templates are digested beside the reads, from the listing; a file
// the listing had but that could not be read is not an input of the run,
// and the templates next to it alone are then out of the digest, as Store
// will find them.
func TestOutsideDigestLeavesOutUnreadFiles(t *testing.T) {
	dir := t.TempDir()
	in := inputs(t, dir, map[string]string{"a.py": "x = 1\n", "other/templates/x.html": "{{ x }}"})
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "other", "fifo.py"), 0o644))
	in = append(in, analyzer.Input{Path: filepath.Join(dir, "other", "fifo.py"), Rel: "other/fifo.py", RootRel: "other/fifo.py"})
	snap, err := Take(in, "v", "c", 0, 2)
	require.NoError(t, err)
	require.Error(t, snap.Inputs[1].Err)
	assert.Equal(t, templatesDigest(snap.Inputs, 2), snap.tmpl)
	assert.NotEqual(t, templatesDigest(in, 2), snap.tmpl, "other/templates is next to the unread file only")
}

// FuzzDecodeEntry: decoding rejects anything but an entry written for the
// key; what it accepts re-encodes to the same bytes (never a mis-decode).
func FuzzDecodeEntry(f *testing.F) {
	const key = "fuzz"
	for _, e := range []*Entry{sampleEntry(), {}, {Stats: analyzer.Stats{Files: 3}}} {
		data, err := encodeEntry(key, e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(schema))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeEntry(key, data)
		if err != nil {
			return
		}
		again, err := encodeEntry(key, e)
		if err != nil {
			t.Fatalf("accepted entry does not re-encode: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("accepted %x, which re-encodes to %x", data, again)
		}
	})
}

// Templates are part of the key: rules read them, and a template edit
// changes findings in the view rendering it.
func TestTemplatesInKey(t *testing.T) {
	dir, cdir := t.TempDir(), t.TempDir()
	in := inputs(t, dir, map[string]string{"shop/views.py": "x = 1\n", "shop/templates/shop/list.html": "{{ a }}"})
	require.Len(t, in, 1, "templates are not Python inputs")
	s1, err := Take(in, "0.1.0", "cfg", 0, 2)
	require.NoError(t, err)
	s1again, _ := Take(in, "0.1.0", "cfg", 0, 2)
	assert.Equal(t, s1.Key, s1again.Key)

	tpl := filepath.Join(dir, "shop/templates/shop/list.html")
	require.NoError(t, os.WriteFile(tpl, []byte("{{ b }}"), 0o644))
	s2, _ := Take(in, "0.1.0", "cfg", 0, 2)
	assert.NotEqual(t, s1.Key, s2.Key, "an edited template")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop/templates/shop/new.html"), nil, 0o644))
	s3, _ := Take(in, "0.1.0", "cfg", 0, 2)
	assert.NotEqual(t, s2.Key, s3.Key, "a new template")

	// A template edited between the snapshot and the store: the result
	// may be the newer template's, so it is not cached under the key.
	require.NoError(t, os.WriteFile(tpl, []byte("{{ c }}"), 0o644))
	stored, err := Store(cdir, s3, &analyzer.Result{})
	require.NoError(t, err)
	assert.False(t, stored)
	s4, _ := Take(in, "0.1.0", "cfg", 0, 2)
	stored, err = Store(cdir, s4, &analyzer.Result{})
	require.NoError(t, err)
	assert.True(t, stored)
	assert.NotNil(t, Load(cdir, s4))
}

// What the rules read outside the inputs keys the cached findings: the
// Django version the dependency files declare moves the digest (a
// deploy-safety rule's advice depends on it), and so does the set of
// distributions declared (ARC007 reads it); another version of a
// distribution already declared, or a comment, does not.
func TestOutsideDigestCoversTheDeclaredDjango(t *testing.T) {
	dir := t.TempDir()
	in := inputs(t, dir, map[string]string{"app/models.py": "x = 1\n", "requirements.txt": "Django==4.2.1\nrequests==2.0\n"})
	before := OutsideDigest(in, 2)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("Django==4.2.1\n# pinned\nrequests==2.1\n"), 0o644))
	assert.Equal(t, before, OutsideDigest(in, 2), "another version of requests, a comment")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("Django==4.2.1\nrequests==2.1\npython-dotenv\n"), 0o644))
	moved := OutsideDigest(in, 2)
	assert.NotEqual(t, before, moved, "another distribution declared")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("Django==5.0\nrequests==2.1\npython-dotenv\n"), 0o644))
	assert.NotEqual(t, moved, OutsideDigest(in, 2), "Django 5.0 declared")
}

// The dotenv files key the cached findings too (SEC024 reads them): a
// value changed, a variable added or a template beside them matter as the
// rule reads them; a template's edit does not.
func TestOutsideDigestCoversTheDotenvFiles(t *testing.T) {
	dir := t.TempDir()
	in := inputs(t, dir, map[string]string{"app/settings.py": "x = 1\n", ".env": "SECRET_KEY=change-me\n", ".env.example": "SECRET_KEY=x\n"})
	before := OutsideDigest(in, 2)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env.example"), []byte("SECRET_KEY=y\n"), 0o644))
	assert.Equal(t, before, OutsideDigest(in, 2), "a template edited")
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("SECRET_KEY=p9x2k8vm4q7w1z6r3t0y5u8i2o4a7s1d\n"), 0o644))
	moved := OutsideDigest(in, 2)
	assert.NotEqual(t, before, moved, "a value changed")
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("SECRET_KEY=p9x2k8vm4q7w1z6r3t0y5u8i2o4a7s1d\nTOKEN=a\n"), 0o644))
	assert.NotEqual(t, moved, OutsideDigest(in, 2), "a variable added")
}

// The run reads the dependency files' declarations from the snapshot, as
// it reads the Python files: a requirements file edited after the key was
// taken changes nothing in the findings stored under that key.
func TestTheSnapshotsDeclarationsAreWhatRuns(t *testing.T) {
	dir := t.TempDir()
	in := inputs(t, dir, map[string]string{
		"requirements.txt": "Django==4.2.7\n",
		"shop/__init__.py": "",
		"shop/views.py":    "import redis\n\nclient = redis.Redis()\n",
	})
	snap, err := Take(in, "v", "c", 0, 2)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("Django==4.2.7\nredis==5.0\n"), 0o644))
	rule := design.UndeclaredDependency
	run := func(cfg analyzer.Config) []analyzer.Diagnostic {
		res, err := analyzer.Run(context.Background(), cfg, []string{dir})
		require.NoError(t, err)
		return res.Diagnostics
	}
	cfg := analyzer.Config{Rules: []*analyzer.Rule{rule}, WorkDir: dir, Jobs: 2}
	snap.Apply(&cfg)
	found := run(cfg)
	require.Len(t, found, 1, "redis undeclared, as the snapshot read the requirements")
	assert.Equal(t, "ARC007", found[0].Code)
	assert.Empty(t, run(analyzer.Config{Rules: []*analyzer.Rule{rule}, WorkDir: dir, Jobs: 2}), "a run of its own reads the edited file")
}
