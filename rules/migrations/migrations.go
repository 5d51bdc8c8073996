// Package migrations holds the MIG family: Django migrations judged for
// zero-downtime safety one operation at a time, and the migration graph of
// each app judged as a whole. Everything comes from the migration facts of
// analyzer/project: nothing is imported, executed or migrated.
//
// A general rule runs through the per-operation checks: an operation on a
// model created in the same migration, or any operation of an `initial`
// migration, touches a table that has no rows yet and is never reported for
// locking or data reasons. The operations of a squashed migration (one that
// `replaces` others) are treated alike: databases that applied the originals
// never run them.
package migrations

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

func rng(s project.Span) analyzer.Range { return analyzer.Range{Start: s.Start, End: s.End} }

// opCtx is what a per-operation check knows around one operation.
type opCtx struct {
	p  *analyzer.Pass
	m  *project.Migration
	ix *project.MigrationIndex
	// label is the app label of the migration.
	label string
	// created holds the models created by CreateModel in this migration.
	created map[string]bool
	// noTable holds proxy and unmanaged models created in this migration.
	noTable map[string]bool
	// separate is set inside SeparateDatabaseAndState(database_operations=...).
	separate bool
	// state is the schema just before the operation: the app's earlier
	// migrations replayed, then this migration's earlier operations. Nil
	// unless the walk asked for it.
	state *project.SchemaState
	// start is the schema when the migration starts, computed on demand.
	start *project.SchemaState
}

// newTable reports whether op targets a table that cannot hold rows yet, or
// runs only where the table is new: a squashed migration (one with
// `replaces`) replays history that existing databases already applied
// through the originals; Django runs its operations only on a database
// that has none of them.
func (c *opCtx) newTable(op *project.Operation) bool {
	return c.m.Initial || c.created[op.Model] || len(c.m.Replaces) > 0
}

// fieldBefore returns the state of model.field before the operation, or nil.
func (c *opCtx) fieldBefore(model, field string) *project.FieldSpec {
	if c.state == nil {
		return nil
	}
	ms := c.state.Models[model]
	if ms == nil || ms.Inconclusive != nil {
		return nil
	}
	return ms.Fields[field]
}

func (c *opCtx) modelBefore(model string) *project.ModelState {
	if c.state == nil {
		return nil
	}
	return c.state.Models[model]
}

// eachOp calls fn for every operation of the pass's migration, the database
// operations of SeparateDatabaseAndState included (with c.separate set).
// With withState, c.state tracks the schema before each operation.
// Operations on proxy and unmanaged models are skipped; the proxy/unmanaged
// status of a model from an earlier migration is known only withState.
func eachOp(p *analyzer.Pass, withState bool, fn func(c *opCtx, op *project.Operation)) {
	ix := &p.Project.Migrations
	m := ix.ByPath[p.File.Rel]
	if m == nil {
		return
	}
	c := &opCtx{p: p, m: m, ix: ix, created: map[string]bool{}, noTable: map[string]bool{}, label: m.DirLabel}
	if a := ix.App(m); a != nil {
		c.label = a.Label
	}
	for _, op := range m.Operations {
		if op.Kind == "CreateModel" {
			c.created[op.Model] = true
			if op.NoTable {
				c.noTable[op.Model] = true
			}
		}
	}
	if withState {
		c.state = ix.StateBefore(m)
	}
	for _, op := range m.Operations {
		c.separate = false
		if ms := c.modelBefore(op.Model); op.Model != "" && (c.noTable[op.Model] || ms != nil && ms.NoTable) {
			// A proxy or unmanaged model: Django changes no table for it.
			if c.state != nil {
				c.state.Apply(m, op)
			}
			continue
		}
		fn(c, op)
		for _, d := range op.DatabaseOps {
			c.separate = true
			fn(c, d)
		}
		if c.state != nil {
			c.state.Apply(m, op)
		}
	}
}

// runPythonOps returns the RunPython operations of the pass's migration.
func runPythonOps(p *analyzer.Pass) (*project.Migration, []*project.Operation) {
	m := p.Project.Migrations.ByPath[p.File.Rel]
	if m == nil {
		return nil, nil
	}
	var out []*project.Operation
	var add func(ops []*project.Operation)
	add = func(ops []*project.Operation) {
		for _, op := range ops {
			if op.Known && op.Kind == "RunPython" {
				out = append(out, op)
			}
			add(op.DatabaseOps)
		}
	}
	add(m.Operations)
	return m, out
}

// addedSet returns the first field set of now that was not in before
// (unique_together / index_together values), or nil.
func addedSet(before, now [][]string) []string {
	had := map[string]bool{}
	for _, s := range before {
		had[strings.Join(s, ",")] = true
	}
	for _, s := range now {
		if !had[strings.Join(s, ",")] {
			return s
		}
	}
	return nil
}
