package source

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refLines is a table of every line start, the form File kept before its
// marks: positions, line starts and lines must read the same from both.
func refLines(src []byte) []int {
	lines := []int{0}
	for i, b := range src {
		if b == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func TestPositionsMatchAFullLineTable(t *testing.T) {
	var srcs []string
	for _, n := range []int{0, 1, lineStep - 1, lineStep, lineStep + 1, 2 * lineStep, 5*lineStep + 3} {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(strings.Repeat("é", i%3) + "x = 1  # 😀\r\n"[i%2*4:])
		}
		srcs = append(srcs, b.String(), b.String()+"tail", strings.Repeat("\n", n))
	}
	for _, s := range srcs {
		src := []byte(s)
		f := New("f.py", "f.py", src)
		lines := refLines(src)
		for off := -1; off <= len(src)+1; off++ {
			o := min(max(off, 0), len(src))
			li := 0
			for li+1 < len(lines) && lines[li+1] <= o {
				li++
			}
			seg := src[lines[li]:o]
			col16 := 1
			for _, r := range string(seg) {
				col16++
				if r >= 0x10000 {
					col16++
				}
			}
			want := Position{Offset: o, Line: li + 1, Column: 1 + utf8.RuneCount(seg), Column16: col16}
			require.Equal(t, want, f.Position(off), "offset %d of %q", off, s)
		}
		for n := -1; n <= len(lines)+2; n++ {
			wantStart, wantLine := 0, []byte(nil)
			switch {
			case n < 1:
			case n > len(lines):
				wantStart = len(src)
			default:
				wantStart = lines[n-1]
				end := len(src)
				if n < len(lines) {
					end = lines[n] - 1
				}
				wantLine = bytes.TrimRight(src[wantStart:end], "\r")
			}
			assert.Equal(t, wantStart, f.LineStart(n), "line start %d of %q", n, s)
			assert.Equal(t, wantLine, f.Line(n), "line %d of %q", n, s)
		}
	}
}
