package pyast

import "sort"

// scannerIndentation works around a limit of tree-sitter-python's external
// scanner: it saves its stack of indentation widths one byte per level
// (tree_sitter_python_external_scanner_serialize), so a block indented 256
// columns or more (64 levels of four spaces) wraps around and valid code
// parses as a syntax error. The fix belongs in the grammar; until the
// pinned grammar has it, src is handed to the parser with every line's
// leading whitespace re-encoded, byte for byte the same length, so that
// the scanner sees each width replaced by its rank among the file's
// widths (order, and so every INDENT and DEDENT, is preserved). Form feeds
// pad the difference: the scanner resets its count at '\f', and the
// grammar treats it as whitespace. Offsets are unchanged, so the tree fits
// the original bytes. src itself is returned when no width reaches 256, or
// when the file has too many distinct widths (or tab-indented lines too
// short) for the re-encoding to fit.
func scannerIndentation(src []byte) []byte {
	// Almost every file indents by less than 256 columns: a first scan
	// that allocates nothing says so.
	if indentRuns(src, nil) < 256 {
		return src
	}
	var runs []indentRun
	indentRuns(src, func(r indentRun) { runs = append(runs, r) })
	widths := map[int]bool{0: true}
	for _, r := range runs {
		widths[r.width] = true
	}
	if len(widths) > 256 {
		return src
	}
	sorted := make([]int, 0, len(widths))
	for w := range widths {
		sorted = append(sorted, w)
	}
	sort.Ints(sorted)
	rank := make(map[int]int, len(sorted))
	for i, w := range sorted {
		rank[w] = i
	}
	out := append([]byte(nil), src...)
	for _, r := range runs {
		k := rank[r.width]
		tabs, spaces := k/8, k%8
		n := r.end - r.start
		if tabs+spaces > n {
			return src
		}
		b := out[r.start:r.end]
		pad := n - tabs - spaces
		for j := range b {
			switch {
			case j < pad:
				b[j] = '\f'
			case j < pad+tabs:
				b[j] = '\t'
			default:
				b[j] = ' '
			}
		}
	}
	return out
}

// indentRun is the indentation of one line: src[start:end], width columns
// wide (a tab counts 8).
type indentRun struct{ start, end, width int }

// indentRuns calls each (when not nil) with the indentation of every
// indented line of src, in order, and returns the widest.
func indentRuns(src []byte, each func(indentRun)) int {
	maxWidth := 0
	for i := 0; i <= len(src); {
		start, w := i, 0
		for i < len(src) {
			switch src[i] {
			case ' ':
				w++
			case '\t':
				w += 8
			case '\f', '\r':
				// The count restarts here: only what follows matters, and
				// the reset characters themselves are left alone.
				w, start = 0, i+1
			default:
				goto done
			}
			i++
		}
	done:
		if i > start {
			if each != nil {
				each(indentRun{start, i, w})
			}
			maxWidth = max(maxWidth, w)
		}
		for i < len(src) && src[i] != '\n' {
			i++
		}
		i++ // past the newline
	}
	return maxWidth
}
