// Package baseline fingerprints diagnostics so that a finding keeps its
// identity when unrelated edits move it, records the findings of a run in a
// baseline file, and filters a later run down to the new ones. SARIF
// partialFingerprints, GitLab fingerprints and baselines share the hash.
package baseline

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// Version names the fingerprint scheme; it changes whenever the hash does,
// so old baselines are recognised as such.
const Version = "rubric/v1"

// maxLines bounds how many flagged lines feed the hash: a finding spanning
// a whole function would otherwise change with every edit inside it.
const maxLines = 3

// Fingerprints returns one fingerprint per diagnostic of r, in order. The
// hash covers the code, the path, the flagged lines with whitespace
// normalised, and the occurrence index among identical (code, path, text)
// triples; never line numbers, so lines inserted above a finding leave it
// unchanged. The path is the display path (SARIF and GitLab reports name
// files so); a baseline hashes its own (see File).
func Fingerprints(r *analyzer.Result) []string {
	return fingerprints(r, func(p string) string { return p })
}

func fingerprints(r *analyzer.Result, pathOf func(string) string) []string {
	out := make([]string, len(r.Diagnostics))
	seen := map[string]int{}
	for i, d := range r.Diagnostics {
		key := d.Code + "\x00" + pathOf(d.Path) + "\x00" + FlaggedText(r.Files[d.Path], d)
		n := seen[key]
		seen[key] = n + 1
		sum := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(n)))
		out[i] = hex.EncodeToString(sum[:16])
	}
	return out
}

// FlaggedText is the normalised text of the lines a diagnostic covers (at
// most maxLines): each line trimmed, inner runs of blanks collapsed.
func FlaggedText(f *source.File, d analyzer.Diagnostic) string {
	if f == nil || d.Pos.Line == 0 {
		return ""
	}
	first, last := d.Pos.Line, d.EndPos.Line
	if last > first && d.EndPos.Column == 1 {
		last-- // a range ending at column 1 does not touch its last line
	}
	if last < first {
		last = first
	}
	if last-first+1 > maxLines {
		last = first + maxLines - 1
	}
	var b strings.Builder
	for ln := first; ln <= last; ln++ {
		if ln > first {
			b.WriteByte('\n')
		}
		b.WriteString(strings.Join(strings.Fields(string(f.Line(ln))), " "))
	}
	return b.String()
}
