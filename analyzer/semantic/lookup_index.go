package semantic

import (
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// IndexKind says which index serves a lookup on one column.
type IndexKind int

const (
	// IndexUnknown: the column is not a known field of a model the tree
	// defines completely, or the lookup crosses a relation or is one no
	// B-tree index serves (icontains, regex...).
	IndexUnknown IndexKind = iota
	// IndexImplicit: the primary key, or a foreign key Django indexes.
	IndexImplicit
	// IndexDeclared: an index the model declares leads with the column
	// (unique, db_index, Meta.indexes, index_together, unique_together,
	// a UniqueConstraint).
	IndexDeclared
	// IndexNone: no index leads with the column.
	IndexNone
)

// ColumnIndex is one column a lookup reads and the index that serves it.
type ColumnIndex struct {
	Column string
	Kind   IndexKind
	// Field is the model field (nil for pk/id): its line is where a
	// declared index is written.
	Field *project.Field
}

// btreeLookups are the lookups an ordinary index serves ("" is exact).
var btreeLookups = map[string]bool{"": true, "exact": true, "in": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"range": true, "isnull": true, "startswith": true}

// LookupIndexes returns, for an ORM call that ColumnLookup accepts, each
// column it filters, gets or orders md's rows by, with the index that
// serves it, as ORM007 reads an index (project.Model.Indexed). Columns of
// a model that is external, abstract or not fully read are IndexUnknown.
func LookupIndexes(md *project.Model, c pyast.Call) []ColumnIndex {
	var cols []string
	if c.MethodName() == "order_by" {
		for _, a := range c.Positional {
			if v, ok := pyast.StringValue(a); ok {
				cols = append(cols, strings.TrimPrefix(v, "-"))
			}
		}
	} else {
		for k := range c.EachKeyword() {
			if k != "defaults" {
				cols = append(cols, k)
			}
		}
	}
	var out []ColumnIndex
	sort.Strings(cols)
	for _, col := range cols {
		name, rest, _ := strings.Cut(col, "__")
		ci := ColumnIndex{Column: name}
		switch {
		case md == nil || md.External || md.Abstract || !md.Complete || !btreeLookups[rest]:
		case name == "pk" || name == "id":
			ci.Kind = IndexImplicit
		default:
			f := md.Field(name)
			if f == nil {
				f = md.FKColumn(name)
			}
			ci.Field = f
			switch {
			case f == nil:
			case f.PrimaryKey, (f.Kind == project.ForeignKey || f.Kind == project.OneToOne) && !f.NoDBIndex:
				ci.Kind = IndexImplicit
			case md.Indexed(name):
				ci.Kind = IndexDeclared
			default:
				ci.Kind = IndexNone
			}
		}
		out = append(out, ci)
	}
	return out
}

// OnPrimaryKey reports whether every column of a lookup is the primary
// key (pk, id, or a field declared primary_key=True): a lookup no other
// index could serve better.
func OnPrimaryKey(cols []ColumnIndex) bool {
	for _, ci := range cols {
		if ci.Kind != IndexImplicit || ci.Field != nil && !ci.Field.PrimaryKey {
			return false
		}
	}
	return len(cols) > 0
}

// CompositeIndexes returns the declared indexes over two or more columns
// (Meta.indexes, index_together, unique_together, a UniqueConstraint)
// whose first two columns are both among the columns a lookup reads (cols,
// from LookupIndexes): an index chosen for this combination, such as
// unique_together (user, currency) for get(user=..., currency=...), even
// when its leading column is a foreign key Django indexes anyway.
func CompositeIndexes(md *project.Model, cols []ColumnIndex) [][]string {
	if md == nil {
		return nil
	}
	have := map[string]bool{}
	for _, ci := range cols {
		if ci.Kind == IndexUnknown {
			continue
		}
		have[ci.Column] = true
		if ci.Field != nil {
			have[ci.Field.Name] = true
		}
	}
	var out [][]string
	for _, group := range [][][]string{md.Meta.Indexes, md.Meta.IndexTogether, md.Meta.UniqueTogether, md.Meta.Unique} {
		for _, fs := range group {
			if len(fs) >= 2 && have[strings.TrimPrefix(fs[0], "-")] && have[strings.TrimPrefix(fs[1], "-")] {
				out = append(out, fs)
			}
		}
	}
	return out
}
