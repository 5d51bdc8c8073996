package orm

import (
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

// retrieveViews are DRF's generic views answering a GET with the one row
// get_object() fetches from the view's queryset.
var retrieveViews = map[string]bool{"RetrieveAPIView": true, "RetrieveUpdateAPIView": true,
	"RetrieveDestroyAPIView": true, "RetrieveUpdateDestroyAPIView": true}

// checkRetrieve judges a DRF generic retrieve view (`class V(RetrieveAPIView)`
// with `serializer_class = S` and a queryset) the way oneRowSerializers
// judges a row fetched in a function: the row itself is one query, but
// each item of its many relations that S nests (`criterias =
// CriteriaSerializer(source="criteriarank_set", many=True)`) is
// serialised in turn, so what S reads on each item, and a query it runs
// per item, repeat once per item. Views that fetch or serialise the row
// themselves (a project `get_object`, `retrieve` or `get`) are left alone.
func (t *Tracker) checkRetrieve(cls, at pyast.Node) {
	c := t.ClassOfDef(cls)
	if c == nil {
		return
	}
	retrieve := false
	for _, k := range append([]*semantic.Class{c}, c.Bases()...) {
		for _, m := range []string{"get_object", "retrieve", "get", "get_serializer", "get_serializer_class", "list"} {
			if k.Methods[m] != nil {
				return
			}
		}
		for _, b := range k.BaseNames() {
			last := b[strings.LastIndex(b, ".")+1:]
			retrieve = retrieve || strings.HasPrefix(b, "rest_framework.") && retrieveViews[last]
		}
	}
	if !retrieve {
		return
	}
	q := t.ViewQueryset(cls)
	if q == nil || q.Model == nil || q.Values || q.Dynamic || q.DynamicSelect || q.Opaque || q.Custom || q.Related || q.FromSerializer {
		return
	}
	name := pyast.Dotted(at)
	si := t.g.LookupClass(t.p.Unit, name)
	if name == "" || si == nil || !isSerializer(t.g, si) {
		return
	}
	if si.MetaModel != "" {
		if mm := t.g.ByQual(si.MetaModel); mm == nil || !sameRows(mm, q.Model) {
			return
		}
	}
	md := q.Model
	var paths, whys []string
	var queries []need
	var rel []analyzer.Related
	for _, nd := range t.serializerNeeds(si, md, nil, nil, false, 0) {
		nd.Path = withoutDetour(md, nd)
		if !beyondMany(md, nd.Path) {
			continue // the row's own reads, and fetching its related rows: one query each
		}
		if nd.Query {
			if !guardedByPrefetch(nd) && !servedFirst(q, nd) {
				queries = append(queries, nd)
			}
			continue
		}
		if !nd.Prefetch || q.Prefetches(nd.Path) {
			continue
		}
		paths = append(paths, nd.Path)
		whys = append(whys, nd.Why)
		rel = appendNeedRelated(rel, nd)
	}
	paths = maximal(paths)
	where := "`" + pyast.DefName(cls) + "`"
	switch {
	case len(paths) > 0:
		d := analyzer.Diagnostic{
			Range:   analyzer.RangeOf(at),
			Related: rel,
			Message: fmt.Sprintf("`%s` reads %s per related row of the object %s retrieves, but its queryset does not load %s", si.Name, strings.Join(uniq(whys), ", "), where, strings.Join(paths, ", ")),
			Help:    fmt.Sprintf("prefetch them with the row: `prefetch_related(%s)` on the queryset of %s", quote(paths), where),
		}
		if len(queries) > 0 {
			qwhys, qwhats, qrel := queryParts(queries)
			d.Message += fmt.Sprintf("; %s also per related row: %s, which no prefetch serves", strings.Join(qwhys, ", "), listShort(qwhats, 2))
			d.Help += "; for the queries, " + queryHelp
			d.Related = append(d.Related, qrel...)
		}
		t.p.Report(d)
	case len(queries) > 0:
		qwhys, qwhats, qrel := queryParts(queries)
		t.p.Report(analyzer.Diagnostic{
			Range:      analyzer.RangeOf(at),
			Related:    qrel,
			Message:    fmt.Sprintf("`%s` reads %s per related row of the object %s retrieves (%s)", si.Name, strings.Join(qwhys, ", "), where, queryClause(qwhats)),
			Help:       queryHelp,
			Confidence: analyzer.Medium,
		})
	}
}

// withoutDetour is the path a need reads once the way back to a row is
// taken out (`criteriarank_set__poll__name` on Poll is the poll itself):
// Django sets each related row's key to its owner, prefetched or not.
func withoutDetour(md *project.Model, nd need) string {
	if nd.Query {
		return nd.Path
	}
	if _, rest, ok := semantic.BackPath(md, nd.Path); ok {
		return rest
	}
	return nd.Path
}
