// Package cache stores the results of a run so that re-running rubric on
// an unchanged tree costs a walk, a read and a hash of each file.
//
// The key covers rubric's own executable (so a rebuilt rubric never reads
// an older one's results), the effective configuration and rule set, and
// every analysed file's display path, module root and content hash, and
// the Django templates next to them (path and content hash: rules read
// them, see semantic.ListTemplates). Every
// file is in the key because rules see the project index, built from all
// files: a model edited in one file changes findings in another. So one
// edit re-analyses the project; what the cache saves is the unchanged
// re-run (CI retries, pre-commit on an unchanged tree, `rubric check` after
// `rubric check --format sarif`). Finer, per-file reuse needs rules to
// declare whether they read the index; see docs/ci.md.
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/internal/safeio"
)

// schema changes whenever Entry or the entry format does.
const schema = "rubric-cache-2"

// keep is how many entries a cache directory holds; older ones are pruned.
const keep = 32

// MaxEntrySize caps the read of one entry; a larger file is a miss.
const MaxEntrySize = 256 << 20

// DefaultDir is os.UserCacheDir()/rubric.
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "rubric"), nil
}

// Entry is what a run leaves in the cache.
type Entry struct {
	Diagnostics []analyzer.Diagnostic
	Stats       analyzer.Stats
	// Scopes are the function and class definitions of the files with a
	// finding: the reports group a rule's findings by function.
	Scopes map[string][]analyzer.Scope
}

// Snapshot is the analysed tree as listed and read once for the key. The
// run that follows analyses exactly this snapshot (Apply): files added or
// removed meanwhile change nothing, so the entry it stores describes the
// bytes its key was computed from.
type Snapshot struct {
	Key string
	// Inputs are the files as listed; Err is set where the read failed,
	// with the error the driver reports.
	Inputs []analyzer.Input
	// Raw holds the bytes read, by display path.
	Raw map[string][]byte
	// unread are the files whose hash the stat index knew (TakeKnown):
	// in the key, not yet in Raw. sums are the hashes of Raw.
	unread map[string]unreadFile
	sums   map[string][32]byte
	// templates is OutsideDigest, taken for the key: of tmpl, the digest of
	// the templates listed and read, and of outside, what the dependency
	// files declare. Store checks tmpl again, so that a template edited
	// during the run is not cached under the older version's key; the run
	// reads outside from here (Apply), not from the files.
	templates string
	tmpl      string
	outside   *project.Outside
}

var (
	exeOnce sync.Once
	exeHash string
)

// executableHash identifies the running rubric build.
func executableHash() string {
	exeOnce.Do(func() {
		exeHash = "unknown"
		p, err := os.Executable()
		if err != nil {
			return
		}
		fh, _, err := safeio.Open(p)
		if err != nil {
			return
		}
		defer fh.Close()
		h := sha256.New()
		if _, err := io.Copy(h, fh); err == nil {
			exeHash = hex.EncodeToString(h.Sum(nil))
		}
	})
	return exeHash
}

// Take reads every input (in parallel, jobs at a time) the way the driver
// does (source.ReadRaw: no link, FIFO or device, capped at maxSize) and
// computes the key. config is any canonical description of the settings
// that affect analysis (rules, options, severities).
func Take(inputs []analyzer.Input, version, config string, maxSize int64, jobs int) (*Snapshot, error) {
	return TakeKnown(inputs, version, config, maxSize, jobs, nil)
}

// OutsideDigest hashes what the rules read besides the inputs: the
// display path and content of every template next to them (as the
// template rules list and read them), and what the project's dependency
// files declare (project.Outside: the files at the root of the first
// input's tree).
func OutsideDigest(inputs []analyzer.Input, jobs int) string {
	tmpl, outside := outsideParts(inputs, jobs)
	return combineOutside(tmpl, outside)
}

// outsideParts returns the digest of the templates next to inputs and
// what the dependency files at the first input's root declare (nil when
// no input has a root).
func outsideParts(inputs []analyzer.Input, jobs int) (string, *project.Outside) {
	return templatesDigest(inputs, jobs), readOutside(inputs)
}

// templatesDigest hashes the display path and content of every template
// next to inputs.
func templatesDigest(inputs []analyzer.Input, jobs int) string {
	var refs []semantic.SourceRef
	for _, in := range inputs {
		if in.Err == nil {
			refs = append(refs, semantic.SourceRef{Path: in.Path, Rel: in.Rel, RootRel: in.RootRel})
		}
	}
	files := semantic.ListTemplates(refs)
	sums := make([]string, len(files))
	var g errgroup.Group
	g.SetLimit(max(jobs, 1))
	for i, f := range files {
		g.Go(func() error {
			raw, err := safeio.ReadFileIn(f.Root, filepath.FromSlash(f.Rel), semantic.MaxTemplateSize)
			if err != nil {
				sums[i] = "error: " + err.Error()
				return nil
			}
			sum := sha256.Sum256(raw)
			sums[i] = hex.EncodeToString(sum[:])
			return nil
		})
	}
	_ = g.Wait()
	h := sha256.New()
	for i, f := range files {
		fmt.Fprintf(h, "%s\x00%s\x00", f.Path, sums[i])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readOutside reads the dependency files at the root of the first input
// that has one (project.Index reads them there).
func readOutside(inputs []analyzer.Input) *project.Outside {
	for _, in := range inputs {
		if in.Err != nil {
			continue
		}
		if root, ok := project.TreeRoot(in.Path, in.RootRel); ok {
			return project.ReadOutside(root)
		}
	}
	return nil
}

// combineOutside is OutsideDigest from its parts.
func combineOutside(tmpl string, o *project.Outside) string {
	h := sha256.New()
	fmt.Fprintf(h, "templates\x00%s\x00", tmpl)
	if o != nil {
		d := o.Django
		fmt.Fprintf(h, "django\x00%d.%d\x00%s\x00%d\x00%s\x00", d.Major, d.Minor, d.Path, d.Line, d.Text)
		// The declared distributions (ARC007 reads them).
		deps := o.Declared
		names := make([]string, 0, len(deps.Names))
		for n := range deps.Names {
			names = append(names, n)
		}
		for n := range deps.Extras {
			names = append(names, "["+n+"]")
		}
		sort.Strings(names)
		fmt.Fprintf(h, "deps\x00%t\x00%t\x00%s\x00%s\x00", deps.Opaque, deps.Locked, strings.Join(deps.Files, ","), strings.Join(names, ","))
		// The dotenv files (SEC024 reads them): where each is, what git
		// says of it, and its variables, values digested, never kept.
		for _, f := range o.Dotenv {
			fmt.Fprintf(h, "dotenv\x00%s\x00%d\x00", f.Rel, f.Git)
			for _, e := range f.Entries {
				sum := sha256.Sum256([]byte(e.Value))
				fmt.Fprintf(h, "%s\x00%d\x00%x\x00", e.Key, e.Line, sum)
			}
		}
		// The local artefacts (ARC008 reads them): where each is, what it
		// is and what git says of it.
		for _, a := range o.Artefacts {
			fmt.Fprintf(h, "artefact\x00%s\x00%d\x00%t\x00%s\x00%d\x00", a.Rel, a.Kind, a.Dir, a.File, a.Git)
		}
		// The serving commands (ARC009 reads them).
		for _, c := range o.Serving {
			fmt.Fprintf(h, "serve\x00%s\x00%d\x00%q\x00%s\x00%s\x00%t\x00", c.Rel, c.Line, c.Text, c.Server, c.Where, c.Dev)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Apply makes cfg analyse exactly the snapshot: its inputs, from the bytes
// already read.
func (s *Snapshot) Apply(cfg *analyzer.Config) {
	cfg.Inputs = s.Inputs
	cfg.Sources = s.Raw
	cfg.Outside = s.outside
}

func entryPath(dir, key string) string { return filepath.Join(dir, key+".gob") }

// The entry format: magic, the length of the payload (8 bytes, big
// endian), SHA-256 of the key and the payload, then the payload (gob). A
// bit flipped anywhere, a truncated file, or an entry copied under another
// key's name fails the digest and is a miss.
var magic = []byte(schema + "\x00")

const headerSize = 8 + sha256.Size

func digest(key string, payload []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write(payload)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// encodeEntry serialises e for key.
func encodeEntry(key string, e *Entry) ([]byte, error) {
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(e); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(magic)+headerSize+payload.Len())
	out = append(out, magic...)
	out = binary.BigEndian.AppendUint64(out, uint64(payload.Len()))
	sum := digest(key, payload.Bytes())
	out = append(out, sum[:]...)
	return append(out, payload.Bytes()...), nil
}

// errCorrupt is any entry that is not exactly what Store wrote for key.
var errCorrupt = errors.New("cache: corrupt entry")

// decodeEntry returns the entry data holds for key, or errCorrupt.
func decodeEntry(key string, data []byte) (*Entry, error) {
	if !bytes.HasPrefix(data, magic) || len(data) < len(magic)+headerSize {
		return nil, errCorrupt
	}
	data = data[len(magic):]
	n := binary.BigEndian.Uint64(data)
	var want [sha256.Size]byte
	copy(want[:], data[8:headerSize])
	payload := data[headerSize:]
	if n != uint64(len(payload)) || digest(key, payload) != want {
		return nil, errCorrupt
	}
	var e Entry
	dec := gob.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&e); err != nil {
		return nil, errCorrupt
	}
	return &e, nil
}

// Load returns the cached entry for the snapshot, or nil. Anything but a
// regular file (a link, a FIFO) is not read, a read is capped at
// MaxEntrySize, and an entry failing its digest is a miss.
func Load(dir string, s *Snapshot) *Entry {
	data, err := safeio.ReadFile(entryPath(dir, s.Key), MaxEntrySize)
	if err != nil {
		return nil
	}
	e, err := decodeEntry(s.Key, data)
	if err != nil {
		return nil
	}
	now := time.Now()
	_ = os.Chtimes(entryPath(dir, s.Key), now, now) // recently used entries survive pruning
	return e
}

// Store saves the result of the run over s atomically and prunes old
// entries. A result a parse's wall-clock backstop cut short
// (Result.ParseTimeouts) depends on the machine's load and is not stored,
// nor is one whose templates changed since the snapshot was taken (the
// run may have read the newer ones): stored reports whether it was.
func Store(dir string, s *Snapshot, res *analyzer.Result) (stored bool, err error) {
	if res.ParseTimeouts > 0 {
		return false, nil
	}
	// The run read the dependency files' declarations from the snapshot
	// (Apply), but the templates from disk.
	if s.templates != "" && templatesDigest(s.Inputs, 4) != s.tmpl {
		return false, nil // a template changed during the run
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("cache: %w", err)
	}
	data, err := encodeEntry(s.Key, &Entry{Diagnostics: res.Diagnostics, Stats: res.Stats, Scopes: analyzer.FindingScopes(res)})
	if err != nil {
		return false, fmt.Errorf("cache: %w", err)
	}
	if err := safeio.WriteCheckedBytes(entryPath(dir, s.Key), 0o644, data); err != nil {
		return false, fmt.Errorf("cache: %w", err)
	}
	return true, prune(dir)
}

func prune(dir string) error {
	matches, err := filepath.Glob(filepath.Join(dir, "*.gob"))
	if err != nil || len(matches) <= keep {
		return err
	}
	type aged struct {
		path string
		mod  int64
	}
	var all []aged
	for _, m := range matches {
		if st, err := os.Lstat(m); err == nil {
			all = append(all, aged{m, st.ModTime().UnixNano()})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod > all[j].mod })
	var errs []error
	for _, a := range all[min(keep, len(all)):] {
		if err := os.Remove(a.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Result rebuilds a run's result from a hit: the entry's findings and
// statistics, and the files the run showed, rebuilt from the snapshot's
// bytes exactly as the run built them (analyzer.SourceFiles), so that
// every format prints the same bytes with and without the cache.
func (s *Snapshot) Result(e *Entry, cfg analyzer.Config) *analyzer.Result {
	s.Apply(&cfg)
	return &analyzer.Result{Diagnostics: e.Diagnostics, Files: analyzer.SourceFiles(cfg, s.Inputs), Rules: cfg.Rules, Stats: e.Stats, Scopes: e.Scopes}
}
