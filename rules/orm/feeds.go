package orm

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// isSyndicationFeed reports a subclass of Django's syndication Feed
// (django.contrib.syndication.views.Feed), directly or through project
// bases.
func isSyndicationFeed(c *semantic.Class) bool {
	return c.DerivesFrom("django.contrib.syndication.views.Feed")
}

// feedDefaults are the item methods Django's Feed defines itself, and
// the model method each calls on the item: item_link reads
// get_absolute_url(), item_title and item_description str(item) (when no
// title or description template replaces them).
var feedDefaults = []struct{ method, template, model string }{
	{"item_link", "", "get_absolute_url"},
	{"item_title", "title_template", "__str__"},
	{"item_description", "description_template", "__str__"},
}

// feedItems reports the relations a syndication feed's item_* methods
// read on each item that the queryset its items() returns does not load.
// Django calls item_title, item_author_name, ... once per item, so each
// such read is one query per item: the finding sits on the read for the
// feed's own methods. Django's defaults are followed too, item_link to the
// item's get_absolute_url() and item_title / item_description to its
// __str__ (unless a title or description template is set): those
// findings sit on items(), the default having no call in the file. Feed
// templates are not followed.
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
		ir := t.newItemReads(q)
		for _, name := range itemMethodNames(c) {
			fn := c.Method(name)
			if fn == nil || !strings.HasPrefix(name, "item_") || len(fn.Params) < 2 || fn.Static || fn.ClassMethod {
				continue
			}
			ir.add(fn, 1, "")
		}
		for _, d := range feedDefaults {
			if c.Method(d.method) != nil {
				continue
			}
			if v, _ := c.Attr(d.method); !v.IsNil() {
				continue // a constant
			}
			if d.template != "" {
				if v, _ := c.Attr(d.template); !v.IsNil() {
					continue
				}
			}
			if fn := t.sm.ModelMethod(q.Model, d.model); fn != nil && !fn.Property && !fn.Static && !fn.ClassMethod && len(fn.Params) >= 1 {
				ir.add(fn, 0, d.method)
			}
		}
		ir.report("feed", c, items)
	}
}

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
