package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

type actionStep struct {
	Name            string            `yaml:"name"`
	ID              string            `yaml:"id"`
	If              string            `yaml:"if"`
	Uses            string            `yaml:"uses"`
	Run             string            `yaml:"run"`
	Env             map[string]string `yaml:"env"`
	With            map[string]string `yaml:"with"`
	ContinueOnError bool              `yaml:"continue-on-error"`
}

func loadAction(t *testing.T) []actionStep {
	t.Helper()
	data, err := os.ReadFile("../../action.yml")
	require.NoError(t, err)
	var action struct {
		Runs struct {
			Steps []actionStep `yaml:"steps"`
		} `yaml:"runs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &action))
	require.NotEmpty(t, action.Runs.Steps)
	return action.Runs.Steps
}

func TestActionIsSafeAndCurrent(t *testing.T) {
	uses := map[string]actionStep{}
	for _, s := range loadAction(t) {
		assert.NotContains(t, s.Run, "${{", "step %q pastes an expression into its script: pass it through env", s.Name)
		if s.Uses != "" {
			name, _, _ := strings.Cut(s.Uses, "@")
			uses[name] = s
		}
	}
	for name, version := range map[string]string{"actions/setup-go": "v6", "actions/cache": "v5", "github/codeql-action/upload-sarif": "v4"} {
		s, ok := uses[name]
		if assert.True(t, ok, name) {
			assert.Equal(t, name+"@"+version, s.Uses)
		}
	}
	cache := uses["actions/cache"]
	assert.Contains(t, cache.With["key"], "hashFiles(")
	assert.NotContains(t, cache.With["key"], "github.sha", "keyed by content, not by commit")
	upload := uses["github/codeql-action/upload-sarif"]
	assert.Contains(t, upload.If, "github.event.pull_request.head.repo.full_name == github.repository", "no upload from forks")
	assert.True(t, upload.ContinueOnError, "an upload refusal never fails the job")
}

// TestActionRunStep runs the action's check script with bash and the built
// binary, as the runner would: the exit code lands in GITHUB_OUTPUT, the
// SARIF file is written, and an input cannot inject a command.
func TestActionRunStep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	var script string
	for _, s := range loadAction(t) {
		if s.ID == "check" {
			script = s.Run
		}
	}
	require.NotEmpty(t, script)
	bin := rubricBinary(t)
	run := func(dir string, env map[string]string) (int, string) {
		out := filepath.Join(dir, "github-output")
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(cleanEnv(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"), "GITHUB_OUTPUT="+out)
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		data, _ := os.ReadFile(out)
		return code, string(data)
	}
	base := map[string]string{"RUBRIC_PATHS": "app", "RUBRIC_FAIL_ON": "warning", "RUBRIC_ARGS": "--no-cache", "RUBRIC_SARIF": "out.sarif", "RUBRIC_ANNOTATIONS": "true"}

	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"app/io.py": bare})
	code, output := run(dir, base)
	assert.Equal(t, 0, code, "findings do not fail this step; the last step does")
	assert.Equal(t, "exit-code=1\n", output)
	_, err := os.Stat(filepath.Join(dir, "out.sarif"))
	assert.NoError(t, err)

	evil := map[string]string{}
	for k, v := range base {
		evil[k] = v
	}
	evil["RUBRIC_ARGS"] = "--no-cache $(touch pwned) `touch pwned2`; touch pwned3"
	dir = t.TempDir()
	writeTree(t, dir, map[string]string{"app/io.py": bare})
	code, output = run(dir, evil)
	assert.Equal(t, 2, code, "the words are arguments (here, paths that do not exist), not commands")
	assert.Equal(t, "exit-code=2\n", output)
	for _, f := range []string{"pwned", "pwned2", "pwned3"} {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.True(t, os.IsNotExist(err), "%s was created: the input ran as a command", f)
	}
}
