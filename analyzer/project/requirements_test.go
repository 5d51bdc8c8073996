package project_test

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/project"
)

func writeTree(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	return dir
}

func names(d project.Declared) []string {
	var out []string
	for n := range d.Names {
		out = append(out, n)
	}
	for n := range d.Extras {
		out = append(out, "["+n+"]")
	}
	sort.Strings(out)
	return out
}

func TestDeclaredPackages(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string][]byte
		want   []string
		opaque bool
	}{
		{"requirements with an include, extras, markers, hashes and a UTF-16 freeze", map[string][]byte{
			"requirements.txt":      []byte("-r requirements/base.txt\n--index-url https://pypi.org/simple\ncelery[redis,sqs]==5.3 ; python_version >= '3.8'\nDjango_Filter>=23  # filters\nrequests==2.31 \\\n    --hash=sha256:abc\n"),
			"requirements/base.txt": []byte("Django==4.2\n"),
			"backend/req.txt":       utf16LE("PyJWT==2.8\r\n", true),
			"venv/requirements.txt": []byte("numpy\n"),
		}, []string{"[redis]", "[sqs]", "celery", "django", "django-filter", "pyjwt", "requests"}, false},
		{"pyproject (PEP 621 arrays over lines, optional dependencies, Poetry tables) and Pipfile", map[string][]byte{
			"pyproject.toml": []byte("[project]\nname = \"shop\"\ndependencies = [\n  \"Django>=4.2\",\n  \"drf-yasg[validation]==1.21\",\n]\n\n[project.optional-dependencies]\ndev = [\"pytest-django\"]\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nstripe = {version = \"^7\", extras = [\"async\"]}\n"),
			"Pipfile":        []byte("[packages]\ngunicorn = \"*\"\n\n[requires]\npython_version = \"3.11\"\n"),
		}, []string{"[async]", "[validation]", "django", "drf-yasg", "gunicorn", "pytest-django", "stripe"}, false},
		{"setup.py, setup.cfg and a Dockerfile's pip install", map[string][]byte{
			"setup.py":   []byte("setup(name='shop', install_requires=['Django>=4.2', \"celery\"], extras_require={'s3': ['boto3']})\n"),
			"setup.cfg":  []byte("[options]\ninstall_requires =\n    redis>=5\n"),
			"Dockerfile": []byte("RUN pip install --no-cache-dir -r requirements.txt && pip install gunicorn==21 \\\n    psycopg2-binary\n"),
		}, []string{"boto3", "celery", "django", "gunicorn", "psycopg2-binary", "redis"}, false},
		{"an editable install of the project and a URL without a name are opaque", map[string][]byte{
			"requirements.txt": []byte("-e .\nhttps://github.com/celery/celery/archive/main.zip\ngit+https://github.com/a/b.git#egg=thing\n"),
		}, []string{"thing"}, true},
		{"a missing include is opaque", map[string][]byte{
			"requirements.txt": []byte("-r base.txt\nDjango\n"),
		}, []string{"django"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := project.DeclaredPackages(writeTree(t, tc.files))
			assert.Equal(t, tc.want, names(d))
			assert.Equal(t, tc.opaque, d.Opaque)
			assert.True(t, d.Has("Django_Filter") == d.Names["django-filter"])
			assert.NotEmpty(t, d.Files)
		})
	}
	none := project.DeclaredPackages(writeTree(t, map[string][]byte{"app/models.py": []byte("x = 1\n")}))
	assert.Empty(t, none.Files)
}

// An include read through a linked directory could be any file of the
// machine: it is not read, and the list is opaque (ARC007 then judges
// nothing). The same include through a real directory is read.
func TestDeclaredPackagesReadsNoIncludeThroughALink(t *testing.T) {
	outside := writeTree(t, map[string][]byte{"base.txt": []byte("requests==2.31.0\n")})
	dir := writeTree(t, map[string][]byte{
		"requirements.txt": []byte("-r reqs/base.txt\nDjango==4.2\n"),
		"real/base.txt":    []byte("celery==5.3\n"),
	})
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "reqs")))
	d := project.DeclaredPackages(dir)
	assert.False(t, d.Names["requests"], "read through the link")
	assert.True(t, d.Opaque)
	assert.True(t, d.Names["django"])

	require.NoError(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("-r real/base.txt\nDjango==4.2\n"), 0o644))
	d = project.DeclaredPackages(dir)
	assert.True(t, d.Names["celery"])
	assert.False(t, d.Opaque)
}

func TestDeclaredAt(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	write("requirements.txt", "# django-rest-framework is not this\n-r requirements/base.txt\nDjango_Rest-Framework==0.1.0  # the placeholder\n")
	write("requirements/base.txt", "Django==4.2\n\ncelery[redis]==5.3\n")
	write("poetry.lock", "[[package]]\nname = \"kombu\"\n")
	d := project.DeclaredPackages(root)
	assert.Equal(t, project.DeclaredAt{Rel: "requirements.txt", Line: 3}, d.At["django-rest-framework"])
	assert.Equal(t, project.DeclaredAt{Rel: "requirements/base.txt", Line: 1}, d.At["django"])
	assert.Equal(t, project.DeclaredAt{Rel: "requirements/base.txt", Line: 3}, d.At["celery"])
	_, locked := d.At["kombu"]
	assert.True(t, d.Names["kombu"])
	assert.False(t, locked, "a name only a lock file lists has no place")
}
