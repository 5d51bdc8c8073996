package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A recursive generator walks a tree of rows: the loop iterates its
// parameter, and the recursive call passes each row's children. The
// parameter's callers include that call, whose argument is the loop's own
// row: evaluating the loop reached the loop again without end (a stack
// overflow that killed the whole run). The outer call's queryset is still
// one of the loop's sources; the recursive one is not a queryset there.
func TestLoopOverItsOwnRowsChildren(t *testing.T) {
	m := load(t, `
-- forms/models.py --
from django.db import models

class Field(models.Model):
    key = models.CharField(max_length=10)
    parent_field = models.ForeignKey("self", null=True, related_name="child_fields", on_delete=models.CASCADE)
-- forms/utils.py --
from .models import Field

def walk(fields, parent=None, depth=0):
    for field in fields:
        yield field, parent, depth
        yield from walk(field.child_fields.all(), field, depth + 1)

def listing():
    return [f.key for f, _, _ in walk(Field.objects.filter(parent_field__isnull=True))]
`)
	f := fileOf(t, m, "forms/utils.py")
	loops := f.Loops()
	require.NotEmpty(t, loops)
	var seen bool
	for _, l := range loops {
		if l.Var.Text() == "field" {
			seen = true
			q := f.loopQS(l)
			require.NotNil(t, q)
			assert.Equal(t, "Field", q.Model.Name)
		}
	}
	assert.True(t, seen, "the walk's loop is found")
}
