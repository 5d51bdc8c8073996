package printer

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
)

// Concise is one line per finding, as ruff's concise format:
// `path:line:col: CODE [*] message`, where `[*]` marks a finding that
// `--fix` fixes, then the summary lines of the text format.
type Concise struct{ opts Options }

// Print writes the report.
func (p *Concise) Print(w io.Writer, r *analyzer.Result) error {
	bw := bufio.NewWriter(w)
	t := &Text{opts: p.opts}
	for _, d := range r.Diagnostics {
		mark := ""
		if len(d.Fixes) > 0 && d.Fixes[0].Applicability == analyzer.Safe {
			mark = "[*] "
		}
		fmt.Fprintf(bw, "%s:%d:%d: %s %s%s\n", t.c(ansiBold, EscapePath(d.Path)), d.Pos.Line, d.Pos.Column,
			t.c(ansiBold+t.sevColor(d.Severity), d.Code), mark, strings.ReplaceAll(EscapeControls(d.Message), "\n", " "))
	}
	if !p.opts.Quiet {
		t.summary(bw, r)
	}
	return bw.Flush()
}
