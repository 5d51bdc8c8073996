package gitdiff

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParse(t *testing.T) {
	diff := `diff --git a/app/views.py b/app/views.py
index 1..2 100644
--- a/app/views.py
+++ b/app/views.py
@@ -3,0 +4,2 @@ def f():
+    a = 1
+    b = 2
@@ -10 +12 @@ def g():
-    x
+    y
@@ -20,3 +21,0 @@
-gone
diff --git a/old.py b/old.py
--- a/old.py
+++ /dev/null
@@ -1 +0,0 @@
-x
`
	ch := Parse([]byte(diff), "/repo")
	assert.True(t, ch.Touches("/repo/app/views.py", 4, 4))
	assert.True(t, ch.Touches("/repo/app/views.py", 5, 5))
	assert.True(t, ch.Touches("/repo/app/views.py", 12, 12))
	assert.True(t, ch.Touches("/repo/app/views.py", 21, 21), "a deletion marks the line after it")
	assert.False(t, ch.Touches("/repo/app/views.py", 6, 11))
	assert.True(t, ch.Touches("/repo/app/views.py", 1, 4), "ranges intersect")
	assert.False(t, ch.File("/repo/old.py"))
}
