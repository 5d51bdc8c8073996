package dbgtmp

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/all"
)

func TestDbg(t *testing.T) {
	dir := os.Getenv("CORPUS")
	line, _ := strconv.Atoi(os.Getenv("LINE"))
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: all.Rules(), ParseOnly: true, WorkDir: dir}, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	m := semantic.Build(res.Index)
	for _, f := range m.Files() {
		if f.Unit.File.Rel != os.Getenv("FILE") {
			continue
		}
		for _, l := range f.Loops() {
			if f.Unit.File.Position(l.Node.StartByte()).Line != line {
				continue
			}
			fmt.Printf("loop %q var %q qs=%+v\n", l.Iter.Text(), l.Var.Text(), l.QS)
			v := f.Value(l.Iter)
			fmt.Printf("value kind=%d model=%v\n", v.Kind, v.Model)
			if id := l.Iter; id.Type() == "identifier" {
				rhs := f.Binding(id, id.Text(), id.StartByte())
				fmt.Printf("binding %q\n", rhs.Text())
				if !rhs.IsNil() {
					fmt.Printf("  eval=%+v\n", f.Eval(rhs))
					for cur := rhs; !cur.IsNil(); {
						fmt.Printf("    sub %q -> %v\n", cur.Text()[:min(40, len(cur.Text()))], f.Eval(cur) != nil)
						switch cur.Type() {
						case "call":
							cur = cur.ChildByField("function")
						case "attribute":
							cur = cur.ChildByField("object")
						default:
							cur = cur.ChildByField("nothing")
						}
					}
				}
			}
			if l.QS != nil && l.QS.Model != nil {
				for _, u := range f.LoopUses(l) {
					fmt.Printf("  use chain=%v methods=%v passed=%q\n", u.Chain, u.Methods, u.PassedTo.Text())
				}
				for _, a := range m.UseAccesses(f, f.LoopUses(l), l.QS.Model) {
					fmt.Printf("  acc kind=%d path=%s via=%d\n", a.Kind, a.Path, len(a.Via))
				}
			}
		}
	}
}
