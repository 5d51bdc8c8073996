package analyzer

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
)

// Summary rules: reuse past an edit that leaves what a rule read as it was.
//
// A rule that requires shared analyses reads other files through them.
// When every analysis it requires has a digest (project.Digestible: a
// project analysis that declares one, or a file analysis, whose reads are
// recorded by file), its findings on a file are kept under the file, the
// facts digest and the digests of the project analyses it requires, not
// under the product digest; with them the record lists every other file
// whose file analyses the run read: by path and hash, and by the digest of
// each analysis read there. The record holds while each of those files is
// as it was, or, for a file that changed, while each analysis read there
// has the digest it had (recomputed on the changed file): an edit that
// leaves a module's top-level names as they were runs no rule that read
// only those names again anywhere else. A run that read a project
// analysis the key does not cover (one the rule does not require, or one
// without a digest) keeps no record. Under test the driver runs each such
// rule again where every other file it did not record has no tree and no
// source (sameWithout), and fails it if it finds otherwise.
//
// The digests of the project analyses are themselves kept under the
// product digest: a run where no product file changed builds none of them.

// summaryRule reports whether r's findings may be kept as a summary
// rule's: a file rule that requires analyses, each with a digest.
func summaryRule(r *Rule) bool {
	if r.Run == nil || r.RunProject != nil || len(r.Requires) == 0 {
		return false
	}
	for _, a := range r.Requires {
		if !project.Digestible(a) {
			return false
		}
	}
	return true
}

// summaryRecord is what the summary rules found on one file, and the other
// files whose analyses they read there.
type summaryRecord struct {
	Reads []readRecord
	Found ruleDiags
}

// readRecord is one other file a run read: its hash then, and the digest
// of each file analysis read there (Bytes: something read the file other
// than through an analysis with a digest, so only its hash tells).
type readRecord struct {
	Path    string
	Sum     [32]byte
	Bytes   bool
	Digests []namedDigest
}

// namedDigest is an analysis's name and the hash of its digest (a
// module's names are kilobytes; the record holds 32 bytes a read).
type namedDigest struct {
	Name string
	Sum  [32]byte
}

// summaryBase returns what the summary rules' findings are kept under
// besides the file: the facts digest and the digest of each project
// analysis they require, in name order. It sets p.digested and
// p.fileDigesters.
func (p *reusePlan) summaryBase(ix *project.Index, fileRules []*Rule, factsDigest, productDigest []byte) []byte {
	p.digested = map[project.Analysis]bool{}
	p.fileDigesters = map[string]project.FileDigester{}
	var projects []project.ProjectDigester
	for _, rule := range fileRules {
		if !summaryRule(rule) {
			continue
		}
		for _, a := range rule.Requires {
			switch a := a.(type) {
			case project.ProjectDigester:
				if !p.digested[a] {
					p.digested[a] = true
					projects = append(projects, a)
				}
			case project.FileDigester:
				p.fileDigesters[a.AnalysisName()] = a
			}
		}
	}
	slices.SortFunc(projects, func(a, b project.ProjectDigester) int { return strings.Compare(a.AnalysisName(), b.AnalysisName()) })
	h := sha256.New()
	h.Write(factsDigest)
	for _, a := range projects {
		key := p.r.key([]byte("analysis digest"), []byte(a.AnalysisName()), productDigest)
		d, ok := p.r.cache.Get(key)
		if !ok {
			if d, ok = projectDigest(a, ix); ok {
				p.r.cache.Put(key, d)
			} else {
				// The analysis failed: the rules report it; kept under
				// nothing a later run can meet.
				d = []byte("failed " + string(productDigest))
			}
		}
		writeLengthPrefixed(h, []byte(a.AnalysisName()))
		writeLengthPrefixed(h, d)
	}
	return h.Sum(nil)
}

func writeLengthPrefixed(h interface{ Write([]byte) (int, error) }, b []byte) {
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
	h.Write(b)
}

// projectDigest builds a and returns its digest; false if it panics.
func projectDigest(a project.ProjectDigester, ix *project.Index) (d []byte, ok bool) {
	defer func() {
		if recover() != nil {
			d, ok = nil, false
		}
	}()
	return a.ProjectDigest(ix)
}

// fileDigest returns the digest of a on u; false if it has none or panics.
func fileDigest(a project.FileDigester, u *project.Unit, ix *project.Index) (d []byte, ok bool) {
	defer func() {
		if recover() != nil {
			d, ok = nil, false
		}
	}()
	return a.FileDigest(u, ix)
}

// getSummary returns the summary record kept under key if it still holds.
func (p *reusePlan) getSummary(ix *project.Index, key [32]byte) (ruleDiags, bool) {
	var rec summaryRecord
	if !getRecord(p.r, key, &rec) {
		return nil, false
	}
	for _, rd := range rec.Reads {
		sum, ok := p.sums[rd.Path]
		if !ok {
			return nil, false
		}
		if sum == rd.Sum {
			continue
		}
		u := ix.ByPath[rd.Path]
		if rd.Bytes || u == nil {
			return nil, false
		}
		for _, nd := range rd.Digests {
			a := p.fileDigesters[nd.Name]
			if a == nil {
				return nil, false
			}
			if d, ok := fileDigest(a, u, ix); !ok || sha256.Sum256(d) != nd.Sum {
				return nil, false
			}
		}
	}
	if rec.Found == nil {
		rec.Found = ruleDiags{}
	}
	return rec.Found, true
}

// putSummary keeps what the summary rules found on a file, with what they
// read of other files; nothing if they read a project analysis the key
// does not cover, or a file that is not one of the run's.
func (p *reusePlan) putSummary(ix *project.Index, key [32]byte, found ruleDiags, read project.Reads) {
	for _, a := range read.Projects {
		if !p.digested[a] {
			return
		}
	}
	rec := summaryRecord{Found: found}
	at := map[*project.Unit]int{}
	for _, ro := range read.Of {
		st := p.states[ro.Unit]
		if st == nil {
			return
		}
		i, ok := at[ro.Unit]
		if !ok {
			i = len(rec.Reads)
			at[ro.Unit] = i
			rec.Reads = append(rec.Reads, readRecord{Path: st.in.Rel, Sum: st.sum})
		}
		rd := &rec.Reads[i]
		fd, _ := ro.Analysis.(project.FileDigester)
		if fd == nil || p.fileDigesters[fd.AnalysisName()] != fd {
			rd.Bytes = true
			continue
		}
		d, ok := fileDigest(fd, ro.Unit, ix)
		if !ok {
			rd.Bytes = true
			continue
		}
		rd.Digests = append(rd.Digests, namedDigest{Name: fd.AnalysisName(), Sum: sha256.Sum256(d)})
	}
	if data, err := encodeValue(&rec); err == nil {
		p.r.cache.Put(key, data)
	}
}
