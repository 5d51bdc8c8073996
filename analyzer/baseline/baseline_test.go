package baseline_test

import (
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
	path := filepath.Join(t.TempDir(), "b.json")
	require.NoError(t, baseline.Write(path, result("except:\n", "except:")))
	b, err := baseline.Read(path)
	require.NoError(t, err)
	r := result("x = 1\nexcept:\nexcept:\n", "except:")
	assert.Equal(t, 1, b.Filter(r))
	require.Len(t, r.Diagnostics, 1)
	assert.Equal(t, 3, r.Diagnostics[0].Pos.Line, "the second identical finding is new")
}
