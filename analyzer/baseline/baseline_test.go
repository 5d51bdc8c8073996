package baseline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/baseline"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// result flags every occurrence of needle in src.
func result(src, needle string) *analyzer.Result {
	f := source.New("m.py", "m.py", []byte(src))
	r := &analyzer.Result{Files: map[string]*source.File{"m.py": f}}
	for off := 0; ; {
		i := strings.Index(src[off:], needle)
		if i < 0 {
			break
		}
		d := analyzer.Diagnostic{Code: "ERR001", Path: "m.py", Range: analyzer.Range{Start: off + i, End: off + i + len(needle)}, Message: "m"}
		d.Pos, d.EndPos = f.Position(d.Start), f.Position(d.End)
		r.Diagnostics = append(r.Diagnostics, d)
		off += i + len(needle)
	}
	return r
}

func TestFingerprintsIgnoreLineShiftsAndIndentation(t *testing.T) {
	a := baseline.Fingerprints(result("try:\n    f()\nexcept:\n    pass\n", "except:"))
	b := baseline.Fingerprints(result("import os\n\n\nif x:\n  try:\n      f()\n  except:\n      pass\n", "except:"))
	assert.Equal(t, a, b)
}

func TestIdenticalLinesGetOccurrenceIndexes(t *testing.T) {
	fps := baseline.Fingerprints(result("except:\nexcept:\n", "except:"))
	require.Len(t, fps, 2)
	assert.NotEqual(t, fps[0], fps[1])
}

func TestWriteReadFilter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.json")
	require.NoError(t, baseline.Write(path, dir, result("except:\n", "except:")))
	b, err := baseline.Read(path)
	require.NoError(t, err)
	r := result("x = 1\nexcept:\nexcept:\n", "except:")
	assert.Equal(t, 1, b.Filter(r, dir))
	require.Len(t, r.Diagnostics, 1)
	assert.Equal(t, 3, r.Diagnostics[0].Pos.Line, "the second identical finding is new")
}

// resultAt is result with its one file displayed as path.
func resultAt(path, src, needle string) *analyzer.Result {
	r := result(src, needle)
	f := r.Files["m.py"]
	r.Files = map[string]*source.File{path: f}
	for i := range r.Diagnostics {
		r.Diagnostics[i].Path = path
	}
	return r
}

// A baseline names files relative to its own directory: written from the
// project's directory (`rubric check .`), it holds for a run from the
// directory above (`rubric check proj`) and for one given an absolute
// path, and it records the path a reader of the file expects.
func TestBaselineHoldsFromAnyWorkingDirectory(t *testing.T) {
	top := t.TempDir()
	proj := filepath.Join(top, "proj")
	path := filepath.Join(proj, "rubric-baseline.json")
	require.NoError(t, os.MkdirAll(proj, 0o755))
	src := "try:\n    f()\nexcept:\n    pass\n"
	require.NoError(t, baseline.Write(path, proj, resultAt("shop/m.py", src, "except:")))
	b, err := baseline.Read(path)
	require.NoError(t, err)
	require.Len(t, b.Findings, 1)
	assert.Equal(t, "shop/m.py", b.Findings[0].Path)

	above := resultAt("proj/shop/m.py", src, "except:")
	assert.Equal(t, 1, b.Filter(above, top), "run from the directory above")
	assert.Empty(t, above.Diagnostics)

	abs := resultAt(filepath.ToSlash(filepath.Join(proj, "shop", "m.py")), src, "except:")
	assert.Equal(t, 1, b.Filter(abs, t.TempDir()), "run on an absolute path from elsewhere")

	other := resultAt("proj/other/m.py", src, "except:")
	assert.Equal(t, 0, b.Filter(other, top), "the same line in another file is a new finding")
}
