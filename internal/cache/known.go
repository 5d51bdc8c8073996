package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/internal/statcache"
)

// unreadFile is an input whose content hash came from the stat index.
type unreadFile struct {
	path string
	sum  [32]byte
}

// TakeKnown is Take with a stat index: a file whose stat is the one
// recorded with its hash is not read (its hash is the recorded one), and
// the hashes of the files read are recorded. Until ReadAll, such files are
// in the key but not in Files. stats may be nil.
func TakeKnown(inputs []analyzer.Input, version, config string, maxSize int64, jobs int, stats *statcache.Cache) (*Snapshot, error) {
	type read struct {
		sum    [32]byte
		file   *source.File
		err    string
		known  bool
		opened string
	}
	reads := make([]read, len(inputs))
	var g errgroup.Group
	if jobs <= 0 {
		jobs = 4
	}
	g.SetLimit(jobs)
	if maxSize <= 0 {
		maxSize = source.DefaultMaxSize
	}
	for i, in := range inputs {
		g.Go(func() error {
			if in.Err != nil {
				reads[i].err = in.Err.Error()
				return nil
			}
			st, err := os.Stat(in.Path)
			if err != nil {
				reads[i].err = err.Error()
				return nil
			}
			if st.Size() > maxSize {
				reads[i].err = fmt.Sprintf("too large: %d", st.Size())
				return nil
			}
			if sum, ok := stats.Sum(in.Path, st); ok {
				reads[i].sum, reads[i].known = sum, true
				return nil
			}
			src, err := os.ReadFile(in.Path)
			if err != nil {
				reads[i].err = err.Error()
				return nil
			}
			reads[i].sum = sha256.Sum256(src)
			reads[i].file = source.New(in.Path, in.Rel, src)
			stats.Record(in.Path, st, reads[i].sum)
			return nil
		})
	}
	_ = g.Wait()
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", schema, version, executableHashKnown(stats), config)
	snap := &Snapshot{Files: map[string]*source.File{}, unread: map[string]unreadFile{}, sums: map[string][32]byte{}}
	for i, in := range inputs {
		r := reads[i]
		fmt.Fprintf(h, "%s\x00%s\x00%x\x00%s\x00", in.Rel, in.RootRel, r.sum, r.err)
		switch {
		case r.file != nil:
			snap.Files[in.Rel] = r.file
			snap.sums[in.Rel] = r.sum
		case r.known:
			snap.unread[in.Rel] = unreadFile{path: in.Path, sum: r.sum}
		}
	}
	snap.Key = hex.EncodeToString(h.Sum(nil))
	return snap, nil
}

// read reads the unread files named (all of them when rels is nil) into
// Files. It reports false when one no longer has the hash the key was
// computed with: the snapshot is then stale and must be taken again.
func (s *Snapshot) read(rels map[string]bool) bool {
	ok := true
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(8)
	for rel, u := range s.unread {
		if rels != nil && !rels[rel] {
			continue
		}
		g.Go(func() error {
			src, err := os.ReadFile(u.path)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || sha256.Sum256(src) != u.sum {
				ok = false
				return nil
			}
			s.Files[rel] = source.New(u.path, rel, src)
			s.sums[rel] = u.sum
			return nil
		})
	}
	_ = g.Wait()
	for rel := range s.Files {
		delete(s.unread, rel)
	}
	return ok
}

// Sums returns the SHA-256 of the files in Files, by display path.
func (s *Snapshot) Sums() map[string][32]byte { return s.sums }

// ReadAll reads the files TakeKnown did not, for a run that analyses them.
// It reports false when one changed since: take the snapshot again.
func (s *Snapshot) ReadAll() bool { return s.read(nil) }

// ResultRead rebuilds a run's result from a hit, reading only the files
// the diagnostics point into (for code frames). It reports false when one
// of them changed since the snapshot was taken.
func (s *Snapshot) ResultRead(e *Entry, rules []*analyzer.Rule) (*analyzer.Result, bool) {
	need := map[string]bool{}
	for _, d := range e.Diagnostics {
		need[d.Path] = true
		for _, r := range d.Related {
			need[r.Path] = true
		}
		for _, f := range d.Fixes {
			for _, ed := range f.Edits {
				need[ed.Path] = true
			}
		}
	}
	if !s.read(need) {
		return nil, false
	}
	return s.Result(e, rules), true
}

// Executable identifies the running rubric build: the hash of its
// executable (through the stat index of the last TakeKnown, if any).
func Executable() string {
	if exeKnown != "" {
		return exeKnown
	}
	return executableHash()
}

var (
	exeKnownOnce sync.Once
	exeKnown     string
)

// executableHashKnown is executableHash through the stat index: the
// running executable is hashed once, not at every run.
func executableHashKnown(stats *statcache.Cache) string {
	if stats == nil {
		return executableHash()
	}
	exeKnownOnce.Do(func() {
		exeKnown = "unknown"
		p, err := os.Executable()
		if err != nil {
			return
		}
		st, err := os.Stat(p)
		if err != nil {
			return
		}
		if sum, ok := stats.Sum(p, st); ok {
			exeKnown = hex.EncodeToString(sum[:])
			return
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return
		}
		sum := sha256.Sum256(data)
		stats.Record(p, st, sum)
		exeKnown = hex.EncodeToString(sum[:])
	})
	return exeKnown
}
