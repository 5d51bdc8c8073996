package cache_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/internal/cache"
)

func inputs(t *testing.T, dir string, files map[string]string) []analyzer.Input {
	var out []analyzer.Input
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		out = append(out, analyzer.Input{Path: p, Rel: name, RootRel: name})
	}
	return out
}

func TestKeyAndRoundTrip(t *testing.T) {
	dir, cdir := t.TempDir(), t.TempDir()
	in := inputs(t, dir, map[string]string{"a.py": "x = 1\n"})
	s1, err := cache.Take(in, "0.1.0", "cfg", 0, 2)
	require.NoError(t, err)
	assert.Nil(t, cache.Load(cdir, s1))

	e := &cache.Entry{Diagnostics: []analyzer.Diagnostic{{Code: "ERR001", Path: "a.py", Message: "m", Fixes: []analyzer.Fix{{Message: "f"}}}}, Stats: analyzer.Stats{Files: 1}}
	require.NoError(t, cache.Store(cdir, s1, e))
	got := cache.Load(cdir, s1)
	require.NotNil(t, got)
	assert.Equal(t, e.Diagnostics, got.Diagnostics)
	res := s1.Result(got, nil)
	assert.Equal(t, "x = 1\n", string(res.Files["a.py"].Src))

	s2, _ := cache.Take(in, "0.1.0", "other cfg", 0, 2)
	assert.NotEqual(t, s1.Key, s2.Key)
	s3, _ := cache.Take(in, "0.2.0", "cfg", 0, 2)
	assert.NotEqual(t, s1.Key, s3.Key)
	require.NoError(t, os.WriteFile(in[0].Path, []byte("x = 2\n"), 0o644))
	s4, _ := cache.Take(in, "0.1.0", "cfg", 0, 2)
	assert.NotEqual(t, s1.Key, s4.Key)
}
