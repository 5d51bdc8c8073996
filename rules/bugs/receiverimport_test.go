package bugs

import (
	"strings"
	"testing"
)

// TestModuleUseImportedIndex compares imported (an index of the names and
// of their tails) with the reading it replaces, every name against the
// module: the same dotted name, or one a suffix of the other at a dot.
func TestModuleUseImportedIndex(t *testing.T) {
	names := []string{"shop.signals", "app.shop.orders", "orders", "a.b.c.d", "x.", "payments.webhooks.stripe", ""}
	mods := []string{"shop.signals", "signals", "shop", "app.shop.orders", "shop.orders", "orders", "core.orders",
		"b.c.d", "c.d", "d", "a.b", "z.a.b.c.d", "x.", "x", "y.x.", ".", "", "stripe", "webhooks.stripe",
		"root.payments.webhooks.stripe", "payments", "ayments.webhooks.stripe", "hop.signals"}
	for _, withEmpty := range []bool{false, true} {
		u := &moduleUse{names: map[string]bool{}}
		for _, n := range names {
			if n != "" || withEmpty {
				u.names[n] = true
			}
		}
		u.index()
		for _, mod := range mods {
			want := false
			for q := range u.names {
				if q == mod || strings.HasSuffix(mod, "."+q) || strings.HasSuffix(q, "."+mod) {
					want = true
				}
			}
			if got := u.imported(mod); got != want {
				t.Errorf("names %v: imported(%q) = %v, want %v", names, mod, got, want)
			}
		}
	}
}
