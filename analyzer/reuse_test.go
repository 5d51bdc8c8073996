package analyzer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/all"
)

// copyTree copies a testdata directory into dir.
func copyTree(t *testing.T, from, dir string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(from, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		write(t, dir, filepath.ToSlash(rel), data)
		return nil
	}))
}

// runsPerFile counts, per file, the runs of a rule that declares no
// shared analysis: how much of phase two a reused run redoes.
type runsPerFile struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *runsPerFile) rule() *analyzer.Rule {
	return &analyzer.Rule{
		Code: "ERR998", Name: "count-runs", Category: analyzer.ErrorHandling, Severity: analyzer.Info,
		Confidence: analyzer.High, Since: "0.0.0",
		Run: func(p *analyzer.Pass) error {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.n[p.File.Rel]++
			return nil
		},
	}
}

// boomStrings is a project rule that reads every file's tree: it reports
// each string literal that says BOOM, which no fact records.
var boomStrings = &analyzer.Rule{
	Code: "ERR997", Name: "boom-strings", Category: analyzer.ErrorHandling, Severity: analyzer.Info,
	Confidence: analyzer.High, Since: "0.0.0",
	RunProject: func(p *analyzer.ProjectPass) error {
		for _, u := range p.Project.Units {
			for _, n := range pyast.FindAll(u.Tree.Root(), "string") {
				if strings.Contains(n.Text(), "BOOM") {
					p.Report(analyzer.Diagnostic{Path: u.File.Rel, Range: analyzer.RangeOf(n), Message: "boom"})
				}
			}
		}
		return nil
	},
}

func (c *runsPerFile) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// reuseHarness runs the analysis of dir with every rule, from scratch and
// reusing the previous runs' work.
type reuseHarness struct {
	t       *testing.T
	dir     string
	counter *runsPerFile
	rules   []*analyzer.Rule
	reuse   *analyzer.MemoryReuse
	trees   analyzer.TreeCache // for the reusing runs (nil: none)
	// kept, when set, hands every file's bytes to the reusing runs on
	// demand (Config.KeptSources), as `rubric check` does with the files
	// its stat index knows, and counts which are read.
	kept *keptLoads
}

// keptLoads counts the sources a run read of those it was handed on
// demand.
type keptLoads struct {
	mu sync.Mutex
	n  map[string]int
}

// sources hands over every file under dir as Config.KeptSources does.
func (k *keptLoads) sources(t *testing.T, dir string) (map[string][32]byte, map[string]analyzer.KeptSource) {
	sums, kept := map[string][32]byte{}, map[string]analyzer.KeptSource{}
	for _, in := range analyzer.Discover([]string{dir}, dir, nil) {
		data, err := os.ReadFile(in.Path)
		require.NoError(t, err)
		sums[in.Rel] = sha256.Sum256(data)
		kept[in.Rel] = analyzer.KeptSource{Size: len(data), Load: func() []byte {
			k.mu.Lock()
			defer k.mu.Unlock()
			k.n[in.Rel]++
			return data
		}}
	}
	return sums, kept
}

func (k *keptLoads) take() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := k.n
	k.n = map[string]int{}
	return n
}

func newReuseHarness(t *testing.T, dir string) *reuseHarness {
	counter := &runsPerFile{n: map[string]int{}}
	return &reuseHarness{t: t, dir: dir, counter: counter, reuse: analyzer.NewMemoryReuse(nil),
		rules: append(analyzer.Select(all.Rules(), []string{"ALL"}, nil), counter.rule(), boomStrings)}
}

func (h *reuseHarness) run(jobs int, withReuse bool) string {
	t := h.t
	t.Helper()
	cfg := analyzer.Config{Rules: h.rules, Registry: all.Rules(), WorkDir: h.dir, Jobs: jobs, ReuseKey: "test"}
	if withReuse {
		cfg.Reuse, cfg.Trees = h.reuse, h.trees
		if h.kept != nil {
			cfg.SourceSums, cfg.KeptSources = h.kept.sources(t, h.dir)
		}
	}
	res, err := analyzer.Run(context.Background(), cfg, []string{h.dir})
	require.NoError(t, err)
	if withReuse {
		h.reuse.EndRun()
	}
	var out bytes.Buffer
	p, err := printer.New("json", printer.Options{Version: "test"})
	require.NoError(t, err)
	require.NoError(t, p.Print(&out, res))
	return out.String()
}

// check compares a reusing run with a run from scratch, and returns how
// often the reusing run ran a rule without shared analyses, per file.
func (h *reuseHarness) check(step string) (string, map[string]int) {
	t := h.t
	t.Helper()
	want := h.run(1, false)
	h.counter.take()
	got := h.run(2, true)
	ran := h.counter.take()
	assert.Equal(t, want, got, step)
	assert.Equal(t, want, h.run(8, true), step+", -j 8, everything reused")
	assert.Empty(t, h.counter.take(), step+": a run with nothing changed runs no rule again")
	return got, ran
}

func (h *reuseHarness) edit(rel string, change func(string) string) {
	t := h.t
	t.Helper()
	p := filepath.Join(h.dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte(change(string(data))), 0o644))
}

// A run that reuses the previous runs' work prints, byte for byte, what a
// run from scratch prints, over a series of edits: an edit that keeps the
// facts, one that moves them, one that changes the model graph, a new
// file, a syntax error, a deleted file, and back to the start. And it
// redoes only what the edit can affect.
func TestReuseNeverChangesAnAnswer(t *testing.T) {
	t.Run("trees from the reuse cache", func(t *testing.T) { testReuseNeverChangesAnAnswer(t, nil) })
	// The editor server's way: trees kept in memory, none in the reuse
	// cache.
	t.Run("trees in memory", func(t *testing.T) { testReuseNeverChangesAnAnswer(t, memoryTrees{analyzer.NewContentTrees()}) })
}

// memoryTrees is the fix rounds' tree cache marked as held in memory
// (analyzer.MemoryTrees), as the editor server's is.
type memoryTrees struct{ analyzer.TreeCache }

func (memoryTrees) InMemory() {}

func testReuseNeverChangesAnAnswer(t *testing.T, trees analyzer.TreeCache) {
	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "testdata", "submissions", "galileo"), dir)
	h := newReuseHarness(t, dir)
	h.trees = trees
	originals := map[string][]byte{}
	for _, rel := range []string{"galileo/services.py", "transactions/models.py", "accounts/views.py"} {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		require.NoError(t, err)
		originals[rel] = data
	}

	_, ran := h.check("first run")
	assert.Len(t, ran, 12, "every file")

	h.edit("galileo/services.py", func(s string) string { return s + "# edited\n" })
	_, ran = h.check("comment appended: facts unchanged")
	assert.Equal(t, map[string]int{"galileo/services.py": 1}, ran, "only the edited file's rules run again")

	h.edit("transactions/models.py", func(s string) string { return "# moved\n" + s })
	_, ran = h.check("line inserted in models.py: its facts move")
	assert.Len(t, ran, 12, "facts changed: every file again")

	h.edit("transactions/models.py", func(s string) string {
		return strings.Replace(s, `on_delete=models.CASCADE, related_name="transactions")`, `on_delete=models.CASCADE, related_name="txns", db_index=False)`, 1)
	})
	h.check("a relation renamed in the model graph")

	write(t, dir, "accounts/extra.py", []byte("def f():\n    try:\n        g()\n    except:  # noqa: ERR001, LOG001\n        pass\n"))
	h.check("a file added")

	h.edit("accounts/views.py", func(s string) string { return s + "\ndef broken(:\n    pass\n" })
	h.check("a syntax error")

	require.NoError(t, os.Remove(filepath.Join(dir, "accounts", "extra.py")))
	h.check("a file removed")

	for rel, data := range originals {
		require.NoError(t, os.WriteFile(filepath.Join(dir, rel), data, 0o644))
	}
	h.check("back to the start")
	// Trees kept in memory are not copied into the reuse cache (a first
	// run writes every record).
	h.reuse = analyzer.NewMemoryReuse(nil)
	h.run(2, true)
	cfg := analyzer.Config{Rules: h.rules, Registry: all.Rules(), WorkDir: dir, ReuseKey: "test", Reuse: h.reuse}
	for _, in := range analyzer.Discover([]string{dir}, dir, nil) {
		data, err := os.ReadFile(in.Path)
		require.NoError(t, err)
		_, kept := h.reuse.Get(analyzer.ReuseTreeKey(cfg, in, data))
		assert.Equal(t, trees == nil, kept, "a copy of %s's tree in the reuse cache", in.Rel)
	}
}

// Findings that depend on another file: MIG004 on a migration depends on
// the facts of the one before it; ORM001 on a view depends on the body of
// a helper in another module, which no fact records. Reuse sees both.
func TestReuseFollowsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for rel, src := range map[string]string{
		"shop/__init__.py":            "",
		"shop/migrations/__init__.py": "",
		"shop/models.py": "from django.db import models\n\n\nclass Customer(models.Model):\n    name = models.CharField(max_length=100)\n\n\n" +
			"class Order(models.Model):\n    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n    note = models.TextField()\n",
		"shop/helpers.py": "def label(order):\n    return order.customer.name\n",
		"shop/views.py":   "from .helpers import label\nfrom .models import Order\n\n\ndef report(request):\n    for order in Order.objects.all():\n        print(label(order))\n",
		"shop/migrations/0001_initial.py": "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    operations = [\n" +
			"        migrations.CreateModel(\"Customer\", [(\"id\", models.AutoField(primary_key=True)), (\"name\", models.CharField(max_length=100))]),\n" +
			"        migrations.CreateModel(\"Order\", [(\"id\", models.AutoField(primary_key=True)), (\"customer\", models.ForeignKey(\"shop.Customer\", on_delete=models.CASCADE)), (\"note\", models.TextField(null=True))]),\n    ]\n",
		"shop/migrations/0002_note.py": "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"shop\", \"0001_initial\")]\n" +
			"    operations = [\n        migrations.AlterField(\"order\", \"note\", models.TextField()),\n    ]\n",
	} {
		write(t, dir, rel, []byte(src))
	}
	h := newReuseHarness(t, dir)
	out, ran := h.check("first run")
	assert.Len(t, ran, 7)
	assert.Contains(t, out, `"code": "MIG004"`)
	assert.Contains(t, out, `"code": "ORM001"`)

	h.edit("shop/helpers.py", func(s string) string { return strings.Replace(s, "order.customer.name", "order.pk", 1) })
	out, ran = h.check("the helper no longer follows the relation")
	assert.NotContains(t, out, `"code": "ORM001"`)
	assert.Equal(t, map[string]int{"shop/helpers.py": 1}, ran, "the helper's facts did not change")

	h.edit("shop/migrations/0001_initial.py", func(s string) string { return strings.Replace(s, "TextField(null=True)", "TextField(null=False)", 1) })
	out, _ = h.check("the column was NOT NULL from the start")
	assert.NotContains(t, out, `"code": "MIG004"`)

	// A project rule: the models no longer match their migrations.
	h.edit("shop/models.py", func(s string) string { return s + "    total = models.IntegerField(default=0)\n" })
	out, _ = h.check("a field without its migration")
	assert.Contains(t, out, "field `Order.total` is in no migration")

	// A project rule that reads trees: a string no fact records.
	h.edit("shop/helpers.py", func(s string) string { return s + "\n\nMESSAGE = \"BOOM\"\n" })
	out, ran = h.check("a string a project rule reads")
	assert.Contains(t, out, `"code": "ERR997"`)
	assert.Equal(t, map[string]int{"shop/helpers.py": 1}, ran, "the helper's facts did not change")
	h.edit("shop/helpers.py", func(s string) string { return strings.Replace(s, "BOOM", "calm", 1) })
	out, _ = h.check("the string changed")
	assert.NotContains(t, out, `"code": "ERR997"`)
}

// recordingReuse notes every key a run asks for, and how often.
type recordingReuse struct {
	*analyzer.MemoryReuse
	mu    sync.Mutex
	got   map[[32]byte]bool
	times map[[32]byte]int
}

func (r *recordingReuse) Get(key [32]byte) ([]byte, bool) {
	r.mu.Lock()
	r.got[key] = true
	if r.times != nil {
		r.times[key]++
	}
	r.mu.Unlock()
	return r.MemoryReuse.Get(key)
}

// After an edit, the rules that read every file's tree run everywhere on
// trees loaded from the reuse cache: each is loaded once, however many
// rules and analyses read it.
func TestEditLoadsEachTreeOnce(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "testdata", "submissions", "galileo"), dir)
	rec := &recordingReuse{MemoryReuse: analyzer.NewMemoryReuse(nil), got: map[[32]byte]bool{}}
	cfg := analyzer.Config{Rules: analyzer.Select(all.Rules(), []string{"ALL"}, nil), Registry: all.Rules(), WorkDir: dir, Jobs: 2,
		ReuseKey: "test", Reuse: rec}
	_, err := analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	rec.EndRun()
	inputs := analyzer.Discover([]string{dir}, dir, nil)
	require.NotEmpty(t, inputs)
	edited := inputs[0]
	src, err := os.ReadFile(edited.Path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(edited.Path, append(src, "\n# edited\n"...), 0o644))
	rec.times = map[[32]byte]int{}
	_, err = analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	loaded := 0
	for _, other := range inputs[1:] {
		data, err := os.ReadFile(other.Path)
		require.NoError(t, err)
		n := rec.times[analyzer.ReuseTreeKey(cfg, other, data)]
		assert.LessOrEqual(t, n, 1, "the tree of %s", other.Rel)
		loaded += n
	}
	assert.Positive(t, loaded, "the rules that read every tree ran on reused trees")
}

// The contract reuse rests on: a rule that declares no shared analysis
// reads its own file and the index, never another file's tree. After an
// edit that keeps the facts, such rules run on the edited file alone, and
// no other file's tree may be loaded.
func TestRulesWithoutAnalysesReadNoOtherTree(t *testing.T) {
	var local []*analyzer.Rule
	for _, r := range analyzer.Select(all.Rules(), []string{"ALL"}, nil) {
		if len(r.Requires) == 0 && r.RunProject == nil {
			local = append(local, r)
		}
	}
	for _, sample := range []string{"galileo", "galileo-strong", "webhook"} {
		dir := t.TempDir()
		copyTree(t, filepath.Join("..", "testdata", "submissions", sample), dir)
		rec := &recordingReuse{MemoryReuse: analyzer.NewMemoryReuse(nil), got: map[[32]byte]bool{}}
		cfg := analyzer.Config{Rules: local, Registry: all.Rules(), WorkDir: dir, Jobs: 2, ReuseKey: "test", Reuse: rec}
		_, err := analyzer.Run(context.Background(), cfg, []string{dir})
		require.NoError(t, err)
		rec.EndRun()
		inputs := analyzer.Discover([]string{dir}, dir, nil)
		require.NotEmpty(t, inputs)
		for _, edited := range inputs {
			src, err := os.ReadFile(edited.Path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(edited.Path, append(src, "\n# edited\n"...), 0o644))
			rec.got = map[[32]byte]bool{}
			_, err = analyzer.Run(context.Background(), cfg, []string{dir})
			require.NoError(t, err)
			rec.EndRun()
			for _, other := range inputs {
				if other.Rel == edited.Rel {
					continue
				}
				data, err := os.ReadFile(other.Path)
				require.NoError(t, err)
				assert.False(t, rec.got[analyzer.ReuseTreeKey(cfg, other, data)], "%s: editing %s loaded the tree of %s", sample, edited.Rel, other.Rel)
			}
			require.NoError(t, os.WriteFile(edited.Path, src, 0o644))
		}
	}
}

// The edits an editor makes, each compared byte for byte with a run from
// scratch of the edited tree (at 1, 2 and 8 workers, see check): a body
// edit in a helper other files' findings follow, a model field renamed, an
// import added that makes a call resolve, a function deleted. Each step
// changes the findings, so a run that reused a stale answer would differ.
func TestEditRunsMatchColdRuns(t *testing.T) {
	dir := t.TempDir()
	for rel, src := range map[string]string{
		"shop/__init__.py": "",
		"shop/models.py": "from django.db import models\n\n\nclass Customer(models.Model):\n    name = models.CharField(max_length=100)\n\n\n" +
			"class Order(models.Model):\n    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n    total = models.IntegerField(default=0)\n",
		"shop/helpers.py": "def label(order):\n    return order.pk\n\n\ndef owner(order):\n    return order.customer.name\n",
		"shop/views.py": "from .helpers import label\nfrom .models import Order\n\n\ndef report(request):\n    for order in Order.objects.all():\n        print(label(order))\n\n\n" +
			"def names(request):\n    for order in Order.objects.all():\n        print(owner(order))\n",
		"shop/tasks.py": "from .helpers import owner\nfrom .models import Order\n\n\ndef nightly():\n    for order in Order.objects.filter(total__gt=0):\n        owner(order)\n",
	} {
		write(t, dir, rel, []byte(src))
	}
	h := newReuseHarness(t, dir)
	prev, _ := h.check("first run")
	require.Contains(t, prev, `"code": "ORM001"`, "tasks.py loads order.customer per row through owner()")
	step := func(what, rel string, change func(string) string) string {
		t.Helper()
		h.edit(rel, func(s string) string {
			out := change(s)
			require.NotEqual(t, s, out, "%s: the edit changes %s", what, rel)
			return out
		})
		out, _ := h.check(what)
		assert.NotEqual(t, prev, out, "%s: the findings change", what)
		prev = out
		return out
	}
	step("body edit: label() now follows the relation", "shop/helpers.py", func(s string) string {
		return strings.Replace(s, "return order.pk", "return order.customer.name", 1)
	})
	step("model field renamed", "shop/models.py", func(s string) string {
		return strings.Replace(s, "customer = models.ForeignKey", "buyer = models.ForeignKey", 1)
	})
	step("helpers follow the renamed field", "shop/helpers.py", func(s string) string {
		return strings.ReplaceAll(s, "order.customer.name", "order.buyer.name")
	})
	step("new import: owner() resolves in views.py", "shop/views.py", func(s string) string {
		return strings.Replace(s, "from .helpers import label\n", "from .helpers import label, owner\n", 1)
	})
	out := step("deleted function: owner() is gone", "shop/helpers.py", func(s string) string {
		return s[:strings.Index(s, "\n\n\ndef owner")+1]
	})
	assert.NotContains(t, out, "`owner(order)` loads", "no finding through the deleted function")
	assert.Contains(t, out, "`label(order)` loads `order.buyer` per row", "label() still follows the renamed field")
}

// A run with reuse keeps each UTF-8 file's bytes under SourceKey (a later
// run's caller takes unchanged files from there instead of reading them);
// a file whose declared encoding was decoded is not kept, as its text is
// not its bytes on disk.
func TestRunKeepsSourcesByTheirHash(t *testing.T) {
	dir := t.TempDir()
	utf := "def f():\n    return 'é'\n"
	latin := "# -*- coding: latin-1 -*-\nx = '\xe9'\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.py"), []byte(utf), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.py"), []byte(latin), 0o644))
	reuse := analyzer.NewMemoryReuse(nil)
	_, err := analyzer.Run(context.Background(), analyzer.Config{Rules: all.Rules(), WorkDir: dir, Reuse: reuse, ReuseKey: "test"}, []string{dir})
	require.NoError(t, err)
	got, ok := reuse.Get(analyzer.SourceKey(sha256.Sum256([]byte(utf))))
	require.True(t, ok, "a.py kept")
	assert.Equal(t, utf, string(got))
	_, ok = reuse.Get(analyzer.SourceKey(sha256.Sum256([]byte(latin))))
	assert.False(t, ok, "b.py's text is not its bytes")
}

// Bytes the caller hashed are taken as their file's source without a
// second check only when the record under their hash says it was the
// source as read. A latin-1 file's record is kept under the hash of its
// decoded text: a later file whose bytes are that text (UTF-8 under the
// same latin-1 declaration) decodes to another text, and must not be
// taken for the first one.
func TestHashedSourcesSkipTheCheckOnlyAsRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.py")
	latin := "# -*- coding: latin-1 -*-\nx = '\xe9'\n"
	decoded := "# -*- coding: latin-1 -*-\nx = '\u00e9'\n" // what latin holds, in UTF-8
	plain := "def f():\n    return 'é'\n"
	reuse := analyzer.NewMemoryReuse(nil)
	run := func(content string, hashed bool) *analyzer.Result {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		cfg := analyzer.Config{Rules: all.Rules(), WorkDir: dir, Reuse: reuse, ReuseKey: "test"}
		if hashed {
			cfg.Sources = map[string][]byte{"b.py": []byte(content)}
			cfg.SourceSums = map[string][32]byte{"b.py": sha256.Sum256([]byte(content))}
		}
		res, err := analyzer.Run(context.Background(), cfg, []string{dir})
		require.NoError(t, err)
		return res
	}
	run(latin, false)
	assert.Equal(t, decoded, string(run(latin, true).Files["b.py"].Src()), "decoded again, not taken as read")
	again := run(decoded, true).Files["b.py"].Src()
	assert.Equal(t, "# -*- coding: latin-1 -*-\nx = '\u00c3\u00a9'\n", string(again), "its bytes decoded as latin-1, not the first file's text")
	run(plain, false)
	assert.Equal(t, plain, string(run(plain, true).Files["b.py"].Src()))
}

// A file whose phase one is reused keeps its model aliases (`Order =
// apps.get_model("shop", "Order")`), which the model graph and the rules
// resolve names through: its unit has the same as a run from scratch.
func TestReuseKeepsModelAliases(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "shop/__init__.py", nil)
	write(t, dir, "shop/models.py", []byte("from django.db import models\n\n\nclass Order(models.Model):\n    note = models.TextField()\n"))
	write(t, dir, "shop/services.py", []byte("from django.apps import apps\nfrom django.contrib.auth import get_user_model\n\n"+
		"Order = apps.get_model(\"shop\", \"Order\")\nUser = get_user_model()\n"))
	aliases := func(res *analyzer.Result) map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, u := range res.Index.Units {
			if len(u.ModelAliases) > 0 {
				out[u.File.Rel] = u.ModelAliases
			}
		}
		return out
	}
	cfg := analyzer.Config{Rules: all.Rules(), WorkDir: dir, ReuseKey: "test"}
	cold, err := analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	require.Equal(t, map[string]map[string]string{"shop/services.py": {"Order": "shop.Order", "User": project.AuthUserModel}}, aliases(cold))
	cfg.Reuse = analyzer.NewMemoryReuse(nil)
	_, err = analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	cfg.Reuse.(*analyzer.MemoryReuse).EndRun()
	reused, err := analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	assert.Equal(t, aliases(cold), aliases(reused), "reused phase one")
}

// A deploy-safety rule's advice reads the Django version the dependency
// files declare, which are not inputs: a reusing run after the pin moved
// to 5.0 gives the fresh run's advice (db_default), not the kept one.
func TestReuseFollowsTheDeclaredDjango(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "requirements.txt", []byte("Django==4.2\n"))
	write(t, dir, "shop/__init__.py", nil)
	write(t, dir, "shop/migrations/__init__.py", nil)
	write(t, dir, "shop/migrations/0001_initial.py", []byte("from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"+
		"    initial = True\n    operations = [\n        migrations.CreateModel(\"Order\", [(\"id\", models.AutoField(primary_key=True))]),\n    ]\n"))
	write(t, dir, "shop/migrations/0002_paid.py", []byte("from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"+
		"    dependencies = [(\"shop\", \"0001_initial\")]\n    operations = [\n        migrations.AddField(\"order\", \"paid\", models.BooleanField(default=False)),\n    ]\n"))
	h := newReuseHarness(t, dir)
	out, _ := h.check("Django 4.2")
	assert.Contains(t, out, `"code": "MIG002"`)
	assert.Contains(t, out, "this project declares 4.2")
	write(t, dir, "requirements.txt", []byte("Django==5.0\n"))
	out, _ = h.check("Django 5.0")
	assert.Contains(t, out, "use `db_default=` (Django 5.0+)")
}

// The project rules that read the facts alone (the migration rules) are
// kept under the facts digest: an edit that moves no fact reuses their
// findings, and each edit that changes what they read (a field added, its
// constructor changed, a deleted model's class gone, a migration added)
// gives what a run from scratch gives.
func TestEditRunsMatchColdRunsForFactsOnlyProjectRules(t *testing.T) {
	dir := t.TempDir()
	for rel, src := range map[string]string{
		"shop/__init__.py":            "",
		"shop/migrations/__init__.py": "",
		"shop/models.py": "from django.db import models\n\n\nclass Order(models.Model):\n    total = models.IntegerField(default=0)\n\n\n" +
			"class Coupon(models.Model):\n    code = models.CharField(max_length=10)\n",
		"shop/migrations/0001_initial.py": "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n" +
			"    initial = True\n    dependencies = []\n    operations = [\n" +
			"        migrations.CreateModel(name=\"Order\", fields=[(\"id\", models.AutoField(primary_key=True)), (\"total\", models.IntegerField(default=0))]),\n" +
			"        migrations.CreateModel(name=\"Coupon\", fields=[(\"id\", models.AutoField(primary_key=True)), (\"code\", models.CharField(max_length=10))]),\n" +
			"        migrations.CreateModel(name=\"Voucher\", fields=[(\"id\", models.AutoField(primary_key=True))]),\n" +
			"    ]\n",
		"shop/legacy.py": "def make(model):\n    return model\n\n\nVoucher = make(object)\n",
		"shop/views.py":  "from .models import Order\n\n\ndef total(request):\n    return Order.objects.count()\n",
	} {
		write(t, dir, rel, []byte(src))
	}
	h := newReuseHarness(t, dir)
	prev, _ := h.check("first run")
	require.NotContains(t, prev, `"code": "MIG015"`, "models and migrations agree; Voucher is bound in legacy.py")
	diagnostics := func(out string) string {
		var v struct{ Diagnostics json.RawMessage }
		require.NoError(t, json.Unmarshal([]byte(out), &v))
		return string(v.Diagnostics)
	}
	step := func(what, rel string, change func(string) string, changes bool) string {
		t.Helper()
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			write(t, dir, rel, []byte(change("")))
		} else {
			h.edit(rel, change)
		}
		out, _ := h.check(what)
		if changes {
			assert.NotEqual(t, diagnostics(prev), diagnostics(out), "%s: the findings change", what)
		} else {
			assert.Equal(t, diagnostics(prev), diagnostics(out), "%s: the findings stay", what)
		}
		prev = out
		return out
	}
	step("a comment in a view", "shop/views.py", func(s string) string { return s + "# checked\n" }, false)
	out := step("a field added", "shop/models.py", func(s string) string {
		return s + "    note = models.CharField(max_length=20)\n"
	}, true)
	assert.Contains(t, out, "max_length=20", "the makemigrations hint quotes the field as written")
	out = step("its constructor changed, same length", "shop/models.py", func(s string) string {
		return strings.Replace(s, "max_length=20", "max_length=30", 1)
	}, true)
	assert.Contains(t, out, "max_length=30")
	step("the deleted model's binding gone", "shop/legacy.py", func(s string) string {
		return strings.Replace(s, "Voucher = make(object)\n", "", 1)
	}, true)
	step("a migration adds the field", "shop/migrations/0002_note.py", func(string) string {
		return "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n" +
			"    dependencies = [(\"shop\", \"0001_initial\")]\n    operations = [\n" +
			"        migrations.AddField(model_name=\"order\", name=\"note\", field=models.CharField(max_length=30)),\n    ]\n"
	}, true)
}

// unitCount is a project analysis for the LocalOn tests: how many files
// the index holds.
var unitCount = &project.ProjectAnalysis[int]{Name: "test.unitCount", Run: func(ix *project.Index) int { return len(ix.Units) }}

// localOnTests counts its runs per file; it requires unitCount and reads
// it on every file but test modules (LocalOn), or on every file when
// cheat is set.
func localOnTests(c *runsPerFile, cheat bool) *analyzer.Rule {
	return &analyzer.Rule{
		Code: "ERR996", Name: "count-runs-local-on-tests", Category: analyzer.ErrorHandling, Severity: analyzer.Info,
		Confidence: analyzer.High, Since: "0.0.0", Requires: []project.Analysis{unitCount}, LocalOn: semantic.Test,
		Run: func(p *analyzer.Pass) error {
			c.mu.Lock()
			c.n[p.File.Rel]++
			c.mu.Unlock()
			if cheat || !semantic.RolesOf(p.Unit).Any(semantic.Test) {
				_ = unitCount.Get(p.Project)
			}
			return nil
		},
	}
}

// localOnTree is a small project with a test module.
func localOnTree(t *testing.T) string {
	dir := t.TempDir()
	for rel, src := range map[string]string{
		"shop/__init__.py":         "",
		"shop/models.py":           "from django.db import models\n\n\nclass Order(models.Model):\n    total = models.IntegerField(default=0)\n",
		"shop/views.py":            "from .models import Order\n\n\ndef count(request):\n    return Order.objects.count()\n",
		"shop/tests/__init__.py":   "",
		"shop/tests/test_views.py": "async def make():\n    return 1\n\n\ndef test_count():\n    make()\n",
	} {
		write(t, dir, rel, []byte(src))
	}
	return dir
}

// A rule that requires a shared analysis but reads none on test modules
// (Rule.LocalOn) is kept there like a rule without one: an edit of
// another file that keeps the facts runs it again on the product files,
// whose findings may follow the edit, and not on the test modules.
func TestLocalOnRulesAreKeptOnThoseFiles(t *testing.T) {
	analyzer.SkipReadCheck(t)
	dir := localOnTree(t)
	h := newReuseHarness(t, dir)
	counter := &runsPerFile{n: map[string]int{}}
	h.rules = append(h.rules, localOnTests(counter, false))
	out, _ := h.check("first run")
	assert.Contains(t, out, `"code": "BUG004"`, "the unawaited coroutine in the test module")
	counter.take()

	h.edit("shop/views.py", func(s string) string { return strings.Replace(s, ".count()", ".count()  # how many", 1) })
	h.run(2, true)
	ran := counter.take()
	assert.Equal(t, map[string]int{"shop/__init__.py": 1, "shop/models.py": 1, "shop/views.py": 1}, ran,
		"run again on the product files, whose findings may follow the edit, not on the test module")
	h.check("a comment in a view")
}

// Under test, a rule that reads a shared analysis on a file where it
// declares it reads none fails there with an internal error.
func TestLocalOnIsChecked(t *testing.T) {
	dir := localOnTree(t)
	rule := localOnTests(&runsPerFile{n: map[string]int{}}, true)
	broken := internalErrors(t, dir, rule, "test.unitCount")
	assert.Equal(t, []string{"shop/tests/__init__.py", "shop/tests/test_views.py"}, broken, "the test modules")
}

// helperNames is a file analysis: the functions a module defines.
var helperNames = &project.FileAnalysis[[]string]{Name: "test.helperNames", Run: func(u *project.Unit, _ *project.Index) []string {
	var out []string
	for _, fn := range pyast.FindAll(u.Tree.Root(), "function_definition") {
		out = append(out, pyast.DefName(fn))
	}
	return out
}}

// importedHelpers counts its runs per file; it requires unitCount, reads it,
// and reports each name imported from a module of the project that does
// not define it, reading that module through helperNames (a file analysis,
// recorded), or, when direct is set, straight from its tree (not recorded).
func importedHelpers(c *runsPerFile, direct bool) *analyzer.Rule {
	read := "analysis"
	if direct {
		read = "tree"
	}
	return namesRule("ERR995", c, unitCount, helperNames, read)
}

// namesRule counts its runs per file; it requires and reads whole, and
// reports each name imported from a module of the project that its file
// analysis names does not list. read says how it reads the module:
// "analysis", through names; "tree", straight from its tree (not
// recorded); "undigested", through names, also reading unitCount, a
// project analysis without a digest.
func namesRule(code string, c *runsPerFile, whole interface {
	project.Analysis
	Get(*project.Index) int
}, names *project.FileAnalysis[[]string], read string) *analyzer.Rule {
	return &analyzer.Rule{
		Code: code, Name: "count-runs-imported-names", Category: analyzer.ErrorHandling, Severity: analyzer.Info,
		Confidence: analyzer.High, Since: "0.0.0", Requires: []project.Analysis{whole, names},
		Run: func(p *analyzer.Pass) error {
			c.mu.Lock()
			c.n[p.File.Rel]++
			c.mu.Unlock()
			_ = whole.Get(p.Project)
			if read == "undigested" {
				_ = unitCount.Get(p.Project)
			}
			for st := range pyast.FindEach(p.Root, "import_from_statement") {
				target := p.Project.ByModule[p.Unit.Absolute(st.ChildByField("module_name").Text())]
				if target == nil {
					continue
				}
				var defined []string
				if read == "tree" {
					for _, fn := range pyast.FindAll(target.Tree.Root(), "function_definition") {
						defined = append(defined, pyast.DefName(fn))
					}
				} else {
					defined = names.Get(target, p.Project)
				}
				for _, n := range st.ChildrenByField("name") {
					if !slices.Contains(defined, n.Text()) {
						p.Reportf(n, "%s is not defined there", n.Text())
					}
				}
			}
			return nil
		},
	}
}

// helpersTree is localOnTree with a test helper module that a test imports.
func helpersTree(t *testing.T) string {
	return withHelper(t, "shop/tests/helpers.py", "shop/tests/test_orders.py", "test_order")
}

// withHelper is localOnTree with a helper module at helper, defining
// make_order, and a module at importer whose function fn imports it.
func withHelper(t *testing.T, helper, importer, fn string) string {
	dir := localOnTree(t)
	write(t, dir, helper, []byte("def make_order():\n    return 1\n"))
	write(t, dir, importer, []byte("from .helpers import make_order\n\n\ndef "+fn+"():\n    assert make_order()\n"))
	return dir
}

// A file whose phase one is reused has its bytes read, when the caller
// hands them over on demand (Config.KeptSources), only if something needs
// them: its rules run again, or a finding points into it. An edit to a
// test module's body reads that module and the files findings point
// into, each once, and no other.
func TestReusedFilesReadTheirSourcesOnDemand(t *testing.T) {
	analyzer.SkipReadCheck(t)
	dir := helpersTree(t)
	write(t, dir, "shop/quiet.py", []byte("def total(items):\n    return sum(items)\n"))
	// With a breaker in the project, NET005 reads no file (Facts.Breaker);
	// without one it reads every product file's tree at every run.
	write(t, dir, "shop/resilience.py", []byte("import pybreaker\n\nbreaker = pybreaker.CircuitBreaker(fail_max=5)\n"))
	h := newReuseHarness(t, dir)
	h.rules = slices.DeleteFunc(h.rules, func(r *analyzer.Rule) bool { return r == boomStrings }) // reads every tree
	h.kept = &keptLoads{n: map[string]int{}}
	h.check("first run")
	h.kept.take()

	// A body edit: the module's facts stay as they were.
	h.edit("shop/tests/helpers.py", func(s string) string { return strings.Replace(s, "return 1", "return 3", 1) })
	want := h.run(1, false)
	got := h.run(2, true)
	assert.Equal(t, want, got)
	loaded := h.kept.take()
	var shown struct {
		Diagnostics []struct{ Path string }
	}
	require.NoError(t, json.Unmarshal([]byte(got), &shown))
	pointed := map[string]bool{"shop/tests/helpers.py": true} // edited
	for _, d := range shown.Diagnostics {
		pointed[d.Path] = true
	}
	for rel, n := range loaded {
		assert.Equal(t, 1, n, "%s read once", rel)
		assert.True(t, pointed[rel], "%s read, but nothing points into it", rel)
	}
	assert.Contains(t, loaded, "shop/models.py", "a finding points into it")
	assert.NotContains(t, loaded, "shop/quiet.py", "a product file with no finding")
	assert.NotContains(t, got, "shop/quiet.py")
}

// The project analyses read no test module, and the rules that read them
// record the test modules they read otherwise: an edit to a test module
// runs them again on that module and on the files that read it, and on no
// product file.
func TestTestModuleEditRunsAgainOnlyWhereItIsRead(t *testing.T) {
	analyzer.SkipReadCheck(t)
	dir := helpersTree(t)
	h := newReuseHarness(t, dir)
	counter := &runsPerFile{n: map[string]int{}}
	h.rules = append(h.rules, importedHelpers(counter, false))
	h.check("first run")
	counter.take()

	h.edit("shop/tests/helpers.py", func(s string) string { return s + "\n\ndef make_refund():\n    return 2\n" })
	h.run(2, true)
	assert.Equal(t, map[string]int{"shop/tests/helpers.py": 1, "shop/tests/test_orders.py": 1}, counter.take(),
		"the edited test module and the test that imports it, nothing else")
	// The product files' trees, read by no rule in that run, are kept for
	// the next one.
	cfg := analyzer.Config{Rules: h.rules, Registry: all.Rules(), WorkDir: h.dir, ReuseKey: "test", Reuse: h.reuse}
	for _, in := range analyzer.Discover([]string{dir}, dir, nil) {
		if in.Rel == "shop/views.py" {
			src, err := os.ReadFile(in.Path)
			require.NoError(t, err)
			used, _ := h.reuse.Used()
			_, kept := used[analyzer.ReuseTreeKey(cfg, in, src)]
			assert.False(t, kept, "nothing used yet in the next run")
			_, kept = h.reuse.Get(analyzer.ReuseTreeKey(cfg, in, src))
			assert.True(t, kept, "the tree of a product file outlives a run that did not read it")
		}
	}
	h.check("a helper added")

	h.edit("shop/tests/helpers.py", func(s string) string { return strings.Replace(s, "make_order", "build_order", 1) })
	out, _ := h.check("the imported helper renamed")
	assert.Contains(t, out, "make_order is not defined there", "the importing test's finding follows the edit")
	counter.take()

	h.edit("shop/views.py", func(s string) string { return s + "\n# a comment\n" })
	h.run(2, true)
	assert.Len(t, counter.take(), 7, "an edit to product code runs them again everywhere")
}

// Under test, a rule that requires shared analyses and reads a test module
// the record does not see (its tree, straight from the index) fails there
// with an internal error; through a file analysis it is recorded and
// passes.
func TestUnrecordedReadsOfTestModulesAreChecked(t *testing.T) {
	for _, direct := range []bool{false, true} {
		dir := helpersTree(t)
		rule := importedHelpers(&runsPerFile{n: map[string]int{}}, direct)
		broken := internalErrors(t, dir, rule, "reads a test module it does not record")
		if direct {
			assert.Equal(t, []string{"shop/tests/test_orders.py"}, broken, "the test that reads the helper's tree")
		} else {
			assert.Empty(t, broken, "read through a file analysis, the helper is recorded")
		}
	}
}

// moduleCount is a project analysis with a digest: how many modules.
var moduleCount = &project.ProjectAnalysis[int]{Name: "test.moduleCount",
	Digest: func(n int) []byte { return []byte(strconv.Itoa(n)) },
	Run:    func(ix *project.Index) int { return len(ix.ByModule) }}

// definedNames is a file analysis with a digest: the functions a module
// defines, sorted.
var definedNames = &project.FileAnalysis[[]string]{Name: "test.definedNames", Digest: project.DigestStrings,
	Run: func(u *project.Unit, _ *project.Index) []string {
		var out []string
		for _, fn := range pyast.FindAll(u.Tree.Root(), "function_definition") {
			out = append(out, pyast.DefName(fn))
		}
		slices.Sort(out)
		return out
	}}

// summaryHelpers is importedHelpers as a summary rule: it requires only
// analyses with digests (read as namesRule's).
func summaryHelpers(c *runsPerFile, read string) *analyzer.Rule {
	if read == "" {
		read = "analysis"
	}
	return namesRule("ERR994", c, moduleCount, definedNames, read)
}

// summaryTree is a small project whose view imports a product helper.
func summaryTree(t *testing.T) string {
	return withHelper(t, "shop/helpers.py", "shop/orders.py", "order")
}

// helperBodyEdited runs summaryHelpers (reading as read) on summaryTree,
// edits the helper's body and runs again with reuse; the counter then
// holds the second run's runs.
func helperBodyEdited(t *testing.T, read string) (*reuseHarness, *runsPerFile) {
	analyzer.SkipReadCheck(t)
	h := newReuseHarness(t, summaryTree(t))
	counter := &runsPerFile{n: map[string]int{}}
	h.rules = append(h.rules, summaryHelpers(counter, read))
	h.check("first run")
	counter.take()
	h.edit("shop/helpers.py", func(s string) string { return strings.Replace(s, "return 1", "return 2", 1) })
	h.run(2, true)
	return h, counter
}

// A summary rule's findings on a file are kept past an edit of another
// product file while the digests of what it read there stay as they were:
// a helper's body edited runs it again on the helper alone; the helper
// renamed runs it again where it is imported, whose finding follows.
func TestSummaryRulesAreKeptPastEditsTheirDigestsIgnore(t *testing.T) {
	h, counter := helperBodyEdited(t, "")
	assert.Equal(t, map[string]int{"shop/helpers.py": 1}, counter.take(), "the edited helper alone")
	h.check("a helper's body edited")
	counter.take()

	h.edit("shop/views.py", func(s string) string { return s + "\n\ndef other(request):\n    return 1\n" })
	h.run(2, true)
	assert.Equal(t, map[string]int{"shop/views.py": 1}, counter.take(), "a file nothing imports: itself alone")
	h.check("a view added")
	counter.take()

	h.edit("shop/helpers.py", func(s string) string { return strings.Replace(s, "make_order", "build_order", 1) })
	h.run(2, true)
	assert.Equal(t, map[string]int{"shop/helpers.py": 1, "shop/orders.py": 1}, counter.take(), "the helper and its importer")
	out, _ := h.check("the helper renamed")
	assert.Contains(t, out, "make_order is not defined there", "the importer's finding follows the edit")
	counter.take()

	write(t, h.dir, "shop/extra.py", []byte("X = 1\n"))
	h.run(2, true)
	assert.Len(t, counter.take(), 8, "a module added moves moduleCount's digest: everywhere again")
	h.check("a module added")
}

// A summary rule that reads a project analysis without a digest keeps no
// record: an edit anywhere runs it again everywhere.
func TestSummaryRulesReadingUndigestedAnalysesAreNotKept(t *testing.T) {
	h, counter := helperBodyEdited(t, "undigested")
	assert.Len(t, counter.take(), 7, "every file again")
	h.check("a helper's body edited")
}

// Under test, a summary rule that reads another file's tree straight from
// the index (not recorded) fails there with an internal error.
func TestUnrecordedReadsOfSummaryRulesAreChecked(t *testing.T) {
	for _, read := range []string{"", "tree"} {
		dir := summaryTree(t)
		rule := summaryHelpers(&runsPerFile{n: map[string]int{}}, read)
		broken := internalErrors(t, dir, rule, "reads a file it does not record")
		if read == "tree" {
			assert.Equal(t, []string{"shop/orders.py", "shop/views.py"}, broken, "the files that read another's tree")
		} else {
			assert.Empty(t, broken, "read through a file analysis, the helper is recorded")
		}
	}
}

// A digest declared on an analysis whose results hold nodes is refused:
// the rule would read other files' trees through it, unrecorded.
func TestValidateRefusesDigestsOfNodes(t *testing.T) {
	nodes := &project.ProjectAnalysis[[]pyast.Node]{Name: "test.nodes", Digest: func([]pyast.Node) []byte { return nil },
		Run: func(*project.Index) []pyast.Node { return nil }}
	r := summaryHelpers(&runsPerFile{n: map[string]int{}}, "")
	r.Doc = all.ByCode("BUG036").Doc
	r.Requires = []project.Analysis{nodes}
	err := analyzer.Validate([]*analyzer.Rule{r})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "test.nodes has a Digest, but its result type []pyast.Node is not plain")
	r.Requires = []project.Analysis{moduleCount, definedNames}
	assert.NoError(t, analyzer.Validate([]*analyzer.Rule{r}))
}

// internalErrors runs rule alone on dir and returns the files where it
// failed with an internal error, each saying want.
func internalErrors(t *testing.T, dir string, rule *analyzer.Rule, want string) []string {
	t.Helper()
	cfg := analyzer.Config{Rules: append(analyzer.BuiltinRules(), rule), Registry: all.Rules(), WorkDir: dir, Jobs: 2}
	res, err := analyzer.Run(context.Background(), cfg, []string{dir})
	require.NoError(t, err)
	var broken []string
	for _, d := range res.Diagnostics {
		if d.Code == analyzer.InternalError.Code {
			broken = append(broken, d.Path)
			assert.Contains(t, d.Message, want)
		}
	}
	return broken
}
