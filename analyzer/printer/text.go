package printer

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rubric-dev/rubric/analyzer"
)

// Text is the human format, after ruff's: a location line, a code frame
// with the range underlined, and a help line.
type Text struct{ opts Options }

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

func (p *Text) c(code, s string) string {
	if !p.opts.Color {
		return s
	}
	return code + s + ansiReset
}

func (p *Text) sevColor(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return ansiRed
	case analyzer.Warning:
		return ansiYellow
	}
	return ansiBlue
}

// Print writes every diagnostic and a summary line.
func (p *Text) Print(w io.Writer, r *analyzer.Result) error {
	bw := bufio.NewWriter(w)
	for _, d := range r.Diagnostics {
		// Paths, messages and source lines come from the submission:
		// their control characters are escaped (EscapeControls).
		fmt.Fprintf(bw, "%s:%d:%d: %s %s",
			p.c(ansiBold, EscapePath(d.Path)), d.Pos.Line, d.Pos.Column,
			p.c(ansiBold+p.sevColor(d.Severity), d.Code), strings.ReplaceAll(EscapeControls(d.Message), "\n", "\n    "))
		if d.Confidence != 0 && d.Confidence != analyzer.High {
			fmt.Fprintf(bw, " %s", p.c(ansiDim, "("+d.Confidence.String()+" confidence)"))
		}
		bw.WriteString("\n")
		p.frame(bw, r, d)
		if d.Help != "" {
			for i, l := range strings.Split(EscapeControls(d.Help), "\n") {
				if i == 0 {
					fmt.Fprintf(bw, "  %s %s\n", p.c(ansiCyan+ansiBold, "= help:"), l)
				} else {
					fmt.Fprintf(bw, "          %s\n", l)
				}
			}
		}
		for i, rel := range d.Related {
			if i == maxNotes && len(d.Related) > maxNotes+1 {
				// A collapsed finding (analyzer.Aggregate) may carry
				// hundreds of locations; the JSON output keeps them all.
				fmt.Fprintf(bw, "  %s and %d more\n", p.c(ansiCyan+ansiBold, "= note:"), len(d.Related)-maxNotes)
				break
			}
			fmt.Fprintf(bw, "  %s %s:%d:%d: %s\n", p.c(ansiCyan+ansiBold, "= note:"), EscapePath(rel.Path), rel.Pos.Line, rel.Pos.Column, EscapeControls(rel.Message))
		}
		for _, f := range d.Fixes {
			fmt.Fprintf(bw, "  %s %s\n", p.c(ansiCyan+ansiBold, fixLabel(f.Applicability)), EscapeControls(f.Message))
		}
		bw.WriteString("\n")
	}
	if !p.opts.Quiet {
		p.summary(bw, r)
	}
	return bw.Flush()
}

const maxFrameLines = 4

// maxNotes bounds the related locations printed per finding.
const maxNotes = 3

func (p *Text) frame(w *bufio.Writer, r *analyzer.Result, d analyzer.Diagnostic) {
	f := r.Files[d.Path]
	if f == nil || len(f.Src()) == 0 || d.Pos.Line == 0 {
		return
	}
	first, last := d.Pos.Line, d.EndPos.Line
	if last < first {
		last = first
	}
	// A range ending at column 1 does not really touch its last line.
	if last > first && d.EndPos.Column == 1 {
		last--
	}
	shown := last
	if shown-first+1 > maxFrameLines {
		shown = first + maxFrameLines - 1
	}
	width := len(strconv.Itoa(shown))
	gutter := strings.Repeat(" ", width+1) + "|"
	fmt.Fprintf(w, "%s\n", p.c(ansiBlue, gutter))
	for ln := first; ln <= shown; ln++ {
		text := expandTabs(EscapeControls(string(f.Line(ln))))
		// Underline: from the start column on the first line, to the end
		// column on the last, the whole text in between.
		startCol, endCol := 1, utf8.RuneCountInString(text)+1
		raw := string(f.Line(ln))
		if ln == first {
			startCol = displayCol(raw, d.Pos.Column)
		}
		if ln == last {
			endCol = displayCol(raw, d.EndPos.Column)
		}
		if ln != first && ln != last {
			// Skip leading indentation on middle lines.
			startCol = len(text) - len(strings.TrimLeft(text, " ")) + 1
		}
		text, startCol, endCol = clipLine(text, startCol, endCol)
		fmt.Fprintf(w, "%s %s\n", p.c(ansiBlue, fmt.Sprintf("%*d |", width, ln)), text)
		n := endCol - startCol
		if n < 1 {
			n = 1
		}
		marker := strings.Repeat(" ", startCol-1) + strings.Repeat("^", n)
		if ln == first {
			marker += " " + d.Code
		}
		fmt.Fprintf(w, "%s %s\n", p.c(ansiBlue, gutter), p.c(ansiBold+p.sevColor(d.Severity), marker))
	}
	if shown < last {
		fmt.Fprintf(w, "%s %s\n", p.c(ansiBlue, gutter), p.c(ansiDim, fmt.Sprintf("... %d more lines", last-shown)))
	}
	fmt.Fprintf(w, "%s\n", p.c(ansiBlue, gutter))
}

// maxFrameWidth bounds the columns of a line a code frame shows: a
// minified or generated line of a megabyte would otherwise fill the
// terminal with one finding.
const maxFrameWidth = 160

// clipLine returns the part of a displayed line that a frame shows, with
// the underline's columns (1-based, end exclusive) moved to match: the
// whole line when it fits in maxFrameWidth columns; otherwise a window of
// that width that starts a little before the underline, with "…" where
// the line was cut.
func clipLine(text string, startCol, endCol int) (string, int, int) {
	runes := []rune(text)
	if len(runes) <= maxFrameWidth {
		return text, startCol, endCol
	}
	lo := max(0, startCol-1-maxFrameWidth/4)
	hi := min(len(runes), lo+maxFrameWidth)
	lo = max(0, hi-maxFrameWidth)
	out := string(runes[lo:hi])
	shift := lo
	if lo > 0 {
		out = "…" + out
		shift-- // the "…" takes a column
	}
	if hi < len(runes) {
		out += "…"
	}
	limit := utf8.RuneCountInString(out) + 1
	startCol = min(max(startCol-shift, 1), limit)
	endCol = min(max(endCol-shift, startCol), limit)
	return out, startCol, endCol
}

// displayCol maps a 1-based code-point column of raw to a column of the
// displayed text: tabs expanded, escaped characters as wide as their
// escape. Invalid UTF-8 bytes count one column each, as in positions.
func displayCol(raw string, col int) int {
	out := 1
	i := 1
	for off := 0; off < len(raw); {
		if i >= col {
			break
		}
		r, size := utf8.DecodeRuneInString(raw[off:])
		if r == '\t' {
			out += 4
		} else {
			out += escapedWidth(r, size, raw[off])
		}
		off += size
		i++
	}
	if col > i {
		out += col - i
	}
	return out
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

func (p *Text) summary(w *bufio.Writer, r *analyzer.Result) {
	counts := map[analyzer.Severity]int{}
	for _, d := range r.Diagnostics {
		counts[d.Severity]++
	}
	files := plural(r.Stats.Files, "file")
	defer func() {
		if r.Stats.MigrationsNotJudged > 0 {
			fmt.Fprintf(w, "Migrations: %s.\n", r.Stats.NotJudgedReason)
		}
	}()
	if len(r.Diagnostics) == 0 {
		fmt.Fprintf(w, "%s: no findings in %s.\n", p.c(ansiBold, "All checks passed"), files)
		return
	}
	fmt.Fprintf(w, "Found %s (%d error, %d warning, %d info) in %s.",
		plural(len(r.Diagnostics), "finding"), counts[analyzer.Error], counts[analyzer.Warning], counts[analyzer.Info], files)
	if r.Stats.Suppressed > 0 {
		fmt.Fprintf(w, " %d suppressed.", r.Stats.Suppressed)
	}
	w.WriteString("\n")
	w.WriteString(fixableLine(r.Diagnostics))
}

// fixLabel names a fix line by its applicability.
func fixLabel(a analyzer.Applicability) string {
	switch a {
	case analyzer.Safe:
		return "= fix:"
	case analyzer.DisplayOnly:
		return "= suggestion:"
	}
	return "= fix (unsafe):"
}

// fixableLine says how many findings --fix (and --unsafe-fixes) would
// fix, or "" when none.
func fixableLine(ds []analyzer.Diagnostic) string {
	safe, unsafe := 0, 0
	for _, d := range ds {
		if len(d.Fixes) == 0 {
			continue
		}
		switch d.Fixes[0].Applicability {
		case analyzer.Safe:
			safe++
		case analyzer.Unsafe:
			unsafe++
		}
	}
	switch {
	case safe > 0 && unsafe > 0:
		return fmt.Sprintf("[*] %d fixable with `--fix` (%d more with `--unsafe-fixes`).\n", safe, unsafe)
	case safe > 0:
		return fmt.Sprintf("[*] %d fixable with `--fix`.\n", safe)
	case unsafe > 0:
		return fmt.Sprintf("%d fixable with `--fix --unsafe-fixes`.\n", unsafe)
	}
	return ""
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
