package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// PostSaveConnected returns the names a file connects to Django's
// post_save signal with `post_save.connect(name, ...)`.
func PostSaveConnected(root pyast.Node) map[string]bool {
	out := map[string]bool{}
	for call := range pyast.FindEach(root, "call") {
		if string(pyast.CalleeName(call)) != "connect" {
			continue
		}
		c, _ := pyast.AsCall(call)
		if strings.HasSuffix(pyast.Dotted(c.Receiver()), "post_save") && len(c.Positional) > 0 {
			out[pyast.Dotted(c.Positional[0])] = true
		}
	}
	return out
}
