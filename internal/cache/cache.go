// Package cache stores the results of a run so that re-running rubric on
// an unchanged tree costs a walk, a read and a hash of each file.
//
// The key covers rubric's own executable (so a rebuilt rubric never reads
// an older one's results), the effective configuration and rule set, and
// every analysed file's display path, module root and content hash. Every
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
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// schema changes whenever Entry does.
const schema = "rubric-cache-1"

// keep is how many entries a cache directory holds; older ones are pruned.
const keep = 32

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
}

// Snapshot is the analysed tree as read for the key: the files' bytes are
// kept so that a hit can rebuild the result's sources without reading
// again.
type Snapshot struct {
	Key   string
	Files map[string]*source.File // by display path
	// unread are the files whose hash the stat index knew (TakeKnown):
	// in the key, not yet in Files.
	unread map[string]unreadFile
	sums   map[string][32]byte // of Files
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
		fh, err := os.Open(p)
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

// Take reads every input (in parallel, jobs at a time) and computes the
// key. config is any canonical description of the settings that affect
// analysis (rules, options, severities).
func Take(inputs []analyzer.Input, version, config string, maxSize int64, jobs int) (*Snapshot, error) {
	return TakeKnown(inputs, version, config, maxSize, jobs, nil)
}

func entryPath(dir, key string) string { return filepath.Join(dir, key+".gob") }

// Load returns the cached entry for the snapshot, or nil.
func Load(dir string, s *Snapshot) *Entry {
	data, err := os.ReadFile(entryPath(dir, s.Key))
	if err != nil {
		return nil
	}
	var e Entry
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&e); err != nil {
		return nil
	}
	now := time.Now()
	_ = os.Chtimes(entryPath(dir, s.Key), now, now) // recently used entries survive pruning
	return &e
}

// Store saves an entry atomically and prunes old entries.
func Store(dir string, s *Snapshot, e *Entry) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(e); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "tmp-*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), entryPath(dir, s.Key)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cache: %w", err)
	}
	return prune(dir)
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
		if st, err := os.Stat(m); err == nil {
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

// Result rebuilds a run's result from a hit.
func (s *Snapshot) Result(e *Entry, rules []*analyzer.Rule) *analyzer.Result {
	return &analyzer.Result{Diagnostics: e.Diagnostics, Files: s.Files, Rules: rules, Stats: e.Stats}
}
