package analyzer

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/analyzer/suppress"
)

// ReuseCache keeps per-file work between runs (Config.Reuse): blobs by
// key. Implementations must be safe for concurrent use; Get may miss at
// any time.
type ReuseCache interface {
	Get(key [32]byte) ([]byte, bool)
	Put(key [32]byte, data []byte)
}

// How a run reuses earlier work, and why it is sound.
//
// Phase one of a file depends on nothing but the file (its bytes, its
// path and module root) and the configuration: its record (facts, the
// diagnostics phase one reports, suppression comments, imports, whether
// it parsed cleanly) is kept under that key, and a file whose record is
// found is not parsed; its tree is loaded only if something reads it
// (pyast.NewLazy), and so are its bytes when the caller hands them over on
// demand (Config.KeptSources: `rubric check` takes them from the reuse
// pack): an edit run reads the sources of the files whose rules run again
// and of those its findings point into, no others.
//
// Phase two splits the rules in two. A rule that declares no shared
// analysis (Rule.Requires) reads its file and the project index, and the
// index is built from the facts alone: its findings on a file depend on
// the file and on every file's facts, so they are kept under the file and
// the facts digest (a hash of every file's path, module root, facts and
// imports as serialised, in path order). Whatever the facts come to hold, the digest covers it: it hashes
// the whole project.Facts value, and TestFactsSurviveSerialisation fails
// for facts that do not serialise to an equal value. An edit that leaves
// its file's facts as they were re-runs these rules on that file only; an
// edit that changes them re-runs them everywhere.
//
// A project rule that declares FactsOnly reads the index alone: its
// findings are kept under the facts digest too (under test the driver
// hides every tree and source from it, see runProjectRule).
//
// A rule that requires a shared analysis (the semantic model reads every
// product file's tree) may read, besides its file and the facts: the
// project analyses, which are built from every file but the test modules
// (project.Index.KeepForAnalyses); the file analyses of other files, which
// the index records (project.Reads); nothing else (under test the driver
// runs each such rule again where the test modules it did not record have
// no tree, and fails it if it finds otherwise). So its findings on a file
// are kept under the file and the product digest (every file's path,
// module root and bytes but the test modules', and the facts digest), with
// the path and hash of each test module it read: an edit to a test module
// re-runs them on that module and on the files that read it, nowhere else.
// An edit elsewhere re-runs them everywhere, unless every analysis the
// rule requires has a digest (a summary rule, see reusesummary.go: kept
// by the digests of what it read). Except where a rule declares
// that it reads none of its analyses (Rule.LocalOn: BUG004 on test
// modules): on those files it is kept like a rule without one, and under
// test the driver hands it there an index that refuses every project
// analysis. The other project rules' findings are kept under the content
// digest (every file's path, module root and bytes).
//
// Everything is also keyed by Config.ReuseKey (rubric's build and the
// configuration, from the caller) and the rules that run. What the index
// takes from outside the files (the migrations a released-revision option
// reads from git) goes into the facts digest; anything Run adds to the
// index later from outside the files must go there too.

// reuseSchema changes whenever a key's recipe does; the records' layout is
// in recordShapes.
const reuseSchema = "rubric-reuse-4"

// recordShapes describes the types records are made of: a rubric whose
// facts or diagnostics have other fields never reads another's records.
var recordShapes = typeShape(reflect.TypeFor[phaseOne]()) + typeShape(reflect.TypeFor[project.Facts]()) +
	typeShape(reflect.TypeFor[ruleDiags]()) + typeShape(reflect.TypeFor[globalRecord]()) +
	typeShape(reflect.TypeFor[summaryRecord]())

type reuser struct {
	cache ReuseCache
	base  [32]byte
	extra func(inputs []Input) string
	// memTrees is Config.Trees when it holds trees in memory: a reused
	// file's tree is then taken from there (or parsed), never decoded from
	// a copy in the reuse cache, and no such copy is kept.
	memTrees MemoryTrees
}

// ReuseKeeper is a ReuseCache that keeps only what a run uses (as
// MemoryReuse): Keep counts the entry under key as used without reading it.
type ReuseKeeper interface {
	Keep(key [32]byte)
}

// ReuseFlusher is implemented by a ReuseCache that can write out what the
// run made so far and let it go (reusecache's pack, on a first run): the
// driver calls FlushEarly after phase one (the files' records are then
// freed) and once the test modules' trees are dropped, so that the copies
// the cache holds do not keep them alive to the end.
type ReuseFlusher interface {
	FlushEarly()
}

// MemoryTrees is implemented by a TreeCache that holds trees in memory
// (the editor server's): looking one up there costs less than decoding the
// copy a reuse cache would keep, so a run that reuses a file's record takes
// its tree from there and the reuse cache keeps no copy of trees.
type MemoryTrees interface {
	TreeCache
	InMemory()
}

func newReuser(cfg Config) *reuser {
	if cfg.Reuse == nil {
		return nil
	}
	codes := make([]string, 0, len(cfg.Rules))
	for _, r := range cfg.Rules {
		codes = append(codes, r.Code)
	}
	sort.Strings(codes)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%q\x00%d\x00%t\x00%t\x00%t\x00%s\x00", reuseSchema, cfg.ReuseKey, codes, cfg.MaxFileSize,
		cfg.AllowBareNoqa, cfg.IgnoreForeignNoqa, os.Getenv("RUBRIC_DEBUG") != "", recordShapes)
	mem, _ := cfg.Trees.(MemoryTrees)
	return &reuser{cache: cfg.Reuse, base: [32]byte(h.Sum(nil)), extra: cfg.ReuseExtra, memTrees: mem}
}

// key hashes the base and parts, each length-prefixed: the bytes are laid
// out in one buffer (on the stack when short, as a file's keys are) and
// hashed at once, with no hash object to allocate.
func (r *reuser) key(parts ...[]byte) [32]byte {
	var stack [512]byte
	b := append(stack[:0], r.base[:]...)
	for _, p := range parts {
		b = binary.BigEndian.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	return sha256.Sum256(b)
}

func (r *reuser) fileKey(kind string, st *fileState, extra []byte) [32]byte {
	return r.key([]byte(kind), []byte(st.in.Rel), []byte(st.in.RootRel), st.sum[:], extra)
}

// SourceKey is the reuse cache key of a file's bytes, by their SHA-256:
// a run with reuse keeps every file it analyses under it, so that a later
// run's caller, told by a stat index that a file has not changed, takes
// its bytes from the cache rather than read the file again (Config.Sources).
// Only UTF-8 files are kept (their bytes on disk are the text analysed);
// the bytes are kept whole, under their own hash, and never rewritten.
func SourceKey(sum [32]byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("rubric-source\x00"))
	h.Write(sum[:])
	return [32]byte(h.Sum(nil))
}

// treeKeyExtra keys trees by their encoding's format too.
func treeKeyExtra() []byte { return []byte(pyast.FormatID()) }

// phaseOne is what phase one keeps of a file, in the reuse codec.
type phaseOne struct {
	Diags []Diagnostic
	Facts []byte // project.Facts without its Unit (see factsBytes)
	// IndexSum hashes what the index takes from the file (indexSum).
	IndexSum [32]byte
	Imports  *pyast.Imports
	// ModelAliases are the unit's (project.Unit.ModelAliases): names
	// bound to a model by label, which the model graph and the rules
	// resolve through.
	ModelAliases map[string]string
	Supp         *suppress.Set
	HasError     bool
	Python2      bool
	Truncated    bool
	// AsRead says the source was the file's bytes as read (no declared
	// encoding was decoded): bytes with the record's hash need no second
	// check (source.Prepare) to be that source.
	AsRead bool
	// Lines is the source's line count (source.File.LineCount): a run
	// counts every file's lines without reading the reused ones.
	Lines int
}

// factsBytes serialises facts without their unit: the form the facts
// digest hashes.
func factsBytes(f *project.Facts) ([]byte, error) {
	if f == nil {
		return nil, nil
	}
	c := *f
	c.Unit = nil
	return encodeValue(&c)
}

// storeSource keeps st's bytes under SourceKey when they are the file's
// bytes on disk (no declared encoding was decoded).
func (r *reuser) storeSource(st *fileState) {
	if st.file != nil && st.file.Encoding == "" {
		r.cache.Put(SourceKey(st.sum), st.file.Src())
	}
}

// keepSource is storeSource for bytes the caller keeps (Config.KeptSources:
// the cache they came from): kept without being read, where the cache
// allows it.
func (r *reuser) keepSource(st *fileState) {
	if k, ok := r.cache.(ReuseKeeper); ok {
		k.Keep(SourceKey(st.sum))
		return
	}
	r.storeSource(st)
}

// storePhaseOne records st's phase one.
func (r *reuser) storePhaseOne(st *fileState) {
	fb, err := factsBytes(st.facts)
	if err != nil {
		return
	}
	// The serialised facts are not kept past the record: the digests
	// read the file's indexSum (fb was 6 MB of live heap on saleor,
	// through a first run's peak).
	st.indexSum = indexSum(fb, st.unit)
	rec := phaseOne{Diags: st.diags, Facts: fb, IndexSum: st.indexSum, Imports: st.unit.Imports, ModelAliases: st.unit.ModelAliases, Supp: st.supp, HasError: st.hasError, Python2: st.python2, Truncated: st.unit.Tree.Truncated,
		AsRead: st.file.Encoding == "", Lines: st.file.LineCount()}
	if data, err := encodeValue(&rec); err == nil {
		r.cache.Put(r.fileKey("p1", st, nil), data)
	}
	// The tree too: a later run that reuses this record loads it from here
	// if some rule reads it, in one read of the cache with the records.
	if r.memTrees != nil {
		return
	}
	if data, err := st.unit.Tree.MarshalBinary(); err == nil {
		r.cache.Put(r.fileKey("tree", st, treeKeyExtra()), data)
	}
}

// loadPhaseOne fills st from its record, with a tree that load parses
// (or fetches) only when read. It reports false on a miss, and, when
// asRead, for a record whose source was not its file's bytes as read.
// lazy, when set, makes st's file (of bytes not read yet) from the line
// count the record holds.
func (r *reuser) loadPhaseOne(st *fileState, load func() (*pyast.Tree, error), asRead bool, lazy func(lines int) *source.File) bool {
	data, ok := r.cache.Get(r.fileKey("p1", st, nil))
	if !ok {
		return false
	}
	var rec phaseOne
	if decodeValue(data, &rec) != nil || rec.Supp == nil || rec.Imports == nil || asRead && !rec.AsRead {
		return false
	}
	var facts *project.Facts
	if rec.Facts != nil {
		facts = &project.Facts{}
		if decodeValue(rec.Facts, facts) != nil {
			return false
		}
	}
	if lazy != nil {
		st.file = lazy(rec.Lines)
	}
	treeKey, file := r.fileKey("tree", st, treeKeyExtra()), st.file
	if k, ok := r.cache.(ReuseKeeper); ok && r.memTrees == nil {
		// A run that reads no tree of the file (an edit to a test module
		// re-runs no rule on product code) still keeps it for the next.
		k.Keep(treeKey)
	}
	// Neither the tree nor the source is read here: a run that re-runs no
	// rule on the file reads neither (source.NewLazy).
	tree := pyast.NewLazy(file.Src, rec.Truncated, func() (*pyast.Tree, error) {
		src := file.Src()
		if r.memTrees != nil {
			if t := r.memTrees.Get(src); t != nil {
				return t, nil
			}
			return load() // parsed
		}
		if data, ok := r.cache.Get(treeKey); ok {
			if t, err := pyast.DecodeTree(data, src); err == nil {
				return t, nil
			}
		}
		return load()
	})
	u := &project.Unit{File: st.file, Tree: tree, Imports: rec.Imports, ModelAliases: rec.ModelAliases, RootRel: st.in.RootRel}
	u.Module, u.Package = project.ModuleName(st.in.RootRel)
	if facts != nil {
		facts.Unit = u
	}
	st.unit, st.facts, st.indexSum = u, facts, rec.IndexSum
	if st.indexSum == ([32]byte{}) {
		st.indexSum = indexSum(rec.Facts, u)
	}
	st.diags, st.supp, st.hasError, st.python2 = rec.Diags, rec.Supp, rec.HasError, rec.Python2
	st.reused = true
	return true
}

// digests returns the facts digest, the content digest and the product
// digest of a run's files (in path order). The facts digest also covers
// what the index takes from outside the files: which migrations the
// deploy-safety rules judge (option released-revision reads it from git)
// and the Django version the dependency files declare. The product digest
// is the content digest without the test modules (test says which), and
// the facts digest.
func (r *reuser) digests(ix *project.Index, states []*fileState, test []bool) (facts, content, product []byte) {
	fh, ch, ph := sha256.New(), sha256.New(), sha256.New()
	if ix != nil {
		// The Django version the dependency files declare: the index
		// reads it from files that are not inputs.
		d := ix.Django()
		fmt.Fprintf(fh, "django %d.%d %q %d %q\n", d.Major, d.Minor, d.Path, d.Line, d.Text)
		n, why := ix.Migrations.NotJudged()
		fmt.Fprintf(fh, "not judged %d %q\n", n, why)
		for _, m := range ix.Migrations.All {
			fmt.Fprintf(fh, "%q %t\n", m.Path, ix.Migrations.Judged(m))
		}
	}
	if r.extra != nil {
		inputs := make([]Input, len(states))
		for i, st := range states {
			inputs[i] = st.in
		}
		extra := r.extra(inputs)
		fmt.Fprintf(ch, "extra %q\n", extra)
		fmt.Fprintf(ph, "extra %q\n", extra)
	}
	// Each file's line is its paths (length-prefixed), a hash and a flag,
	// appended to one buffer: formatting them took 20 ms on 4,000 files.
	var b []byte
	for i, st := range states {
		b = appendFileLine(b[:0], st.in.Rel, st.in.RootRel, st.sum, st.unit != nil)
		ch.Write(b)
		if !test[i] {
			ph.Write(b)
		}
		if st.unit == nil {
			continue
		}
		sum := st.indexSum
		if sum == ([32]byte{}) {
			sum = indexSum(nil, st.unit) // facts that could not be serialised
		}
		fh.Write(appendFileLine(b[:0], st.in.Rel, st.in.RootRel, sum, true))
	}
	facts = fh.Sum(nil)
	ph.Write(facts)
	return facts, ch.Sum(nil), ph.Sum(nil)
}

// appendFileLine appends a file's part of a digest to b: its two paths,
// each after its length, then sum and flag.
func appendFileLine(b []byte, rel, rootRel string, sum [32]byte, flag bool) []byte {
	b = binary.AppendUvarint(b, uint64(len(rel)))
	b = append(b, rel...)
	b = binary.AppendUvarint(b, uint64(len(rootRel)))
	b = append(b, rootRel...)
	b = append(b, sum[:]...)
	if flag {
		return append(b, 1)
	}
	return append(b, 0)
}

// indexSum hashes what the index holds of a file: its facts (serialised,
// fb), imports and model aliases (the model graph resolves names through
// them). Phase one's record keeps it, so that a run that reuses the record
// hashes 32 bytes for the file's part of the facts digest.
func indexSum(fb []byte, u *project.Unit) [32]byte {
	h := sha256.New()
	im, _ := u.Imports.MarshalBinary()
	var n [8]byte
	for _, part := range [][]byte{fb, im, []byte(fmt.Sprintf("%q", sortedPairs(u.ModelAliases)))} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	return [32]byte(h.Sum(nil))
}

// sortedPairs lists a map's keys and values in key order.
func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, 2*len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k, m[k])
	}
	return out
}

// ruleDiags are the diagnostics of some rules on one file, by rule code
// (internal errors included).
type ruleDiags map[string][]Diagnostic

// globalRecord is what the rules that require shared analyses found on
// one file, and the test modules they read there (project.Reads), by path
// and hash: kept under the file and the product digest, it holds while
// those test modules are as they were.
type globalRecord struct {
	Tests []fileSum
	Found ruleDiags
}

type fileSum struct {
	Path string
	Sum  [32]byte
}

// getGlobal returns the record kept under key if every test module it
// read has the hash it had (sums: every file's hash by display path).
func (r *reuser) getGlobal(key [32]byte, sums map[string][32]byte) (ruleDiags, bool) {
	var rec globalRecord
	if !getRecord(r, key, &rec) {
		return nil, false
	}
	for _, t := range rec.Tests {
		if sum, ok := sums[t.Path]; !ok || sum != t.Sum {
			return nil, false
		}
	}
	if rec.Found == nil {
		rec.Found = ruleDiags{}
	}
	return rec.Found, true
}

func (r *reuser) getResults(key [32]byte) (ruleDiags, bool) {
	var out ruleDiags
	ok := getRecord(r, key, &out)
	return out, ok
}

// getRecord decodes into v the record kept under key, if any.
func getRecord[T any](r *reuser, key [32]byte, v *T) bool {
	data, ok := r.cache.Get(key)
	return ok && decodeValue(data, v) == nil
}

func (r *reuser) putResults(key [32]byte, rd ruleDiags) {
	if data, err := encodeValue(&rd); err == nil {
		r.cache.Put(key, data)
	}
}

// globalRule reports whether a rule's findings on some file may depend on
// other files' trees (see the comment above).
func globalRule(r *Rule) bool { return len(r.Requires) > 0 || r.RunProject != nil }

// globalOn reports whether r's findings on a file of the given roles may
// depend on other files' trees: a rule that requires a shared analysis,
// unless it declares that it reads none on such a file (Rule.LocalOn).
func globalOn(r *Rule, roles semantic.Role) bool { return globalRule(r) && !r.LocalOn.Any(roles) }

// A project rule that declares FactsOnly reads the index alone, so its
// findings are kept under the facts digest, like a file rule without a
// shared analysis; the other project rules' under the content digest.

// reusePlan is what a run found kept for phase two.
type reusePlan struct {
	r *reuser
	// split holds, by a file's roles, which file rules are local there
	// (findings kept under the facts digest) and which global (under the
	// content digest).
	split map[semantic.Role]*ruleSplit
	// project are the project rules by FactsOnly (index 1: facts only),
	// and projectKeys, projectFound and projectOK each group's kept
	// findings.
	project      [2][]*Rule
	files        map[*fileState]*keptFindings
	projectKeys  [2][32]byte
	projectFound [2]ruleDiags
	projectOK    [2]bool
	// need are the shared analyses of the rules that run on some file.
	need map[project.Analysis]bool
	// sums are every file's hash by display path, and states every
	// file's state by unit.
	sums   map[string][32]byte
	states map[*project.Unit]*fileState
	// digested are the project analyses the summary rules' findings are
	// kept under (by digest), and fileDigesters the file analyses with a
	// digest that some rule requires, by name (see getSummary).
	digested      map[project.Analysis]bool
	fileDigesters map[string]project.FileDigester
}

// ruleSplit is the file rules split into local, global and summary ones.
type ruleSplit struct{ local, global, summary []*Rule }

// keptFindings are one file's findings by class of rule, and their keys.
type keptFindings struct {
	rules                           *ruleSplit
	localKey, globalKey, summaryKey [32]byte
	local, global, summary          ruleDiags
	localOK, globalOK, summaryOK    bool
}

// plan looks up the findings kept for every file and for the project
// rules.
func (r *reuser) plan(ix *project.Index, states []*fileState, fileRules, projectRules []*Rule) *reusePlan {
	p := &reusePlan{r: r, files: map[*fileState]*keptFindings{}, split: map[semantic.Role]*ruleSplit{}}
	for _, rule := range projectRules {
		i := factsIndex(rule)
		p.project[i] = append(p.project[i], rule)
	}
	roles := make([]semantic.Role, len(states))
	test := make([]bool, len(states))
	p.sums = make(map[string][32]byte, len(states))
	p.states = make(map[*project.Unit]*fileState, len(states))
	for i, st := range states {
		p.sums[st.in.Rel] = st.sum
		if st.unit == nil {
			continue
		}
		p.states[st.unit] = st
		roles[i] = semantic.RolesOf(st.unit)
		test[i] = roles[i].Any(semantic.Test)
		if p.split[roles[i]] != nil {
			continue
		}
		sp := &ruleSplit{}
		for _, rule := range fileRules {
			if globalOn(rule, roles[i]) && summaryRule(rule) {
				sp.summary = append(sp.summary, rule)
			} else if globalOn(rule, roles[i]) {
				sp.global = append(sp.global, rule)
			} else {
				sp.local = append(sp.local, rule)
			}
		}
		p.split[roles[i]] = sp
	}
	factsDigest, contentDigest, productDigest := r.digests(ix, states, test)
	summaryBase := p.summaryBase(ix, fileRules, factsDigest, productDigest)
	// Each file's lookups and decoding are independent: done side by side.
	kept := make([]*keptFindings, len(states))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, st := range states {
		if st.unit == nil {
			continue
		}
		g.Go(func() error {
			sp := p.split[roles[i]]
			k := &keptFindings{rules: sp, localKey: r.fileKey("local", st, factsDigest), globalKey: r.fileKey("global", st, productDigest),
				summaryKey: r.fileKey("summary", st, summaryBase)}
			k.local, k.localOK = ruleDiags{}, len(sp.local) == 0
			if !k.localOK {
				k.local, k.localOK = r.getResults(k.localKey)
			}
			k.global, k.globalOK = ruleDiags{}, len(sp.global) == 0
			if !k.globalOK {
				k.global, k.globalOK = r.getGlobal(k.globalKey, p.sums)
			}
			k.summary, k.summaryOK = ruleDiags{}, len(sp.summary) == 0
			if !k.summaryOK {
				k.summary, k.summaryOK = p.getSummary(ix, k.summaryKey)
			}
			kept[i] = k
			return nil
		})
	}
	_ = g.Wait()
	p.need = map[project.Analysis]bool{}
	for i, st := range states {
		k := kept[i]
		if k == nil {
			continue
		}
		p.files[st] = k
		var run []*Rule
		if !k.globalOK {
			run = k.rules.global
		}
		if !k.summaryOK {
			run = append(slices.Clip(run), k.rules.summary...)
		}
		for _, rule := range run {
			if !rule.Skip.Any(roles[i]) {
				for _, a := range rule.Requires {
					p.need[a] = true
				}
			}
		}
	}
	p.projectKeys = [2][32]byte{r.key([]byte("project"), contentDigest), r.key([]byte("project-facts"), factsDigest)}
	for i, rules := range p.project {
		p.projectFound[i], p.projectOK[i] = ruleDiags{}, len(rules) == 0
		if len(rules) > 0 {
			p.projectFound[i], p.projectOK[i] = r.getResults(p.projectKeys[i])
		}
	}
	return p
}

// filesToRun counts the files where some rule's findings were not kept.
func (p *reusePlan) filesToRun() int {
	n := 0
	for _, k := range p.files {
		if !k.localOK || !k.globalOK || !k.summaryOK {
			n++
		}
	}
	return n
}

// needs reports whether some rule that requires the shared analysis a has
// to run on some file (always, without reuse). The project rules build
// what they read on first need.
func (p *reusePlan) needs(a project.Analysis) bool { return p == nil || p.need[a] }

// runFile runs the rules whose findings on st were not kept, keeps them,
// and adds every finding to st in rule order.
func (p *reusePlan) runFile(cfg Config, ix *project.Index, st *fileState, fileRules []*Rule, enabled map[string]bool) {
	k := p.files[st]
	if !k.localOK {
		k.local, _ = runFileRules(cfg, ix, st, k.rules.local, enabled)
		p.r.putResults(k.localKey, k.local)
	}
	if !k.summaryOK {
		var read project.Reads
		k.summary, read = runFileRules(cfg, ix, st, k.rules.summary, enabled)
		p.putSummary(ix, k.summaryKey, k.summary, read)
	}
	if !k.globalOK {
		var read project.Reads
		k.global, read = runFileRules(cfg, ix, st, k.rules.global, enabled)
		rec := globalRecord{Found: k.global}
		keep := true
		for _, u := range read.Units {
			o := p.states[u]
			switch {
			case o == nil:
				keep = false // not a file of the run: cannot be checked
			case semantic.RolesOf(u).Any(semantic.Test):
				rec.Tests = append(rec.Tests, fileSum{Path: o.in.Rel, Sum: o.sum})
			}
		}
		if keep {
			if data, err := encodeValue(&rec); err == nil {
				p.r.cache.Put(k.globalKey, data)
			}
		}
	}
	all := ruleDiags{}
	for code, ds := range k.local {
		all[code] = ds
	}
	for code, ds := range k.global {
		all[code] = ds
	}
	for code, ds := range k.summary {
		all[code] = ds
	}
	st.diags = append(st.diags, all.in(fileRules)...)
}

// projectFindings returns the findings kept for the project rule r.
func (p *reusePlan) projectFindings(r *Rule) ([]Diagnostic, bool) {
	i := factsIndex(r)
	if p == nil || !p.projectOK[i] {
		return nil, false
	}
	return p.projectFound[i][r.Code], true
}

// storeProjectFindings keeps the project rules' findings once all ran.
func (p *reusePlan) storeProjectFindings(found ruleDiags) {
	if p == nil {
		return
	}
	for i, rules := range p.project {
		if p.projectOK[i] {
			continue // kept already (or no such rule)
		}
		kept := ruleDiags{}
		for _, r := range rules {
			kept[r.Code] = found[r.Code]
		}
		p.r.putResults(p.projectKeys[i], kept)
	}
}

// factsIndex is the index of r's group in reusePlan.project.
func factsIndex(r *Rule) int {
	if r.FactsOnly {
		return 1
	}
	return 0
}

// MemoryReuse is a ReuseCache in memory, for a process that analyses the
// same project again and again (an editor server, tests), and the working
// set of a cache kept elsewhere (internal/reusecache). EndRun drops what
// the last run did not use, so it holds about one run's worth.
type MemoryReuse struct {
	mu    sync.Mutex
	old   map[[32]byte][]byte
	used  map[[32]byte][]byte // read or written since the last EndRun
	made  map[[32]byte][]byte // written and not in old
	check func(key [32]byte, v []byte) bool
}

// NewMemoryReuse returns a MemoryReuse holding entries (nil: none).
func NewMemoryReuse(entries map[[32]byte][]byte) *MemoryReuse {
	return NewCheckedMemoryReuse(entries, nil)
}

// NewCheckedMemoryReuse is NewMemoryReuse for entries that may be damaged
// (read from disk): the first Get of an entry in entries asks check
// (nil: none), and an entry that fails it is dropped, a miss. An entry
// only kept (Keep) is never checked here: whoever writes it out again
// checks it then.
func NewCheckedMemoryReuse(entries map[[32]byte][]byte, check func(key [32]byte, v []byte) bool) *MemoryReuse {
	if entries == nil {
		entries = map[[32]byte][]byte{}
	}
	// A run reads or keeps most of what the last one left (an edit run on
	// saleor: some 20,000 entries), which a map grown entry by entry
	// rehashes again and again.
	return &MemoryReuse{old: entries, used: make(map[[32]byte][]byte, len(entries)), made: map[[32]byte][]byte{}, check: check}
}

// Get implements ReuseCache.
func (m *MemoryReuse) Get(key [32]byte) ([]byte, bool) {
	m.mu.Lock()
	if v, ok := m.used[key]; ok {
		m.mu.Unlock()
		return v, true
	}
	v, ok := m.old[key]
	m.mu.Unlock()
	if !ok {
		return nil, false
	}
	// Checked outside the lock (a tree's entry is large); two goroutines
	// may check one entry at once, to the same verdict.
	if m.check != nil && !m.check(key, v) {
		m.mu.Lock()
		delete(m.old, key)
		m.mu.Unlock()
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, in := m.used[key]; !in {
		if _, held := m.old[key]; held {
			m.used[key] = v
		}
	}
	return v, true
}

// Holds reports whether an entry is held under key, without reading or
// checking it (Get may still miss: a damaged entry).
func (m *MemoryReuse) Holds(key [32]byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.used[key]; ok {
		return true
	}
	_, ok := m.old[key]
	return ok
}

// Keep implements ReuseKeeper: the entry under key, if held, is kept past
// EndRun as if read.
func (m *MemoryReuse) Keep(key [32]byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.used[key]; ok {
		return
	}
	if v, ok := m.old[key]; ok {
		m.used[key] = v
	}
}

// Put implements ReuseCache.
func (m *MemoryReuse) Put(key [32]byte, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.used[key] = data
	if _, ok := m.old[key]; !ok {
		m.made[key] = data
	}
}

// TakeMade returns the entries written since the last EndRun (or
// TakeMade) that were not held before, and forgets them: a Get of one is
// then a miss. For a cache that writes them out before the run ends
// (ReuseFlusher). The map is the caller's.
func (m *MemoryReuse) TakeMade() map[[32]byte][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.made
	for k := range out {
		delete(m.used, k)
	}
	m.made = map[[32]byte][]byte{}
	return out
}

// Used returns the entries read or written since the last EndRun, and
// those written that were not held before. The maps are the caller's.
func (m *MemoryReuse) Used() (used, made map[[32]byte][]byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.used), maps.Clone(m.made)
}

// EndRun keeps what the run that just ended read or wrote, and forgets the
// rest.
func (m *MemoryReuse) EndRun() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.old, m.used, m.made = m.used, make(map[[32]byte][]byte, len(m.used)), map[[32]byte][]byte{}
}
