package all_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// No code ranges over a decoded call's Keywords map: its order changes
// from run to run, and a rule that reports the first keyword it meets
// then reports something else each time (ORM003 named one query or
// another of a helper called with two keyword arguments from the row).
// pyast.Call.EachKeyword goes in the call's own order.
func TestNoRangeOverKeywordsMap(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{"../../analyzer", "../../rules", "../../report", "../../internal"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if r, ok := n.(*ast.RangeStmt); ok {
					if sel, ok := r.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Keywords" {
						t.Errorf("%s: ranges over %s.Keywords (random order): use EachKeyword()", fset.Position(r.Pos()), exprString(sel.X))
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func exprString(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return "…"
}
