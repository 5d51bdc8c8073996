package paths

import "testing"

func TestIsTest(t *testing.T) {
	for rel, want := range map[string]bool{
		"shop/tests/test_views.py": true,
		"shop/test_utils/keys.py":  true,
		"conftest.py":              true,
		"shop/views.py":            false,
		"config/settings.py":       false,
		"latest/views.py":          false,
	} {
		if got := IsTest(rel); got != want {
			t.Errorf("IsTest(%q) = %v, want %v", rel, got, want)
		}
	}
}
