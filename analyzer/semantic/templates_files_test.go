package semantic

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
}

func TestListTemplates(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"shop/views.py":                      "",
		"shop/templates/shop/list.html":      "{{ x }}",
		"shop/templates/shop/.hidden.html":   "",
		"templates/base.html":                "base",
		"templates/admin/x.html":             "",
		"other/templates/unrelated.html":     "", // no Python file at or below other/
		"shop/sub/templates/deep/inner.html": "", // below the Python file: not its app
	})
	require.NoError(t, os.Symlink(filepath.Join(dir, "templates/base.html"), filepath.Join(dir, "templates/link.html")))
	refs := []SourceRef{{Path: filepath.Join(dir, "shop/views.py"), Rel: "shop/views.py", RootRel: "shop/views.py"}}
	var got []string
	for _, f := range ListTemplates(refs) {
		got = append(got, f.Path+" = "+f.Name)
	}
	assert.Equal(t, []string{
		"shop/templates/shop/list.html = shop/list.html",
		"templates/admin/x.html = admin/x.html",
		"templates/base.html = base.html",
	}, got)

	// The display path follows the Python file's: a run from inside the
	// tree shows `..`.
	refs = []SourceRef{{Path: filepath.Join(dir, "shop/views.py"), Rel: "views.py", RootRel: "shop/views.py"}}
	byName := map[string]TemplateFile{}
	for _, f := range ListTemplates(refs) {
		byName[f.Name] = f
	}
	require.Len(t, byName, 3)
	assert.Equal(t, "templates/shop/list.html", byName["shop/list.html"].Path)
	assert.Equal(t, "../templates/admin/x.html", byName["admin/x.html"].Path)
	base := byName["base.html"]
	src, err := os.ReadFile(filepath.Join(base.Root, base.Rel))
	require.NoError(t, err)
	assert.Equal(t, "base", string(src))
}

func TestResolveTemplate(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a/views.py":                         "",
		"b/views.py":                         "",
		"a/templates/shared.html":            "from a",
		"b/templates/shared.html":            "from b",
		"a/templates/oscar/dashboard/x.html": "{% include './y.html' %}",
		"a/templates/oscar/dashboard/y.html": "y",
		"templates/big.html":                 string(make([]byte, MaxTemplateSize+1)),
	})
	var refs []SourceRef
	for _, p := range []string{"a/views.py", "b/views.py"} {
		refs = append(refs, SourceRef{Path: filepath.Join(dir, p), Rel: p, RootRel: p})
	}
	set := NewTemplateSet(ListTemplates(refs))
	tpl, suffix := set.Resolve("shared.html", "b/views.py", "")
	require.NotNil(t, tpl)
	assert.Equal(t, "from b", string(tpl.Src), "the nearest templates directory wins")
	assert.False(t, suffix)
	tpl, _ = set.Resolve("shared.html", "a/views.py", "")
	assert.Equal(t, "from a", string(tpl.Src))

	tpl, suffix = set.Resolve("dashboard/x.html", "a/views.py", "")
	require.NotNil(t, tpl, "a name found by its end")
	assert.True(t, suffix)
	inc, _ := set.Resolve("./y.html", tpl.Path, tpl.Name)
	require.NotNil(t, inc, "a relative name")
	assert.Equal(t, "oscar/dashboard/y.html", inc.Name)

	tpl, _ = set.Resolve("big.html", "a/views.py", "")
	assert.Nil(t, tpl, "larger than MaxTemplateSize")
	tpl, _ = set.Resolve("nowhere.html", "a/views.py", "")
	assert.Nil(t, tpl)
	var none *TemplateSet
	tpl, _ = none.Resolve("shared.html", "a/views.py", "")
	assert.Nil(t, tpl)
}
