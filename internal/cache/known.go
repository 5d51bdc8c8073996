package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/internal/statcache"
)

// unreadFile is an input whose content hash came from the stat index.
type unreadFile struct {
	in   analyzer.Input
	sum  [32]byte
	size int64 // as the stat index knows it
}

// TakeKnown is Take with a stat index: a regular file whose stat is the
// one recorded with its hash is not read (its hash is the recorded one),
// and the hashes of the files read are recorded. Until ReadAll, such files
// are in the key but not in Raw. stats may be nil.
func TakeKnown(inputs []analyzer.Input, version, config string, maxSize int64, jobs int, stats *statcache.Cache) (*Snapshot, error) {
	return TakeKnownNotify(inputs, version, config, maxSize, jobs, stats, nil)
}

// TakeKnownNotify is TakeKnown that calls changed for each file read
// whose hash the last run did not see (statcache.Saw), with its bytes, as
// soon as it is read (from any goroutine, before TakeKnownNotify returns):
// the result cache will likely miss, and the caller may start preparing
// the run meanwhile. A file read again only because its stat moved, or
// because the last run met it too soon after an edit to trust its stat,
// calls nothing; nor does a file that cannot be read. changed may be nil.
func TakeKnownNotify(inputs []analyzer.Input, version, config string, maxSize int64, jobs int, stats *statcache.Cache, changed func(in analyzer.Input, raw []byte)) (*Snapshot, error) {
	if jobs <= 0 {
		jobs = 4
	}
	// What the rules read besides the inputs is digested beside the reads:
	// it depends on the listing alone, unless a read fails (takeReads).
	early := outsideEarly(inputs, jobs)
	reads := make([]fileRead, len(inputs))
	var g errgroup.Group
	g.SetLimit(jobs)
	for i, in := range inputs {
		g.Go(func() error {
			reads[i] = readKnown(in, maxSize, stats, changed)
			return nil
		})
	}
	_ = g.Wait()
	return takeReads(inputs, reads, early, version, config, jobs, stats), nil
}

// TakeListed is TakeKnownNotify over the inputs list returns, each of
// them stated (read and hashed if need be) as soon as list meets it, on
// jobs workers beside the listing: a run where nothing changed spent as
// long listing the tree as stating its files, one after the other. It
// returns the snapshot and the inputs as list returned them.
func TakeListed(list func(found func(analyzer.Input)) []analyzer.Input, version, config string, maxSize int64, jobs int, stats *statcache.Cache, changed func(in analyzer.Input, raw []byte)) (*Snapshot, []analyzer.Input, error) {
	if jobs <= 0 {
		jobs = 4
	}
	queue := make(chan analyzer.Input, 1024)
	var mu sync.Mutex
	got := map[string]fileRead{}
	var workers sync.WaitGroup
	for range jobs {
		workers.Go(func() {
			for in := range queue {
				r := readKnown(in, maxSize, stats, changed)
				mu.Lock()
				got[in.Rel] = r
				mu.Unlock()
			}
		})
	}
	inputs := list(func(in analyzer.Input) { queue <- in })
	close(queue)
	early := outsideEarly(inputs, jobs)
	workers.Wait()
	reads := make([]fileRead, len(inputs))
	for i, in := range inputs {
		r, ok := got[in.Rel]
		if !ok { // not met by list's callback
			r = readKnown(in, maxSize, stats, changed)
		}
		reads[i] = r
	}
	return takeReads(inputs, reads, early, version, config, jobs, stats), inputs, nil
}

// fileRead is what readKnown learnt of one input.
type fileRead struct {
	sum   [32]byte
	raw   []byte
	err   error
	known bool
	size  int64
}

// outside is what the rules read besides the inputs, digested.
type outside struct {
	tmpl string
	o    *project.Outside
}

// outsideEarly digests what the rules read besides inputs, beside the
// caller.
func outsideEarly(inputs []analyzer.Input, jobs int) <-chan outside {
	early := make(chan outside, 1)
	go func() {
		t, o := outsideParts(inputs, jobs)
		early <- outside{t, o}
	}()
	return early
}

// readKnown stats in and takes its hash from the stat index, or reads and
// hashes it (recording the hash, and calling changed for a hash the last
// run did not see).
func readKnown(in analyzer.Input, maxSize int64, stats *statcache.Cache, changed func(in analyzer.Input, raw []byte)) fileRead {
	var r fileRead
	if in.Err != nil {
		r.err = in.Err
		return r
	}
	limit := maxSize
	if limit <= 0 {
		limit = source.DefaultMaxSize
	}
	// The stat the hash is recorded with is taken before the read: a
	// change after it moves the file's times past the recorded ones.
	fi, ferr := os.Lstat(in.Path)
	regular := ferr == nil && fi.Mode().IsRegular() && fi.Size() <= limit
	if regular {
		if sum, ok := stats.Sum(in.Path, fi); ok {
			r.sum, r.known, r.size = sum, true, fi.Size()
			return r
		}
	}
	raw, err := source.ReadRaw(in.Path, in.RootRel, maxSize)
	if err != nil {
		r.err = err
		return r
	}
	r.raw = raw
	r.sum = sha256.Sum256(raw)
	if changed != nil && !stats.Saw(in.Path, r.sum) {
		changed(in, raw)
	}
	if regular {
		stats.Record(in.Path, fi, r.sum)
	}
	return r
}

// takeReads makes the snapshot of inputs from their reads.
func takeReads(inputs []analyzer.Input, reads []fileRead, early <-chan outside, version, config string, jobs int, stats *statcache.Cache) *Snapshot {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", schema, version, executableHashKnown(stats), config)
	snap := &Snapshot{Inputs: make([]analyzer.Input, len(inputs)), Raw: make(map[string][]byte, len(inputs)),
		unread: map[string]unreadFile{}, sums: map[string][32]byte{}}
	for i, in := range inputs {
		r := reads[i]
		errText := ""
		switch {
		case r.err != nil:
			errText = r.err.Error()
			in.Err = r.err
		case r.known:
			snap.unread[in.Rel] = unreadFile{in: in, sum: r.sum, size: r.size}
		default:
			snap.Raw[in.Rel] = r.raw
			snap.sums[in.Rel] = r.sum
		}
		snap.Inputs[i] = in
		fmt.Fprintf(h, "%s\x00%s\x00%x\x00%s\x00", in.Rel, in.RootRel, r.sum, errText)
	}
	out := <-early
	snap.tmpl, snap.outside = out.tmpl, out.o
	for i, in := range snap.Inputs {
		if in.Err != nil && inputs[i].Err == nil {
			// A file that could not be read is not an input of the run:
			// the digest is taken again without it.
			snap.tmpl, snap.outside = outsideParts(snap.Inputs, jobs)
			break
		}
	}
	snap.templates = combineOutside(snap.tmpl, snap.outside)
	fmt.Fprintf(h, "templates\x00%s\x00", snap.templates)
	snap.Key = hex.EncodeToString(h.Sum(nil))
	return snap
}

// read reads the unread files named (all of them when rels is nil) into
// Raw, as Take reads. It reports false when one can no longer be read or
// no longer has the hash the key was computed with: the snapshot is stale
// and must be taken again.
func (s *Snapshot) read(rels map[string]bool, maxSize int64) bool {
	return s.readFrom(rels, maxSize)
}

// readFrom is read.
func (s *Snapshot) readFrom(rels map[string]bool, maxSize int64) bool {
	var todo []string // read from the files, in parallel
	for rel := range s.unread {
		if rels == nil || rels[rel] {
			todo = append(todo, rel)
		}
	}
	ok := true
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(8)
	for _, rel := range todo {
		u := s.unread[rel]
		g.Go(func() error {
			raw, err := source.ReadRaw(u.in.Path, u.in.RootRel, maxSize)
			same := err == nil && sha256.Sum256(raw) == u.sum // hashed outside the lock
			mu.Lock()
			defer mu.Unlock()
			if !same {
				ok = false
				return nil
			}
			s.Raw[rel] = raw
			s.sums[rel] = u.sum
			return nil
		})
	}
	_ = g.Wait()
	for rel := range s.Raw {
		delete(s.unread, rel)
	}
	return ok
}

// ReadAll reads the files TakeKnown did not, for a run that analyses them.
// It reports false when one changed since: take the snapshot again.
func (s *Snapshot) ReadAll(maxSize int64) bool { return s.read(nil, maxSize) }

// KeepAll is ReadAll for a run that reads through a reuse cache: a file
// the stat index knows whose bytes (by SHA-256) the cache holds is not
// read but handed to the run as an analyzer.KeptSource, which takes them
// from get when something needs them (the reuse cache keeps every file a
// run analyses: analyzer.SourceKey). An edit run then reads only the
// sources it uses (a few of saleor's 28 MB). Those bytes are trusted as
// the stat index is trusted for the result cache's key: a file whose stat
// has not moved has not changed. Should get fail then (a damaged entry),
// the file is read instead: its bytes unless it changed during the run.
// The other files are read now; it reports false when one of them changed
// since the snapshot: take it again. holds and get are called from
// several goroutines at once.
func (s *Snapshot) KeepAll(maxSize int64, holds func(sum [32]byte) bool, get func(sum [32]byte) ([]byte, bool)) (map[string]analyzer.KeptSource, bool) {
	kept := make(map[string]analyzer.KeptSource, len(s.unread))
	for rel, u := range s.unread {
		if !holds(u.sum) {
			continue
		}
		kept[rel] = analyzer.KeptSource{Size: int(u.size), Load: func() []byte {
			if raw, ok := get(u.sum); ok && int64(len(raw)) == u.size {
				return raw
			}
			raw, _ := source.ReadRaw(u.in.Path, u.in.RootRel, maxSize)
			return raw
		}}
		s.sums[rel] = u.sum
		delete(s.unread, rel)
	}
	return kept, s.read(nil, maxSize)
}

// Sums returns the SHA-256 of the bytes in Raw, and of those KeepAll
// hands over on demand, by display path.
func (s *Snapshot) Sums() map[string][32]byte { return s.sums }

// Templates is the digest of the templates next to the snapshot's inputs,
// taken with the key (see OutsideDigest).
func (s *Snapshot) Templates() string { return s.templates }

// ResultRead is Result for a snapshot taken with a stat index: it reads
// only the files the diagnostics point into (for code frames), and shows
// only those (every format but JUnit, which is never given a stat index,
// shows no other). It reports false when one of them changed since the
// snapshot was taken.
func (s *Snapshot) ResultRead(e *Entry, cfg analyzer.Config) (*analyzer.Result, bool) {
	if len(s.unread) == 0 {
		return s.Result(e, cfg), true
	}
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
	if !s.read(need, cfg.MaxFileSize) {
		return nil, false
	}
	var shown []analyzer.Input
	for _, in := range s.Inputs {
		if need[in.Rel] {
			shown = append(shown, in)
		}
	}
	s.Apply(&cfg)
	return &analyzer.Result{Diagnostics: e.Diagnostics, Files: analyzer.SourceFiles(cfg, shown), Rules: cfg.Rules, Stats: e.Stats, Scopes: e.Scopes}, true
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

// ExecutableKnown is Executable through the stat index (see
// executableHashKnown): call it before Executable to spare hashing the
// executable again. stats may be nil.
func ExecutableKnown(stats *statcache.Cache) string { return executableHashKnown(stats) }

// executableHashKnown is executableHash through the stat index: the
// running executable is hashed once, not at every run.
func executableHashKnown(stats *statcache.Cache) string {
	if stats == nil {
		return executableHash()
	}
	exeKnownOnce.Do(func() {
		p, err := os.Executable()
		if err != nil {
			exeKnown = executableHash()
			return
		}
		st, err := os.Stat(p)
		if err != nil {
			exeKnown = executableHash()
			return
		}
		if sum, ok := stats.Sum(p, st); ok {
			exeKnown = hex.EncodeToString(sum[:])
			return
		}
		exeKnown = executableHash()
		if sum, err := hex.DecodeString(exeKnown); err == nil && len(sum) == 32 {
			stats.Record(p, st, [32]byte(sum))
		}
	})
	return exeKnown
}
