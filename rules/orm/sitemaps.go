package orm

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// isSitemap reports a subclass of Django's Sitemap
// (django.contrib.sitemaps.Sitemap), directly or through project bases.
func isSitemap(c *semantic.Class) bool {
	return c.DerivesFrom("django.contrib.sitemaps.Sitemap")
}

// sitemapItemMethods are the methods Django's Sitemap calls once per item
// when they are methods (`_get(name, item)`; `location` through
// `_location`).
var sitemapItemMethods = []string{"location", "lastmod", "priority", "changefreq"}

// sitemapItems reads a sitemap as a loop: Django renders every item
// items() returns, calling location(item), lastmod(item), priority(item)
// and changefreq(item) when the class defines them as methods, and the
// item's get_absolute_url() as the default location. A relation one of
// them reads that items() does not select is one query per item: the
// finding sits on the read for the sitemap's own methods, and on items()
// for the model's get_absolute_url (the default location has no call in
// the file).
func (t *Tracker) sitemapItems() {
	for _, c := range t.Classes {
		if !isSitemap(c) {
			continue
		}
		q := t.judgedItems(c)
		if q == nil {
			continue
		}
		items := c.Method("items")
		ir := t.newItemReads(q)
		for _, name := range sitemapItemMethods {
			fn := c.Method(name)
			if fn == nil {
				if name == "location" {
					if abs := t.sm.ModelMethod(q.Model, "get_absolute_url"); abs != nil && !abs.Property && len(abs.Params) >= 1 {
						ir.add(abs, 0, "location")
					}
				}
				continue
			}
			if len(fn.Params) < 2 || fn.Static || fn.ClassMethod || fn.Property {
				continue
			}
			ir.add(fn, 1, "")
		}
		ir.report("sitemap", c, items)
	}
}

// itemReads collects the relations Django's per-item calls of a feed or a
// sitemap read on each item (add), and reports those items() does not
// load (report).
type itemReads struct {
	t      *Tracker
	q      *QS
	needed []string
	seen   map[string]bool
	reads  []itemRead
}

// itemRead is one relation read on each item: in fn (a method of the
// class, or a model method a Django default calls, named by def).
type itemRead struct {
	fn  *semantic.Func
	acc semantic.Access
	def string // the Django default calling fn ("location", "item_link"), for a model method
}

func (t *Tracker) newItemReads(q *QS) *itemReads {
	return &itemReads{t: t, q: q, seen: map[string]bool{}}
}

// add records the forward relations fn reads on its param-th parameter, a
// row of the items' model, that the queryset does not select.
func (ir *itemReads) add(fn *semantic.Func, param int, def string) {
	for _, a := range ir.t.sm.RowAccesses(fn, param, ir.q.Model) {
		if a.Kind != semantic.Forward || ir.q.Selects(a.Path) || ir.seen[a.Path] {
			continue
		}
		ir.seen[a.Path] = true
		ir.needed = append(ir.needed, a.Path)
		ir.reads = append(ir.reads, itemRead{fn, a, def})
	}
}

// report reports each longest relation read: on the read (or the call
// that leads to it) for the class's own methods, on items() for a Django
// default, which has no call in the file. kind names the class ("feed",
// "sitemap").
func (ir *itemReads) report(kind string, c *semantic.Class, items *semantic.Func) {
	t, q := ir.t, ir.q
	needed := maximal(ir.needed)
	if len(needed) == 0 {
		return
	}
	call, _ := selectFix(q, "select_related", needed)
	itemsRel := analyzer.Related{Path: items.File.Unit.File.Rel, Range: analyzer.RangeOf(items.Node.ChildByField("name")), Message: "the items, `" + q.Model.Name + "` rows Django renders one by one"}
	for _, r := range ir.reads {
		if !contains(needed, r.acc.Path) {
			continue // a shorter path of a longer one read too
		}
		path := strings.ReplaceAll(r.acc.Path, "__", ".")
		d := analyzer.Diagnostic{Help: fmt.Sprintf("load it with the items: `%s`", call)}
		if r.def != "" {
			if items.File != t.File {
				continue
			}
			d.Range = analyzer.RangeOf(items.Node.ChildByField("name"))
			d.Message = fmt.Sprintf("%s `%s` loads `item.%s` per item in `%s` (Django's default `%s`), and `items()` does not select it",
				kind, c.Name, path, funcLabel(r.fn), r.def)
			where := "in `" + funcLabel(r.fn) + "`"
			if len(r.acc.Via) > 0 {
				where, d.Related = deepRelated(&r.acc)
				// deepRelated skips its first step, the finding's own
				// location in a loop: here the default calls it.
				st := r.acc.Via[0]
				d.Related = append([]analyzer.Related{{Path: st.File.Unit.File.Rel, Range: analyzer.RangeOf(st.Call), Message: "which calls `" + funcLabel(st.Func) + "`"}}, d.Related...)
			} else {
				d.Related = []analyzer.Related{{Path: r.acc.File.Unit.File.Rel, Range: analyzer.RangeOf(r.acc.Node), Message: "the query per item, " + where}}
			}
		} else {
			at, atFile := r.acc.Node, r.acc.File
			if len(r.acc.Via) > 0 {
				at, atFile = r.acc.Via[0].Call, r.acc.Via[0].File
			}
			if atFile != t.File {
				continue
			}
			d.Range = analyzer.RangeOf(at)
			d.Message = fmt.Sprintf("%s `%s` loads `item.%s` per item in `%s`, and `items()` does not select it", kind, c.Name, path, r.fn.Name)
			d.Related = []analyzer.Related{itemsRel}
			if len(r.acc.Via) > 0 {
				_, rel := deepRelated(&r.acc)
				d.Related = append(d.Related, rel...)
			}
		}
		if q.Opaque || q.Conditional || r.acc.Conditional {
			d.Confidence = analyzer.Medium
		}
		t.p.Report(d)
	}
}
