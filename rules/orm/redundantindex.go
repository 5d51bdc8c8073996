package orm

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed redundantindex.md
var redundantIndexDoc string

// RedundantIndex reports indexes and unique constraints a model declares
// on columns the table already indexes the same way.
var RedundantIndex = &analyzer.Rule{
	Code:              "ORM016",
	Name:              "redundant-index",
	Doc:               redundantIndexDoc,
	Category:          analyzer.Performance,
	Severity:          analyzer.Info,
	Confidence:        analyzer.High,
	Since:             "0.30.0",
	Stack:             project.Django,
	SkipOnSyntaxError: true,
	Skip:              semantic.Test | semantic.Migration,
	Run:               runRedundantIndex,
}

// declaredIndex is one entry of a model's Meta.indexes or Meta.constraints
// that rubric can compare: a plain B-tree index (Index, BTreeIndex) or an
// unconditional UniqueConstraint over named fields, nothing else
// (condition, include, opclasses, expressions or another index type make it
// an index of its own).
type declaredIndex struct {
	node   pyast.Node
	fields []string // names, the '-' of a descending column dropped
	unique bool
	line   int
}

// runRedundantIndex reads every concrete model class the file defines: an
// explicit index on one column the table indexes already (the primary key,
// a unique field, a foreign key or one-to-one field Django indexes, a
// db_index=True field), an index whose columns another declared index,
// unique_together or UniqueConstraint of the model starts with in the same
// order (that one serves the same lookups), two declarations of the same
// columns, and a UniqueConstraint over a field that is unique already.
// db_index=True on a unique field is left alone: Django creates nothing
// for it, and reviewers rarely remark on the flag.
func runRedundantIndex(p *analyzer.Pass) error {
	if p.Project == nil || p.Project.Models == nil {
		return nil
	}
	for _, st := range pyast.Statements(p.Root) {
		cls := st
		if cls.Type() == "decorated_definition" {
			cls = cls.ChildByField("definition")
		}
		if cls.Type() != "class_definition" {
			continue
		}
		m := p.Project.Models.ByQual(p.Unit.Module + "." + pyast.DefName(cls))
		if m == nil || m.External || m.Abstract || m.Proxy || m.Meta.Unmanaged || m.Path != p.File.Rel {
			continue
		}
		redundantMetaIndexes(p, m, cls)
	}
	return nil
}

// implicitIndex says why the table already has an index leading with the
// single column field (its primary key, a unique field, a relation Django
// indexes, db_index=True), or "".
func implicitIndex(m *project.Model, field string) string {
	if field == "pk" || field == "id" && m.Field("id") == nil {
		return "the primary key is indexed already"
	}
	f := m.Field(field)
	if f == nil {
		f = m.FKColumn(field)
	}
	switch {
	case f == nil:
		return ""
	case f.PrimaryKey:
		return fmt.Sprintf("`%s` is the primary key, indexed already", f.Name)
	case f.Kind == project.OneToOne && !f.NoDBIndex:
		return fmt.Sprintf("the one-to-one field `%s` is unique, so indexed already", f.Name)
	case f.Unique:
		return fmt.Sprintf("`unique=True` on `%s` already gives it a unique index", f.Name)
	case f.Kind == project.ForeignKey && !f.NoDBIndex:
		return fmt.Sprintf("Django indexes the foreign key `%s` already", f.Name)
	case f.DBIndex:
		return fmt.Sprintf("`db_index=True` on `%s` already creates one", f.Name)
	}
	return ""
}

// redundantMetaIndexes reports the entries of the model's Meta.indexes and
// Meta.constraints another index of the table makes useless.
func redundantMetaIndexes(p *analyzer.Pass, m *project.Model, cls pyast.Node) {
	declared := metaIndexes(p, cls)
	for i, d := range declared {
		if !knownFields(m, d.fields) {
			continue
		}
		what := "index"
		if d.unique {
			what = "unique constraint"
		}
		msg := ""
		if len(d.fields) == 1 {
			if why := implicitIndex(m, d.fields[0]); why != "" && (!d.unique || uniqueField(m, d.fields[0])) {
				msg = why
			}
		}
		if msg == "" {
			msg = coveredBy(m, declared, i)
		}
		if msg == "" {
			continue
		}
		cost := fmt.Sprintf("every insert and update of `%s` maintains both", m.Name)
		if len(d.fields) == 1 && !d.unique && strings.HasPrefix(msg, "`db_index=True`") {
			cost = "the table gets two identical indexes to maintain"
		}
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(d.node),
			Message: fmt.Sprintf("this %s on (`%s`) is redundant: %s; %s", what, strings.Join(d.fields, "`, `"), msg, cost),
			Help:    fmt.Sprintf("remove it from `%s.Meta` and add the migration that drops it", m.Name),
		})
	}
}

// uniqueField reports a field whose values are unique already (primary
// key, unique=True, one-to-one): a UniqueConstraint over it alone repeats
// that constraint; over a foreign key or a db_index field it does not.
func uniqueField(m *project.Model, field string) bool {
	if field == "pk" || field == "id" && m.Field("id") == nil {
		return true
	}
	f := m.Field(field)
	if f == nil {
		f = m.FKColumn(field)
	}
	return f != nil && (f.PrimaryKey || f.Unique || f.Kind == project.OneToOne && !f.NoDBIndex)
}

// coveredBy says which other index of the table serves every lookup the
// i-th declared one serves: a declared index (or unique constraint) or a
// unique_together whose columns start with the same columns in the same
// order. A unique constraint is covered only by a unique one of the same
// columns (its uniqueness is what it adds). The first of two identical
// declarations is left alone; the second is reported.
func coveredBy(m *project.Model, declared []declaredIndex, i int) string {
	d := declared[i]
	for j, o := range declared {
		if j == i || !knownFields(m, o.fields) {
			continue
		}
		same := len(o.fields) == len(d.fields) && prefix(d.fields, o.fields)
		switch {
		case same && o.unique && !d.unique:
			return fmt.Sprintf("the unique constraint on line %d indexes the same columns", o.line)
		case same && j < i && (o.unique || !d.unique):
			return fmt.Sprintf("line %d declares the same columns", o.line)
		case !d.unique && len(o.fields) > len(d.fields) && prefix(d.fields, o.fields):
			return fmt.Sprintf("the %s on (`%s`), line %d, starts with the same columns and serves the same lookups", indexKind(o), strings.Join(o.fields, "`, `"), o.line)
		}
	}
	if d.unique {
		return ""
	}
	for _, ut := range m.Meta.UniqueTogether {
		fields := trimDesc(ut)
		if len(fields) >= len(d.fields) && prefix(d.fields, fields) {
			return fmt.Sprintf("`unique_together` on (`%s`) starts with the same columns and serves the same lookups", strings.Join(fields, "`, `"))
		}
	}
	return ""
}

func indexKind(d declaredIndex) string {
	if d.unique {
		return "unique constraint"
	}
	return "index"
}

// prefix reports whether a is a prefix of b.
func prefix(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

func trimDesc(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = strings.TrimPrefix(f, "-")
	}
	return out
}

// knownFields reports fields the model graph knows on m (a field of an
// unresolved base is not judged).
func knownFields(m *project.Model, fields []string) bool {
	for _, f := range fields {
		if f != "pk" && f != "id" && m.Field(f) == nil && m.FKColumn(f) == nil {
			return false
		}
	}
	return len(fields) > 0
}

// plainIndexKeywords are the keywords of an Index that leave it a plain
// B-tree index over its fields.
var plainIndexKeywords = map[string]bool{"fields": true, "name": true, "db_tablespace": true}

// metaIndexes reads the Meta class of cls: its indexes and constraints
// that are plain B-tree indexes or unconditional unique constraints over
// named fields, in source order.
func metaIndexes(p *analyzer.Pass, cls pyast.Node) []declaredIndex {
	var out []declaredIndex
	for _, st := range pyast.Statements(pyast.Body(cls)) {
		if st.Type() != "class_definition" || pyast.DefName(st) != "Meta" {
			continue
		}
		for _, s := range pyast.Statements(pyast.Body(st)) {
			a := s.NamedChild(0)
			if s.Type() != "expression_statement" || a.Type() != "assignment" {
				continue
			}
			attr := a.ChildByField("left").Text()
			if attr != "indexes" && attr != "constraints" {
				continue
			}
			list := pyast.Unparen(a.ChildByField("right"))
			if !list.Is("list", "tuple") {
				continue
			}
			for _, e := range list.NamedChildren() {
				c, ok := pyast.AsCall(e)
				if !ok || len(c.Positional) > 0 || c.StarArgs || c.StarKwargs {
					continue
				}
				callee := pyast.Dotted(c.Func)
				callee = callee[strings.LastIndex(callee, ".")+1:]
				unique := callee == "UniqueConstraint"
				if attr == "indexes" && callee != "Index" && callee != "BTreeIndex" || attr == "constraints" && !unique {
					continue
				}
				plain := true
				for k := range c.EachKeyword() {
					if !plainIndexKeywords[k] {
						plain = false
					}
				}
				if !plain {
					continue
				}
				var fields []string
				fl := pyast.Unparen(c.Keyword("fields"))
				if !fl.Is("list", "tuple") {
					continue
				}
				for _, f := range fl.NamedChildren() {
					s, ok := pyast.StringValue(f)
					if !ok {
						fields = nil
						break
					}
					fields = append(fields, strings.TrimPrefix(s, "-"))
				}
				if len(fields) == 0 {
					continue
				}
				out = append(out, declaredIndex{node: e, fields: fields, unique: unique, line: p.File.Position(e.StartByte()).Line})
			}
		}
	}
	return out
}
