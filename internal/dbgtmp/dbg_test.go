package dbgtmp

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/rules/all"
)

func TestDbg(t *testing.T) {
	dir := os.Getenv("CORPUS")
	res, err := analyzer.Run(context.Background(), analyzer.Config{Rules: all.Rules(), ParseOnly: true, WorkDir: dir}, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	m := semantic.Build(res.Index)
	for _, f := range m.Files() {
		if f.Unit.File.Rel != os.Getenv("FILE") {
			continue
		}
		for _, c := range f.Classes {
			md := m.AdminModel(c)
			fmt.Println("class", c.Name, "admin", c.IsAdmin(), "model", md)
			if md != nil {
				fmt.Println("  classOfModel", m.ClassOfModel(md), md.Qual)
				for _, n := range []string{"get_product_class", "attribute_summary", "get_title"} {
					fn := m.ModelMethod(md, n)
					fmt.Println("  ", n, fn)
					if fn != nil {
						for _, a := range m.RowAccesses(fn, 0, md) {
							fmt.Println("     acc", a.Kind, a.Path)
						}
					}
				}
			}
		}
	}
}
