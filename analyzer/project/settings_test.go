package project_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/project"
)

// where lists a setting's places as "path:line form value".
func where(ss []project.Setting) []string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s:%d %s %s %s", s.Path, s.Line, formName[s.Form], valueName[s.Value], boolName(s.InSettings)))
	}
	return out
}

var formName = map[project.SettingForm]string{project.FormAssign: "assign", project.FormSubscript: "subscript",
	project.FormAttribute: "attribute", project.FormKeyword: "keyword", project.FormKey: "key"}

var valueName = map[project.ValueKind]string{project.ValueOther: "other", project.ValueTrue: "true",
	project.ValueFalse: "false", project.ValueNone: "none", project.ValueNumber: "number",
	project.ValueString: "string", project.ValueList: "list"}

func boolName(b bool) string {
	if b {
		return "settings"
	}
	return "elsewhere"
}

func TestSettings(t *testing.T) {
	res := loadGraph(t, "../../testdata/projects/settings.txtar")
	s := res.Index.Settings
	require.NotNil(t, s)

	assert.Equal(t, []string{
		"config/settings/base.py:9 key true settings",
		"config/settings_local.py:1 subscript false settings",
	}, where(s.Get("ATOMIC_REQUESTS")), "DATABASES entries and subscripts in settings modules only")
	assert.True(t, s.AtomicRequests())
	assert.Equal(t, "DATABASES", s.Get("ATOMIC_REQUESTS")[0].Parent)

	assert.Equal(t, []string{
		"conf/common.py:2 assign number settings",
		"config/settings/base.py:17 assign none settings",
	}, where(s.Get("DATA_UPLOAD_MAX_MEMORY_SIZE")), "a module assigning INSTALLED_APPS is a settings module")
	bounded, disabled := s.UploadLimit()
	assert.True(t, bounded)
	assert.NotNil(t, disabled)

	assert.Equal(t, []string{
		"config/settings/base.py:3 assign true settings",
		"shop/views.py:1 assign true elsewhere",
	}, where(s.Get("DEBUG")))
	hosts := s.Get("ALLOWED_HOSTS")
	require.Len(t, hosts, 1)
	assert.Equal(t, []string{"*", "example.com"}, hosts[0].Items)

	assert.Equal(t, "accounts.User", s.AuthUserModel())
	assert.Equal(t, "accounts.User", res.Index.Models.AuthUser, "the model graph reads AUTH_USER_MODEL from settings")
	assert.True(t, s.DefaultPagination())
	assert.True(t, res.Index.Models.DefaultPagination)
	assert.Equal(t, []string{"config/settings/base.py:14 key number settings"}, where(s.Get("PAGE_SIZE")))

	lim := s.CeleryTimeLimit()
	require.NotNil(t, lim)
	assert.Equal(t, "proj/celery.py:4 attribute number elsewhere", where([]project.Setting{*lim})[0])
	assert.Equal(t, "app.conf", lim.Parent)
	assert.Equal(t, []string{"proj/celery.py:5 keyword number elsewhere"}, where(s.Get("task_soft_time_limit")))
	mis := s.MisnamedCeleryLimit()
	require.NotNil(t, mis)
	assert.Equal(t, "CELERY_TIME_LIMIT", mis.Name)
	assert.Equal(t, "config/settings_local.py", mis.Path)
}

func TestSettingsPath(t *testing.T) {
	for rel, want := range map[string]bool{
		"settings.py":                  true,
		"proj/settings_prod.py":        true,
		"proj/test_settings.py":        true,
		"config/settings/base.py":      true,
		"config/settings/env/stage.py": true,
		"shop/views.py":                false,
		"shop/user_settings_view.py":   false,
		"settings/README.md":           false,
	} {
		assert.Equal(t, want, project.IsSettingsPath(rel), rel)
	}
}

func TestSettingsNilIndex(t *testing.T) {
	var s *project.Settings
	assert.False(t, s.AtomicRequests())
	assert.Nil(t, s.CeleryTimeLimit())
	assert.Nil(t, s.MisnamedCeleryLimit())
	assert.Empty(t, s.AuthUserModel())
}
