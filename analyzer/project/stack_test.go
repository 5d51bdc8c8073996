package project_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

func TestStackOfModule(t *testing.T) {
	for mod, want := range map[string]project.Stack{
		"django.db.models": project.Django, "django": project.Django, "django_filters.rest_framework": project.Django,
		"rest_framework.views": project.Django, "drf_spectacular.utils": project.Django, "ninja": project.Django,
		"celery": project.Celery, "kombu.exceptions": project.Celery,
		"flask": project.WebApp, "flask_login": project.WebApp, "fastapi.routing": project.WebApp,
		"os.path": 0, "requests": 0, ".models": 0, "": 0, "djangoish_local": project.Django, "sqlalchemy.orm": 0,
	} {
		assert.Equal(t, want, project.StackOfModule(mod), mod)
	}
	assert.Equal(t, "Django or Celery", (project.Django | project.Celery).String())
	assert.Equal(t, "Django, Celery or Flask/FastAPI/Starlette", (project.Django | project.Celery | project.WebApp).String())
	assert.Equal(t, "", project.Stack(0).String())
}

func TestIndexStack(t *testing.T) {
	for name, c := range map[string]struct {
		files map[string]string
		want  project.Stack
	}{
		"plain Python":                 {map[string]string{"lib/__init__.py": "", "lib/a.py": "import os\nfrom . import b\nfrom .b import x\n", "lib/b.py": "x = 1\n"}, 0},
		"Flask":                        {map[string]string{"app.py": "from flask import Flask\n"}, project.WebApp},
		"Celery, in a test module too": {map[string]string{"tests/test_jobs.py": "from celery import shared_task\n"}, project.Celery},
		"settings by path":             {map[string]string{"conf/settings.py": "DEBUG = False\n"}, project.Django},
		"settings by names":            {map[string]string{"conf/base.py": "INSTALLED_APPS = []\n"}, project.Django},
		"a migration":                  {map[string]string{"shop/migrations/0001_initial.py": "x = 1\n"}, project.Django},
		"relative import of a module not given": {map[string]string{"shop/views.py": "from .models import Order\n"},
			project.Django | project.Celery | project.WebApp},
		"module imported from its package, not given": {map[string]string{"shop/urls.py": "from . import views\n"},
			project.Django | project.Celery | project.WebApp},
		"name imported from a package given": {map[string]string{"shop/__init__.py": "", "shop/urls.py": "from . import views\n"}, 0},
		"app module not given": {map[string]string{"svc.py": "from wallets.models import Wallet\n"},
			project.Django | project.Celery | project.WebApp},
		"app module given": {map[string]string{"wallets/__init__.py": "", "wallets/models.py": "Wallet = 1\n",
			"svc.py": "from wallets.models import Wallet\n"}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for rel, src := range c.files {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
			}
			res, err := analyzer.Run(context.Background(), analyzer.Config{WorkDir: dir, ParseOnly: true, Jobs: 2}, []string{dir})
			require.NoError(t, err)
			assert.Equal(t, c.want, res.Index.Stack())
			for _, want := range []project.Stack{0, project.Django, project.Celery, project.WebApp, project.Django | project.WebApp} {
				assert.Equal(t, want == 0 || c.want.Any(want), res.Index.Runs(want), "Runs(%s)", want)
			}
		})
	}
}
