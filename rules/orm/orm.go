// Package orm holds the ORM family: N+1 queries, queries and writes in
// loops, unbounded list endpoints and missing indexes, all judged against
// the project's Django model graph.
package orm

import "github.com/rubric-dev/rubric/analyzer"

// Rules returns the ORM family, in code order. queryset.go holds the
// queryset tracker the rules share, loops.go the per-loop analysis.
func Rules() []*analyzer.Rule {
	return []*analyzer.Rule{NPlusOne, RelatedManagerPerRow, QueryInLoop, WriteInLoop, WastefulEvaluation,
		UnboundedList, MissingIndex, SerializerRelations, AdminChangelist, WholeTableIteration,
		UnorderedPagination, WholeRows, TemplateNPlusOne, MembershipRequery, RedundantIndex}
}
