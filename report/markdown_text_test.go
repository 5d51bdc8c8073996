package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// mdText escapes angle brackets in text, where they could open HTML, and
// leaves them alone in code spans, where entities are not decoded.
func TestMdTextEscapesOutsideCodeSpansOnly(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"serves `/orders/<int:pk>/` to <anyone>", "serves `/orders/<int:pk>/` to &lt;anyone&gt;"},
		{"a <b> and ``x ` <y>`` then <z>", "a &lt;b&gt; and ``x ` <y>`` then &lt;z&gt;"},
		{"an unclosed ` <tag>", "an unclosed ` &lt;tag&gt;"},
		{"``a`` <b> `<c>`", "``a`` &lt;b&gt; `<c>`"},
		{"two\nlines <x>", "two lines &lt;x&gt;"},
		{"", ""},
	} {
		assert.Equal(t, c.want, mdText(c.in), c.in)
	}
}

// Two signals citing one line for one thing are one piece of evidence;
// the same line cited by a finding stays apart from a signal's.
func TestDistinctEvidenceDropsRepeats(t *testing.T) {
	loop := Evidence{Path: "app/views.py", Line: 68, Code: "if Event.objects.filter(pk=pk).exists():"}
	finding := loop
	finding.Rule, finding.Note = "ORM003", "a query per iteration"
	other := Evidence{Path: "app/views.py", Line: 73, Code: "Event.objects.create("}
	got := distinctEvidence([]Evidence{loop, finding, loop, other, other})
	assert.Equal(t, []Evidence{loop, finding, other}, got)
}
