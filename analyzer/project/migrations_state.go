package project

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
)

// SchemaState is the schema of one app's models as its migrations declare
// it: the result of replaying their operations, as Django's ProjectState
// does, without executing anything.
type SchemaState struct {
	// Models by lower-cased name.
	Models map[string]*ModelState
	// Unknown lists custom operations met while replaying that name no
	// model: any model may have changed in ways rubric cannot see.
	Unknown []*Operation
}

// ModelState is one model in a SchemaState.
type ModelState struct {
	Name  string // as written in CreateModel (or RenameModel's new_name)
	Table string // db_table, when set
	// NoTable marks proxy and unmanaged models: no table of their own.
	NoTable bool
	// Fields by name, with Order keeping declaration order.
	Fields map[string]*FieldSpec
	Order  []string
	// Indexes and Constraints by name.
	Indexes     map[string]*IndexSpec
	Constraints map[string]*ConstraintSpec
	UniqueTogether,
	IndexTogether [][]string
	// Created is the migration whose CreateModel made it; nil when an
	// operation touched a model no replayed migration created.
	Created *Migration
	// Inconclusive names the operation that changed this model in a way
	// rubric cannot decode (a custom operation, a computed argument).
	Inconclusive *Operation
}

func newModelState(name string) *ModelState {
	return &ModelState{Name: name, Fields: map[string]*FieldSpec{}, Indexes: map[string]*IndexSpec{},
		Constraints: map[string]*ConstraintSpec{}}
}

func (s *SchemaState) model(key string) *ModelState {
	ms := s.Models[key]
	if ms == nil {
		ms = newModelState(key)
		s.Models[key] = ms
	}
	return ms
}

// Apply replays one operation of migration m.
func (s *SchemaState) Apply(m *Migration, op *Operation) {
	if op.Known && op.Opaque && op.Model == "" {
		s.Unknown = append(s.Unknown, op) // unreadable state_operations
		return
	}
	if !op.Known {
		if model := strings.ToLower(strings.Trim(op.Kwargs["model_name"], `"'`)); model != "" && s.Models[model] != nil {
			s.Models[model].Inconclusive = op
		} else {
			s.Unknown = append(s.Unknown, op)
		}
		return
	}
	switch op.Kind {
	case "CreateModel":
		ms := newModelState(op.Name)
		ms.Created = m
		ms.Table = op.Table
		ms.NoTable = op.NoTable
		for _, f := range op.Fields {
			ms.addField(f)
		}
		for _, ix := range op.Indexes {
			ms.Indexes[ix.Name] = ix
		}
		for _, c := range op.Constraints {
			ms.Constraints[c.Name] = c
		}
		ms.UniqueTogether, ms.IndexTogether = op.UniqueTogether, op.IndexTogether
		if op.Opaque {
			ms.Inconclusive = op
		}
		s.Models[op.Model] = ms
	case "DeleteModel":
		delete(s.Models, op.Model)
	case "RenameModel":
		ms := s.model(op.Model)
		delete(s.Models, op.Model)
		ms.Name = op.NewName
		s.Models[strings.ToLower(op.NewName)] = ms
	case "AlterModelTable":
		s.model(op.Model).Table = op.Table
	case "AddField", "AlterField":
		if op.Field == nil {
			s.model(op.Model).Inconclusive = op
			return
		}
		s.model(op.Model).addField(op.Field)
	case "RemoveField":
		ms := s.model(op.Model)
		if _, ok := ms.Fields[op.Name]; ok {
			delete(ms.Fields, op.Name)
			ms.Order = removeName(ms.Order, op.Name)
		}
	case "RenameField":
		ms := s.model(op.Model)
		if f, ok := ms.Fields[op.OldName]; ok {
			delete(ms.Fields, op.OldName)
			g := *f
			g.Name = op.NewName
			ms.Fields[op.NewName] = &g
			for i, n := range ms.Order {
				if n == op.OldName {
					ms.Order[i] = op.NewName
				}
			}
		}
	case "AddIndex", "AddIndexConcurrently":
		for _, ix := range op.Indexes {
			s.model(op.Model).Indexes[ix.Name] = ix
		}
	case "RemoveIndex", "RemoveIndexConcurrently":
		delete(s.model(op.Model).Indexes, op.Name)
	case "RenameIndex":
		ms := s.model(op.Model)
		if ix, ok := ms.Indexes[op.OldName]; ok {
			delete(ms.Indexes, op.OldName)
			j := *ix
			j.Name = op.NewName
			ms.Indexes[op.NewName] = &j
		}
	case "AddConstraint", "AddConstraintNotValid", "AlterConstraint":
		for _, c := range op.Constraints {
			s.model(op.Model).Constraints[c.Name] = c
		}
	case "RemoveConstraint":
		delete(s.model(op.Model).Constraints, op.Name)
	case "AlterUniqueTogether":
		ms := s.model(op.Model)
		if !op.TogetherKnown {
			ms.Inconclusive = op
		}
		ms.UniqueTogether = op.UniqueTogether
	case "AlterIndexTogether":
		ms := s.model(op.Model)
		if !op.TogetherKnown {
			ms.Inconclusive = op
		}
		ms.IndexTogether = op.IndexTogether
	case "SeparateDatabaseAndState":
		for _, o := range op.StateOps {
			s.Apply(m, o)
		}
	case "RunSQL":
		for _, o := range op.StateOps {
			s.Apply(m, o)
		}
	}
}

// Clone returns a copy of s that Apply can change without touching s: the
// models, their maps and field order are copied; the specs, which Apply
// never changes in place, are shared.
func (s *SchemaState) Clone() *SchemaState {
	out := &SchemaState{Models: make(map[string]*ModelState, len(s.Models)), Unknown: slices.Clip(slices.Clone(s.Unknown))}
	for k, ms := range s.Models {
		c := *ms
		c.Fields = maps.Clone(ms.Fields)
		c.Order = slices.Clip(slices.Clone(ms.Order))
		c.Indexes = maps.Clone(ms.Indexes)
		c.Constraints = maps.Clone(ms.Constraints)
		out.Models[k] = &c
	}
	return out
}

func (ms *ModelState) addField(f *FieldSpec) {
	if _, ok := ms.Fields[f.Name]; !ok {
		ms.Order = append(ms.Order, f.Name)
	}
	ms.Fields[f.Name] = f
}

func removeName(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// Resolve finds the migration of app a that a dependency named name, written
// in from, leads to: the squashed migration when name was replaced (unless
// from is itself one of the replaced migrations), else name itself.
func (a *MigrationApp) Resolve(from *Migration, name string) *Migration {
	if sq := a.Replaced[name]; sq != nil && sq != from && a.Replaced[from.Name] != sq {
		return sq
	}
	return a.ByName[name]
}

// Before returns the migrations of m's app that m depends on, directly or
// not, in an order where each comes after its own dependencies.
func (mi *MigrationIndex) Before(m *Migration) []*Migration {
	a := mi.App(m)
	if a == nil {
		return nil
	}
	seen := map[*Migration]bool{m: true}
	var order []*Migration
	var visit func(x *Migration, depth int)
	visit = func(x *Migration, depth int) {
		if depth > 10000 {
			return
		}
		deps := make([]string, 0, len(x.Dependencies))
		for _, d := range x.Dependencies {
			if d.App == a.Label && !d.Swappable {
				deps = append(deps, d.Name)
			}
		}
		sort.Strings(deps)
		for _, name := range deps {
			y := a.Resolve(x, name)
			if y == nil || seen[y] {
				continue
			}
			seen[y] = true
			visit(y, depth+1)
			order = append(order, y)
		}
	}
	visit(m, 0)
	return order
}

// StateBefore replays the migrations m depends on within its app and
// returns the schema they leave. The caller owns the result.
func (mi *MigrationIndex) StateBefore(m *Migration) *SchemaState {
	if mi.states == nil || mi.App(m) == nil {
		return mi.replayBefore(m)
	}
	mi.states.mu.Lock()
	defer mi.states.mu.Unlock()
	return mi.states.before(mi, m, 0).Clone()
}

// replayBefore is StateBefore computed from scratch.
func (mi *MigrationIndex) replayBefore(m *Migration) *SchemaState {
	s := &SchemaState{Models: map[string]*ModelState{}}
	for _, x := range mi.Before(m) {
		for _, op := range x.Operations {
			s.Apply(x, op)
		}
	}
	return s
}

// stateMemo shares replays between the migrations of an app: in a history
// where a migration depends on one other of its app (nearly always), the
// state before it is the state after that one, so each state is computed
// from its parent's instead of replaying the app's history again, which
// made the states of an app with n migrations cost n²/2 replays.
type stateMemo struct {
	mu      sync.Mutex
	after   map[*Migration]*SchemaState // immutable once stored
	acyclic map[*MigrationApp]bool      // the app's dependencies never loop
}

// maxMemoDepth bounds the recursion through parents; deeper chains are
// replayed (Before's own walk stops at 10000 levels).
const maxMemoDepth = 2000

// before returns the (shared, immutable) state before m.
func (sm *stateMemo) before(mi *MigrationIndex, m *Migration, depth int) *SchemaState {
	a := mi.App(m)
	ok, known := sm.acyclic[a]
	if !known {
		ok = acyclic(a)
		sm.acyclic[a] = ok
	}
	if d := onlyParent(a, m); ok && d != nil && depth < maxMemoDepth {
		return sm.afterOf(mi, d, depth+1)
	}
	return mi.replayBefore(m)
}

// afterOf returns the state after d. It equals replaying Before(d) and
// then d: by induction, since before only takes a parent's state when
// that is the replay of Before.
func (sm *stateMemo) afterOf(mi *MigrationIndex, d *Migration, depth int) *SchemaState {
	if s, ok := sm.after[d]; ok {
		return s
	}
	s := sm.before(mi, d, depth).Clone()
	for _, op := range d.Operations {
		s.Apply(d, op)
	}
	sm.after[d] = s
	return s
}

// onlyParent returns the one migration of app a that m depends on
// directly when there is exactly one, else nil. In an acyclic history,
// Before(m) is then Before(parent) followed by the parent, so the state
// before m is the state after the parent.
func onlyParent(a *MigrationApp, m *Migration) *Migration {
	var parent *Migration
	for _, y := range inAppDeps(a, m) {
		if parent != nil && parent != y {
			return nil
		}
		parent = y
	}
	return parent
}

// inAppDeps are the migrations of a that m depends on directly, as Before
// resolves them (m itself left out).
func inAppDeps(a *MigrationApp, m *Migration) []*Migration {
	var out []*Migration
	for _, d := range m.Dependencies {
		if d.App != a.Label || d.Swappable {
			continue
		}
		if y := a.Resolve(m, d.Name); y != nil && y != m {
			out = append(out, y)
		}
	}
	return out
}

// acyclic reports whether no migration of a depends, directly or not, on
// itself.
func acyclic(a *MigrationApp) bool {
	const (
		unseen = iota
		open
		done
	)
	state := map[*Migration]int{}
	// An explicit stack: a history may be thousands of migrations deep.
	type frame struct {
		m    *Migration
		deps []*Migration
	}
	for _, root := range a.Migrations {
		if state[root] != unseen {
			continue
		}
		state[root] = open
		stack := []frame{{root, inAppDeps(a, root)}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if len(top.deps) == 0 {
				state[top.m] = done
				stack = stack[:len(stack)-1]
				continue
			}
			y := top.deps[0]
			top.deps = top.deps[1:]
			switch state[y] {
			case open:
				return false
			case unseen:
				state[y] = open
				stack = append(stack, frame{y, inAppDeps(a, y)})
			}
		}
	}
	return true
}

// Leaves returns the app's leaf migrations: those no other migration of the
// app depends on (through run_before too), with migrations replaced by a
// squashed migration of the app left out.
func (a *MigrationApp) Leaves() []*Migration {
	hasChild := map[*Migration]bool{}
	for _, m := range a.Migrations {
		for _, d := range m.Dependencies {
			if d.App == a.Label && !d.Swappable {
				if y := a.Resolve(m, d.Name); y != nil {
					hasChild[y] = true
				}
			}
		}
		for _, r := range m.RunBefore {
			if r.App == a.Label && a.ByName[r.Name] != nil {
				hasChild[m] = true
			}
		}
	}
	var out []*Migration
	for _, m := range a.Migrations {
		if !hasChild[m] && a.Replaced[m.Name] == nil {
			out = append(out, m)
		}
	}
	return out
}

// StateOf replays every migration of the app, in dependency order, leaving
// out migrations replaced by a squashed one.
func (mi *MigrationIndex) StateOf(a *MigrationApp) *SchemaState {
	s := &SchemaState{Models: map[string]*ModelState{}}
	done := map[*Migration]bool{}
	for _, leaf := range a.Leaves() {
		for _, x := range append(mi.Before(leaf), leaf) {
			if done[x] {
				continue
			}
			done[x] = true
			for _, op := range x.Operations {
				s.Apply(x, op)
			}
		}
	}
	return s
}
