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
		type read struct {
			fn  *semantic.Func
			acc semantic.Access
			def bool // in the model's get_absolute_url, Django's default location
		}
		var reads []read
		var needed []string
		seen := map[string]bool{}
		add := func(fn *semantic.Func, param int, def bool) {
			for _, a := range t.sm.RowAccesses(fn, param, q.Model) {
				if a.Kind != semantic.Forward || q.Selects(a.Path) || seen[a.Path] {
					continue
				}
				seen[a.Path] = true
				needed = append(needed, a.Path)
				reads = append(reads, read{fn, a, def})
			}
		}
		for _, name := range sitemapItemMethods {
			fn := c.Method(name)
			if fn == nil {
				if name == "location" {
					if abs := t.sm.ModelMethod(q.Model, "get_absolute_url"); abs != nil && !abs.Property && len(abs.Params) >= 1 {
						add(abs, 0, true)
					}
				}
				continue
			}
			if len(fn.Params) < 2 || fn.Static || fn.ClassMethod || fn.Property {
				continue
			}
			add(fn, 1, false)
		}
		needed = maximal(needed)
		if len(needed) == 0 {
			continue
		}
		call, _ := selectFix(q, "select_related", needed)
		itemsRel := analyzer.Related{Path: items.File.Unit.File.Rel, Range: analyzer.RangeOf(items.Node.ChildByField("name")), Message: "the items, `" + q.Model.Name + "` rows Django renders one by one"}
		for _, r := range reads {
			if !contains(needed, r.acc.Path) {
				continue // a shorter path of a longer one read too
			}
			path := strings.ReplaceAll(r.acc.Path, "__", ".")
			d := analyzer.Diagnostic{Help: fmt.Sprintf("load it with the items: `%s`", call)}
			if r.def {
				if items.File != t.File {
					continue
				}
				d.Range = analyzer.RangeOf(items.Node.ChildByField("name"))
				d.Message = fmt.Sprintf("sitemap `%s` loads `item.%s` per item in `%s` (Django's default `location`), and `items()` does not select it",
					c.Name, path, funcLabel(r.fn))
				where := "in `" + funcLabel(r.fn) + "`"
				if len(r.acc.Via) > 0 {
					where, d.Related = deepRelated(&r.acc)
					// deepRelated skips its first step, the finding's own
					// location in a loop: here the default location calls it.
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
				d.Message = fmt.Sprintf("sitemap `%s` loads `item.%s` per item in `%s`, and `items()` does not select it", c.Name, path, r.fn.Name)
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
}
