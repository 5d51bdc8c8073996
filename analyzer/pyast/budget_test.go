package pyast

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The work meter depends on the input only: the same figure sequentially,
// from concurrent goroutines (the meter is per thread), and on a second
// run (no parser pool carries over).
func TestWorkIsAFunctionOfTheInput(t *testing.T) {
	inputs := []string{
		"import os\n\ndef f(x):\n    return [y for y in x if y]\n",
		"def f(:\n    pass\nx = (1,\n",
		strings.Repeat("try:\n", 300),
		strings.Repeat("x = (1,\n", 500),
		"",
	}
	want := make([]uint64, len(inputs))
	for i, s := range inputs {
		_, w, err := parseBudget([]byte(s), 1<<62, 0, nil)
		require.NoError(t, err)
		require.NotZero(t, w)
		want[i] = w
	}
	// Goroutines share one arena slot (a Parser's): the parse that finds
	// it busy takes an arena of its own.
	var shared arenaSlot
	defer shared.free()
	var wg sync.WaitGroup
	for round := 0; round < 4; round++ {
		for i, s := range inputs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, w, err := parseBudget([]byte(s), 1<<62, 0, &shared)
				assert.NoError(t, err)
				assert.Equal(t, want[i], w, "input %d", i)
			}()
		}
	}
	wg.Wait()
}

// Error-heavy input costs work that grows faster than its size
// (tree-sitter rebuilds ever larger error nodes); the budget stops it at a
// bound proportional to the size, with the same answer every time.
func TestWorkBudgetStopsErrorHeavyInput(t *testing.T) {
	p := NewParser()
	defer p.Close()
	for _, n := range []int{4000, 8000} {
		src := []byte(strings.Repeat("try:\n", n))
		limit := WorkLimit(len(src))
		for i := 0; i < 2; i++ {
			_, err := p.Parse(0, src)
			require.ErrorIs(t, err, ErrTooComplex, "n=%d", n)
		}
		_, work, err := parseBudget(src, limit, 0, nil)
		require.ErrorIs(t, err, ErrTooComplex)
		// tree-sitter polls every 100 parse actions: the overshoot is small.
		assert.Less(t, work, limit+limit/2, "n=%d", n)
	}
	// Below the budget the same construct parses (with errors).
	tr, err := p.Parse(0, []byte(strings.Repeat("try:\n", 100)))
	require.NoError(t, err)
	assert.True(t, tr.Root().HasError())
}

// The wall-clock backstop stops a parse the budget would allow, with its
// own error.
func TestWallClockBackstop(t *testing.T) {
	src := []byte(strings.Repeat("try:\n", 6000)) // about a second of parsing
	start := time.Now()
	_, _, err := parseBudget(src, 1<<62, time.Millisecond, nil)
	require.ErrorIs(t, err, ErrTimeout)
	assert.False(t, errors.Is(err, ErrTooComplex))
	assert.Less(t, time.Since(start), 30*time.Second)
}

// Real code stays far below its budget: every Python file under testdata,
// and under $RUBRIC_CALIBRATE when set (a directory such as a Python
// installation's lib/ folder; the figures in docs/ci.md came from the
// standard library and its site-packages). The largest work per byte is
// printed with -v.
func TestWorkLimitLeavesRealCodeAlone(t *testing.T) {
	roots := []string{"../../testdata"}
	if d := os.Getenv("RUBRIC_CALIBRATE"); d != "" {
		roots = append(roots, d)
	}
	files, worst, worstPath := 0, 0.0, ""
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".py") {
				return nil
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			_, work, err := parseBudget(scannerIndentation(src), 1<<62, 0, nil)
			require.NoError(t, err, p)
			assert.Less(t, work, WorkLimit(len(src))/4, p)
			if len(src) >= 1000 {
				if r := float64(work) / float64(len(src)); r > worst {
					worst, worstPath = r, p
				}
			}
			files++
			return nil
		})
	}
	require.NotZero(t, files)
	t.Logf("%d files; largest work per byte (files of 1 KB or more): %.1f (%s); budget %d per byte + %d", files, worst, worstPath, WorkPerByte, WorkBase)
}

// The re-encoded indentation keeps every offset, and valid code indented
// past 255 columns parses without error into the same shape as shallower
// code.
func TestScannerIndentation(t *testing.T) {
	nest := func(levels int, indent string) string {
		var b strings.Builder
		for i := 0; i < levels; i++ {
			fmt.Fprintf(&b, "%sif x:\n", strings.Repeat(indent, i))
		}
		fmt.Fprintf(&b, "%s# done\n%sreturn 1\n", strings.Repeat(indent, levels), strings.Repeat(indent, levels))
		return "def f():\n" + b.String()
	}
	for _, tc := range []struct {
		levels int
		indent string
	}{{63, "    "}, {64, "    "}, {99, "    "}, {40, "\t"}, {35, "        "}, {70, "  \t"}} {
		src := []byte(nest(tc.levels, tc.indent))
		enc := scannerIndentation(src)
		require.Len(t, enc, len(src))
		tr, err := Parse(src)
		require.NoError(t, err)
		assert.False(t, tr.Root().HasError(), "%d levels of %q", tc.levels, tc.indent)
		assert.Equal(t, src, tr.Src(), "the tree keeps the original bytes")
		assert.Len(t, FindAll(tr.Root(), "if_statement"), tc.levels)
		ret := FindAll(tr.Root(), "return_statement")
		require.Len(t, ret, 1)
		assert.Equal(t, "return 1", ret[0].Text())
		for i := range src {
			if src[i] != enc[i] {
				assert.Contains(t, " \t\f", string(src[i]), "only leading whitespace changes")
			}
		}
	}
	small := []byte("if x:\n    pass\n")
	assert.Equal(t, &small[0], &scannerIndentation(small)[0], "shallow files are passed as they are")
	assert.Zero(t, testing.AllocsPerRun(10, func() { scannerIndentation(small) }), "and cost no allocation")
}

func TestPython2Constructs(t *testing.T) {
	for src, want := range map[string]string{
		"print 'x'\n":                                 "`print` statement",
		"print >>sys.stderr, 'x'\n":                   "`print` statement",
		"exec \"code\" in ns\n":                       "`exec` statement",
		"try:\n  pass\nexcept E, e:\n  pass\n":        "`except E, name:`",
		"try:\n  pass\nexcept (A, B), err:\n  pass\n": "`except E, name:`",
		"try:\n  pass\nexcept A, _e:\n  pass\n":       "`except E, name:`",
		"x = `y`\n":                                   "backquotes (use `repr()`)",
		"if a <> b:\n  pass\n":                        "`<>` operator",
		"raise E, 'message'\n":                        "`raise E, message`",
		"def f(a, (b, c)):\n  pass\n":                 "tuple parameter",
		"x = ur'a'\n":                                 "`ur` string prefix",
		"x = 10L\n":                                   "long integer literal (`L` suffix)",
		"x = 0777\n":                                  "octal literal without `0o`",
		// Python 3 look-alikes.
		"print('x')\nprint\nx = print\n":              "",
		"exec(code)\n":                                "",
		"try:\n  pass\nexcept (A, B) as e:\n  pass\n": "",
		// Python 3.14 (PEP 758): several classes without parentheses.
		"try:\n  pass\nexcept ValueError, TypeError:\n  pass\n": "",
		"try:\n  pass\nexcept A, B, C:\n  pass\n":               "",
		"try:\n  pass\nexcept errors.A, errors.B:\n  pass\n":    "",
		"x = rb'a' + u'b' + f'{c}' + Rb'd'\n":                   "",
		"x = 0 + 00 + 0o777 + 0x1F + 1e5 + 0_0\n":               "",
		"raise E('x') from e\n":                                 "",
		"def f(a, b=(1, 2), *c):\n  pass\nlambda a, b: a\n":     "",
	} {
		tr, err := Parse([]byte(src))
		require.NoError(t, err)
		n, got := Python2(tr.Root())
		assert.Equal(t, want, got, "%q", src)
		assert.Equal(t, want == "", n.IsNil(), "%q", src)
	}
}

// A parse takes its memory from an arena (rb_arena) and gives it back in
// one piece; past the arena's cap it takes the rest from malloc and the
// tree is deleted the usual way. Either way the tree is the one a parse
// with plain malloc gives (the tree-sitter binding's parser, which runs
// outside any arena), and arenas reused from parse to parse hand out the
// same trees.
func TestArenaParseMatchesPlainParse(t *testing.T) {
	srcs := []string{
		"import os\n\ndef f(x):\n    return [y for y in x if y]\n",
		"def f(:\n    pass\nx = (1,\n",
		strings.Repeat("x = f(y)\n", 5000), // several chunks
		strings.Repeat("try:\n", 150),
		strings.Repeat("x = {'a': [1, (2, 3)], **b}\n", 300),
	}
	defer setArenaCap(0)
	// Rounds 0 and 2 parse in arenas of their own, 1 and 3 in one kept
	// from parse to parse (a Parser's).
	var kept arenaSlot
	defer kept.free()
	overflows := arenaOverflows()
	for round := 0; round < 4; round++ {
		// Rounds 2 and 3: past 256 KB, the rest comes from malloc.
		small := round >= 2
		if small {
			setArenaCap(256 << 10)
		}
		var slot *arenaSlot
		if round%2 == 1 {
			slot = &kept
		}
		for i, s := range srcs {
			before := arenaOverflows()
			got, work, err := parseBudget([]byte(s), 1<<62, 0, slot)
			require.NoError(t, err)
			assert.Equal(t, small && work > 256<<10, arenaOverflows() > before, "input %d, round %d, work %d", i, round, work)
			p := sitter.NewParser()
			p.SetLanguage(Language())
			st, err := p.ParseCtx(context.Background(), nil, []byte(s))
			require.NoError(t, err)
			want := convert(st, []byte(s))
			st.Close()
			p.Close()
			require.Equal(t, len(want.data().nodes), len(got.data().nodes))
			for i := range got.data().nodes {
				require.Equal(t, want.data().nodes[i], got.data().nodes[i], "node %d", i)
			}
			assert.Equal(t, want.data().far, got.data().far)
		}
	}
	assert.GreaterOrEqual(t, arenaOverflows()-overflows, uint64(4), "two inputs each overflow in rounds 2 and 3")
}

// `except A, B, C:` is valid Python 3.14 (PEP 758) that the grammar
// breaks on at the third name: not a broken file. Real errors, anywhere,
// still are, as is the list with `as` (which needs parentheses).
func TestPEP758Only(t *testing.T) {
	for src, want := range map[string]bool{
		"try:\n    f()\nexcept ValueError, TypeError, KeyError:\n    pass\n":        true,
		"try:\n    f()\nexcept ValueError, TypeError, a.B, C, D:\n    pass\n":       true,
		"try:\n    f()\nexcept ValueError, TypeError:\n    pass\n":                  false, // parses: no error at all
		"try:\n    f()\nexcept ValueError, TypeError, KeyError as e:\n    pass\n":   false,
		"try:\n    f()\nexcept ValueError, TypeError, KeyError:\n    pass\nx = (\n": false,
		"def f(:\n    pass\n": false,
	} {
		tr, err := Parse([]byte(src))
		require.NoError(t, err)
		assert.Equal(t, want, PEP758Only(tr.Root()), "%q", src)
	}
}
