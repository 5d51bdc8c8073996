package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/internal/config"
)

// --watch checks again when a template changes: the template rule reads
// templates as the Python files they sit next to.
func TestWatchFingerprintCoversTemplates(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "shop", "templates", "shop", "list.html")
	require.NoError(t, os.MkdirAll(filepath.Dir(tpl), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shop", "views.py"), []byte("x = 1\n"), 0o644))
	require.NoError(t, os.WriteFile(tpl, []byte("{{ a }}"), 0o644))
	r := &checkRun{args: []string{dir}, wd: dir, eff: &config.Effective{}}
	before := r.fingerprint()
	assert.Equal(t, before, r.fingerprint())
	require.NoError(t, os.WriteFile(tpl, []byte("{{ a.b }}"), 0o644))
	assert.NotEqual(t, before, r.fingerprint())
}
