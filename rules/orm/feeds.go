package orm

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// isSyndicationFeed reports a subclass of Django's syndication Feed
// (django.contrib.syndication.views.Feed), directly or through project
// bases.
func isSyndicationFeed(c *semantic.Class) bool {
	return c.DerivesFrom("django.contrib.syndication.views.Feed")
}

// feedItems reports the relations a syndication feed's item_* methods
// read on each item that the queryset its items() returns does not load.
// Django calls item_title, item_author_name, ... once per item, so each
// such read is one query per item. Only methods defined in this file are
// reported (the finding sits on the read); Django's defaults (the item's
// __str__ and get_absolute_url when item_title or item_link is not
// defined, feed templates) are not followed.
func (t *Tracker) feedItems() {
	for _, c := range t.Classes {
		if !isSyndicationFeed(c) {
			continue
		}
		q := t.judgedItems(c)
		if q == nil {
			continue
		}
		items := c.Method("items")
		var needed []string
		type read struct {
			fn  *semantic.Func
			acc semantic.Access
		}
		var reads []read
		seen := map[string]bool{}
		for _, name := range itemMethodNames(c) {
			fn := c.Method(name)
			if fn == nil || !strings.HasPrefix(name, "item_") || len(fn.Params) < 2 || fn.Static || fn.ClassMethod {
				continue
			}
			for _, a := range t.sm.RowAccesses(fn, 1, q.Model) {
				if a.Kind != semantic.Forward || q.Selects(a.Path) || seen[a.Path] {
					continue
				}
				seen[a.Path] = true
				needed = append(needed, a.Path)
				reads = append(reads, read{fn, a})
			}
		}
		needed = maximal(needed)
		if len(needed) == 0 {
			continue
		}
		call, _ := selectFix(q, "select_related", needed)
		for _, r := range reads {
			if !contains(needed, r.acc.Path) {
				continue // a shorter path of a longer one read too
			}
			at, atFile := r.acc.Node, r.acc.File
			if len(r.acc.Via) > 0 {
				at, atFile = r.acc.Via[0].Call, r.acc.Via[0].File
			}
			if atFile != t.File {
				continue
			}
			d := analyzer.Diagnostic{
				Range: analyzer.RangeOf(at),
				Message: fmt.Sprintf("feed `%s` loads `item.%s` per item in `%s`, and `items()` does not select it", c.Name,
					strings.ReplaceAll(r.acc.Path, "__", "."), r.fn.Name),
				Help:    fmt.Sprintf("load it with the items: `%s`", call),
				Related: []analyzer.Related{{Path: items.File.Unit.File.Rel, Range: analyzer.RangeOf(items.Node.ChildByField("name")), Message: "the items, `" + q.Model.Name + "` rows Django renders one by one"}},
			}
			if len(r.acc.Via) > 0 {
				_, rel := deepRelated(&r.acc)
				d.Related = append(d.Related, rel...)
			}
			if q.Opaque || q.Conditional || r.acc.Conditional {
				d.Confidence = analyzer.Medium
			}
			t.p.Report(d)
		}
	}
}

// itemsQS is the queryset a feed's items() returns: every return must
// agree on the model.
// judgedItems returns the queryset the items() of c (a feed, a sitemap)
// returns, when it is one whose rows can be judged: a model's rows, not
// values, not built dynamically, not cached, not a relation of a row the
// loop owns.
func (t *Tracker) judgedItems(c *semantic.Class) *QS {
	items := c.Method("items")
	if items == nil {
		return nil
	}
	q := t.itemsQS(items)
	if q == nil || q.Model == nil || q.Values || q.Dynamic || q.DynamicSelect || q.MaybeCached || q.Related && q.OwnerInLoop {
		return nil
	}
	return q
}

func (t *Tracker) itemsQS(fn *semantic.Func) *QS {
	var out *QS
	for r := range pyast.FindEachShallow(fn.Node, "return_statement") {
		e := r.NamedChild(0)
		if e.IsNil() {
			return nil
		}
		q := fn.File.Eval(e)
		if q == nil || out != nil && out.Model != q.Model {
			return nil
		}
		if out == nil {
			out = q
		}
	}
	return out
}

// itemMethodNames lists the methods of a class and its project bases
// (nearest first, each name once), in source order within each class.
func itemMethodNames(c *semantic.Class) []string {
	var names []string
	seen := map[string]bool{}
	for _, cc := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, st := range pyast.Statements(pyast.Body(cc.Node)) {
			def := st
			if def.Type() == "decorated_definition" {
				def = def.ChildByField("definition")
			}
			if def.Type() != "function_definition" {
				continue
			}
			if name := pyast.DefName(def); !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	return names
}
