package printer

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
)

// GitHub writes GitHub Actions workflow commands, one annotation per
// finding: ::error file=P,line=L,col=C,endLine=EL,endColumn=EC,title=CODE::message
type GitHub struct{ opts Options }

func githubLevel(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "error"
	case analyzer.Warning:
		return "warning"
	}
	return "notice"
}

// escapeData escapes a workflow command's message, as @actions/core does.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value: the data
// escapes plus ':' and ',' that separate properties.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// Print writes one command per diagnostic.
func (p *GitHub) Print(w io.Writer, r *analyzer.Result) error {
	bw := bufio.NewWriter(w)
	for _, d := range r.Diagnostics {
		line, col := max(d.Pos.Line, 1), max(d.Pos.Column, 1)
		endLine, endCol := max(d.EndPos.Line, line), d.EndPos.Column
		if endLine == line && endCol < col {
			endCol = col
		}
		msg := d.Message
		if d.Help != "" {
			msg += "\nhelp: " + d.Help
		}
		fmt.Fprintf(bw, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
			githubLevel(d.Severity), escapeProperty(EscapePath(d.Path)), line, col, endLine, endCol,
			escapeProperty(d.Code), escapeData(EscapeControls(msg)))
	}
	return bw.Flush()
}
