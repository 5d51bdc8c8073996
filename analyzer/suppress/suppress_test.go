package suppress_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/analyzer/suppress"
	"github.com/rubric-dev/rubric/rules/all"
)

func parse(t *testing.T, src string) *suppress.Set {
	t.Helper()
	tree, err := pyast.Parse([]byte(src))
	require.NoError(t, err)
	return suppress.Parse(source.New("m.py", "m.py", []byte(src)), tree)
}

func TestOtherToolsCodes(t *testing.T) {
	cases := []struct {
		name, src, code string
		line            int
		want            bool
	}{
		{"ruff E722", "x = 1  # noqa: E722\n", "ERR001", 1, true},
		{"ruff BLE001 among others", "x = 1  # noqa: E501, BLE001\n", "ERR002", 1, true},
		{"ruff code of another rule", "x = 1  # noqa: E722\n", "ERR002", 1, false},
		{"ruff code on another line", "x = 1  # noqa: E722\ny = 2\n", "ERR001", 2, false},
		{"flake8-bandit S113", "x = 1  # noqa: S113\n", "NET001", 1, true},
		{"pyflakes F821", "INSTALLED_APPS.append(1)  # noqa: F821\n", "BUG005", 1, true},
		{"pylint undefined-variable", "x = y  # pylint: disable=undefined-variable\n", "BUG005", 1, true},
		{"G004", "x = 1  # noqa:G004\n", "LOG001", 1, true},
		{"TRY400", "x = 1  # noqa: TRY400\n", "LOG002", 1, true},
		{"flake8-print T001 (before 5.0)", "print(x)  # noqa: T001\n", "LOG003", 1, true},
		{"flake8-print T001 without the colon", "print(x)  # noqa T001\n", "LOG003", 1, true},
		{"B904", "x = 1  # noqa: B904\n", "ERR005", 1, true},
		{"S501", "x = 1  # NOQA: s501\n", "NET002", 1, true},
		{"pylint name", "x = 1  # pylint: disable=bare-except\n", "ERR001", 1, true},
		{"pylint number list", "x = 1  # pylint: disable=C0103,W0718\n", "ERR002", 1, true},
		{"pylint disable-next", "# pylint: disable-next=broad-exception-caught\nx = 1\n", "ERR002", 2, true},
		{"pylint block disable is not followed", "# pylint: disable=bare-except\nx = 1\n", "ERR001", 2, false},
		{"pylint other message", "x = 1  # pylint: disable=invalid-name\n", "ERR001", 1, false},
		{"bandit nosec code", "x = 1  # nosec B113\n", "NET001", 1, true},
		{"bandit nosec name", "x = 1  # nosec: request_with_no_cert_validation\n", "NET002", 1, true},
		{"bandit bare nosec: a bandit rule", "x = 1  # nosec\n", "SEC010", 1, true},
		{"bandit bare nosec: not a bandit rule", "x = 1  # nosec\n", "ORM001", 1, false},
		{"nosec with another code", "x = 1  # nosec B101\n", "NET001", 1, false},
		{"inside a string", "x = '# noqa: E722'\n", "ERR001", 1, false},
		{"codes without the colon", "x = 1  # noqa E722\n", "ERR001", 1, true},
		{"codes without the colon, a list", "x = 1  # noqa E501, BLE001\n", "ERR002", 1, true},
		{"codes without the colon, another rule", "x = 1  # noqa E722\n", "ERR002", 1, false},
		{"prose after noqa is a bare noqa", "x = 1  # noqa because E722 fires\n", "ERR001", 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, parse(t, c.src).Suppressed(c.code, c.line, false))
		})
	}
}

// With bare noqa allowed, `# noqa E722` is what flake8 and ruff make of it:
// a bare noqa.
func TestNoColonIsBareWhenBareIsAllowed(t *testing.T) {
	s := parse(t, "x = 1  # noqa E722\n")
	assert.True(t, s.Suppressed("ORM001", 1, true))
	assert.False(t, s.Suppressed("ORM001", 1, false))
	assert.True(t, s.Suppressed("ERR001", 1, false))
}

func TestOtherToolsCodesCanBeTurnedOff(t *testing.T) {
	for _, src := range []string{"x = 1  # noqa: E722\n", "x = 1  # pylint: disable=bare-except\n", "x = 1  # nosec B110\n"} {
		s := parse(t, src)
		s.Foreign = false
		assert.False(t, s.Suppressed("ERR001", 1, false), src)
		assert.False(t, s.Suppressed("ERR003", 1, false), src)
	}
	// rubric's own codes still work.
	s := parse(t, "x = 1  # noqa: ERR001\n")
	s.Foreign = false
	assert.True(t, s.Suppressed("ERR001", 1, false))
}

// Every mapped rule exists, and each other tool's code maps to rules of
// one family at most (a code standing for unrelated rules would be a
// mistake in the table).
func TestEquivalentsNameRealRules(t *testing.T) {
	seen := map[string]string{}
	for _, e := range suppress.Equivalents {
		assert.NotNil(t, all.ByCode(e.Rule), e.Rule)
		for _, c := range e.Codes {
			key := e.Tool + ":" + c
			if prev, ok := seen[key]; ok {
				assert.Equal(t, prev[:3], e.Rule[:3], key)
			}
			seen[key] = e.Rule
		}
	}
	assert.Equal(t, []string{"ERR001"}, suppress.ForeignRules("noqa", "E722"))
}
