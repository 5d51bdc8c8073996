package effects

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestTaskOf(t *testing.T) {
	src := `from celery import Task, shared_task
from celery.decorators import periodic_task
from invoke import task
from proj.celery import app


@shared_task(bind=True, max_retries=3)
def a(self, x): ...

@app.task
def b(x): ...

@periodic_task(run_every=60)
def c(): ...

@task
def deploy(ctx): ...

def plain(): ...

class Sync(Task):
    autoretry_for = (IOError,)

    def run(self, x): ...

    def helper(self): ...

class NotATask:
    def run(self): ...
`
	tr, err := pyast.Parse([]byte(src))
	require.NoError(t, err)
	root := tr.Root()
	im := pyast.CollectImports(root)
	got := map[string]CeleryTask{}
	for _, fn := range Functions(root) {
		if ct, ok := TaskOf(im, fn); ok {
			got[ct.Name+"."+pyast.DefName(fn)] = ct
		}
	}
	assert.Len(t, got, 4)
	assert.Equal(t, "self", got["a.a"].Bound)
	assert.Equal(t, "3", got["a.a"].Option("max_retries").Text())
	assert.Contains(t, got, "b.b")
	assert.Contains(t, got, "c.c")
	s := got["Sync.run"]
	assert.True(t, s.Class)
	assert.True(t, s.Decorator.IsNil())
	assert.Equal(t, "(IOError,)", s.Option("autoretry_for").Text())
	assert.Equal(t, "Sync", s.At.Text())
}
