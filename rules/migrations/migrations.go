// Package migrations holds the MIG family: Django migrations judged for
// zero-downtime safety one operation at a time, and the migration graph of
// each app judged as a whole. Everything comes from the migration facts of
// analyzer/project: nothing is imported, executed or migrated.
//
// The per-migration rules (MIG001-MIG010) judge only migrations not yet
// released (project.MigrationIndex.SelectReleased): by default each app's
// latest, or what the `released` option leaves out. The option is
// declared on each of them (releasedOption) and shared: set once, it
// applies to all.
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
	// withState allows schema() to replay; idx is the current operation.
	withState bool
	idx       int
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
	ms := c.modelBefore(model)
	if ms == nil || ms.Inconclusive != nil {
		return nil
	}
	return ms.Fields[field]
}

// modelBefore returns the state of model before the operation, or nil.
func (c *opCtx) modelBefore(model string) *project.ModelState {
	if s := c.schema(); s != nil {
		return s.Models[model]
	}
	return nil
}

// schema returns the schema just before the current operation, replaying
// the app's history the first time a check asks for it: most migrations
// never need it.
func (c *opCtx) schema() *project.SchemaState {
	if c.state == nil && c.withState {
		c.state = c.stateBefore()
		for _, op := range c.m.Operations[:c.idx] {
			c.state.Apply(c.m, op)
		}
	}
	return c.state
}

// stateBefore returns a copy of the schema before the migration: the
// replay of the app's history is done once per file and shared by the
// rules (each changes its copy as it walks the operations).
func (c *opCtx) stateBefore() *project.SchemaState {
	return stateBeforeOf.Get(c.p.Unit, c.p.Project).Clone()
}

// stateBeforeOf is the schema before the file's migration.
var stateBeforeOf = &project.FileAnalysis[*project.SchemaState]{Name: "migrations.stateBefore", Run: func(u *project.Unit, ix *project.Index) *project.SchemaState {
	return ix.Migrations.StateBefore(ix.Migrations.ByPath[u.File.Rel])
}}

// eachOp calls fn for every operation of the pass's migration, the database
// operations of SeparateDatabaseAndState included (with c.separate set).
// With withState, c.modelBefore and c.fieldBefore see the schema before
// each operation. Operations on proxy and unmanaged models (created here
// or, withState, earlier in the app) are skipped: Django changes no table
// for them.
func eachOp(p *analyzer.Pass, withState bool, fn func(c *opCtx, op *project.Operation)) {
	ix := &p.Project.Migrations
	m := ix.ByPath[p.File.Rel]
	if m == nil || !ix.Judged(m) || project.IsTestPath(p.File.Rel) {
		return // a test app's migrations are never applied to a production table
	}
	c := &opCtx{p: p, m: m, ix: ix, created: map[string]bool{}, noTable: map[string]bool{}, label: m.DirLabel,
		withState: withState}
	a := ix.App(m)
	if a != nil {
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
	for i, op := range m.Operations {
		c.idx = i
		c.separate = false
		noTable := c.noTable[op.Model]
		if !noTable && withState && a != nil && a.NoTable[op.Model] {
			ms := c.modelBefore(op.Model)
			noTable = ms != nil && ms.NoTable
		}
		if op.Model != "" && noTable {
			// A proxy or unmanaged model: Django changes no table for it.
		} else {
			fn(c, op)
			for _, d := range op.DatabaseOps {
				c.separate = true
				fn(c, d)
			}
		}
		if c.state != nil {
			c.state.Apply(m, op)
		}
	}
}

// runPythonOps returns the RunPython operations of the pass's migration.
func runPythonOps(p *analyzer.Pass) (*project.Migration, []*project.Operation) {
	m := p.Project.Migrations.ByPath[p.File.Rel]
	if m == nil || !p.Project.Migrations.Judged(m) || project.IsTestPath(p.File.Rel) {
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

// releasedOption is the shared `released` option of the per-migration
// rules; the driver reads it from whichever of them it is set under.
var releasedOptions = []analyzer.Option{releasedOption, releasedRevisionOption}

var releasedRevisionOption = analyzer.Option{
	Name:    "released-revision",
	Default: "",
	Doc: "a git revision production runs (`\"v2.3.0\"`, `\"origin/main\"`): the migrations present at it are not judged, " +
		"every other one is. Read with go-git, no git command runs. Wins over `released`; shared by MIG001-MIG010.",
}

var releasedOption = analyzer.Option{
	Name:    "released",
	Default: []string{},
	Doc: "the last migration production has applied, per app, as `app_label.migration_name` " +
		"(`[\"shop.0012_order_total\"]`); earlier migrations of a listed app are not judged, apps not listed are judged whole, " +
		"`[\"none\"]` judges every migration. Unset, only each app's latest migration(s) are judged, and none of an app whose migrations were all generated (makemigrations' date header) within 14 days of each other: its tables are new to the code under review. " +
		"Shared by MIG001-MIG010: set it under any one of them.",
}
