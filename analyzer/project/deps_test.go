package project_test

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/project"
)

func utf16LE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func TestDecodeText(t *testing.T) {
	const text = "Django==4.2.1\nrequests==2.31.0\n"
	assert.Equal(t, text, project.DecodeText(utf16LE(text, true)))
	assert.Equal(t, text, project.DecodeText(utf16LE(text, false)), "PowerShell's redirection writes no BOM")
	be := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(text)) {
		be = append(be, byte(u>>8), byte(u))
	}
	assert.Equal(t, text, project.DecodeText(be))
	assert.Equal(t, text, project.DecodeText(append([]byte{0xEF, 0xBB, 0xBF}, text...)))
	assert.Equal(t, text, project.DecodeText([]byte(text)))
}

func TestDeclaredDjango(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string][]byte
		want  string
		path  string
	}{
		"pinned":          {map[string][]byte{"requirements.txt": []byte("requests\nDjango==4.2.11  # LTS\n")}, "4.2", "requirements.txt"},
		"utf-16":          {map[string][]byte{"requirements.txt": utf16LE("asgiref==3.7.2\nDjango==2.2.28\n", true)}, "2.2", "requirements.txt"},
		"range":           {map[string][]byte{"requirements/base.txt": []byte("django>=3.2,<5.0\n")}, "3.2", "requirements/base.txt"},
		"extras":          {map[string][]byte{"requirements.txt": []byte("django[argon2]~=5.0.1\n")}, "5.0", "requirements.txt"},
		"unpinned":        {map[string][]byte{"requirements.txt": []byte("django\ndjango-environ==0.11\ndjangorestframework==3.14\n")}, "unknown", ""},
		"pep621":          {map[string][]byte{"pyproject.toml": []byte("[project]\ndependencies = [\n  \"Django>=4.2\",\n]\n")}, "4.2", "pyproject.toml"},
		"poetry":          {map[string][]byte{"pyproject.toml": []byte("[tool.poetry.dependencies]\npython = \"^3.11\"\ndjango = \"^5.1\"\n")}, "5.1", "pyproject.toml"},
		"poetry table":    {map[string][]byte{"pyproject.toml": []byte("[tool.poetry.dependencies]\nDjango = { version = \">=4.1,<5\", extras = [\"bcrypt\"] }\n")}, "4.1", "pyproject.toml"},
		"pipfile":         {map[string][]byte{"Pipfile": []byte("[packages]\ndjango = \"==3.2.*\"\n")}, "3.2", "Pipfile"},
		"poetry lock":     {map[string][]byte{"pyproject.toml": []byte("[tool.poetry.dependencies]\ndjango = \"*\"\n"), "poetry.lock": []byte("[[package]]\nname = \"django\"\nversion = \"4.2.7\"\n")}, "4.2", "poetry.lock"},
		"pipfile lock":    {map[string][]byte{"Pipfile.lock": []byte("{\"default\": {\n  \"django\": {\n    \"hashes\": [],\n    \"version\": \"==5.0.2\"\n  }\n}}\n")}, "5.0", "Pipfile.lock"},
		"setup.cfg":       {map[string][]byte{"setup.cfg": []byte("[options]\ninstall_requires =\n    Django>=2.2\n")}, "2.2", "setup.cfg"},
		"lowest of files": {map[string][]byte{"requirements.txt": []byte("Django==5.0\n"), "requirements-old.txt": []byte("Django==3.2\n")}, "3.2", "requirements-old.txt"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for rel, data := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, data, 0o644))
			}
			v := project.DeclaredDjango(dir)
			assert.Equal(t, tc.want, v.String())
			assert.Equal(t, tc.path, v.Path)
		})
	}
	assert.True(t, project.DjangoVersion{}.AtLeast(5, 0), "unknown: benefit of the doubt")
	assert.False(t, project.DjangoVersion{Major: 4, Minor: 2}.AtLeast(5, 0))
	assert.True(t, project.DjangoVersion{Major: 5, Minor: 1}.AtLeast(5, 0))
}
