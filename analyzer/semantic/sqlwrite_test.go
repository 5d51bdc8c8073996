package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestSQLWriteStatement(t *testing.T) {
	cases := map[string]string{
		`"UPDATE payments SET status = %s WHERE id = %s"`:                  "UPDATE payments",
		"\"\"\"\n  insert into public.ledger (a, b) VALUES (%s, %s)\"\"\"": "INSERT INTO public.ledger",
		`"DELETE FROM sessions WHERE expires < now()"`:                     "DELETE FROM sessions",
		`"REPLACE INTO counters VALUES (1)"`:                               "REPLACE INTO counters",
		`"SELECT * FROM payments"`:                                         "",
		`"Update from %s received"`:                                        "",
		`"Delete the row first"`:                                           "",
		`"INSERT"`:                                                         "",
		`f"UPDATE {table} SET a = 1"`:                                      "",
		`"UPDATE payments SET a = 1" " WHERE id = %s"`:                     "UPDATE payments",
	}
	for src, want := range cases {
		tr, err := pyast.Parse([]byte("x = " + src + "\n"))
		require.NoError(t, err)
		var lit pyast.Node
		for n := range pyast.FindEach(tr.Root(), "string", "concatenated_string") {
			if lit.IsNil() || n.Type() == "concatenated_string" {
				lit = n
			}
		}
		assert.Equal(t, want, sqlWriteStatement(lit), src)
	}
}
