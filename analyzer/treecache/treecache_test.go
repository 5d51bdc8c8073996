package treecache_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/treecache"
)

func TestGetPutAndCorruption(t *testing.T) {
	c := treecache.Open(t.TempDir())
	src := []byte("def f(x):\n    return x.y\n")
	assert.Nil(t, c.Get(src))
	tr, err := pyast.Parse(src)
	require.NoError(t, err)
	c.Put(src, tr)
	got := c.Get(src)
	require.NotNil(t, got)
	assert.Equal(t, tr.NodeCount(), got.NodeCount())
	assert.Nil(t, c.Get([]byte("other = 1\n")))

	// A corrupted entry is a miss (and is removed), never a broken tree.
	var entry string
	filepath.WalkDir(c.Root(), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			entry = p
		}
		return nil
	})
	require.NotEmpty(t, entry)
	require.NoError(t, os.WriteFile(entry, []byte{0xff, 0x01, 0x02}, 0o644))
	assert.Nil(t, c.Get(src))
	_, err = os.Stat(entry)
	assert.True(t, os.IsNotExist(err))
}

// The cache changes nothing in the findings: a run with cold and warm
// caches yields the same diagnostics as a run without.
func TestRunWithTreeCacheIsIdentical(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"app/models.py": "from django.db import models\n\nclass A(models.Model):\n    b = models.ForeignKey('B', on_delete=models.CASCADE)\n\nclass B(models.Model):\n    name = models.CharField(max_length=9)\n",
		"app/views.py":  "from .models import A\n\ndef v():\n    for a in A.objects.all():\n        print(a.b.name)\n    try:\n        pass\n    except:\n        pass\n",
		"app/broken.py": "def f(:\n",
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	rules := analyzer.BuiltinRules()
	run := func(trees analyzer.TreeCache) []analyzer.Diagnostic {
		res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: rules, WorkDir: dir, Jobs: 2, Trees: trees}, []string{dir})
		require.NoError(t, err)
		return res.Diagnostics
	}
	want := run(nil)
	c := treecache.Open(t.TempDir())
	assert.Equal(t, want, run(c), "cold cache")
	assert.Equal(t, want, run(c), "warm cache")
}
