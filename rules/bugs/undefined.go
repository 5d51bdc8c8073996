package bugs

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
	"github.com/rubric-dev/rubric/analyzer/semantic/pyidiom"
)

//go:embed undefined.md
var undefinedDoc string

// UndefinedName reports names used but bound nowhere they could come from.
var UndefinedName = &analyzer.Rule{
	Code:              "BUG005",
	Name:              "undefined-name",
	Doc:               undefinedDoc,
	Category:          analyzer.Correctness,
	Severity:          analyzer.Error,
	Confidence:        analyzer.High,
	Since:             "0.2.0",
	SkipOnSyntaxError: true,
	Skip:              semantic.Migration | semantic.Settings,
	Run:               runUndefinedName,
}

// builtinNames are Python 3's builtins, module attributes every module
// has, and names that are builtins somewhere (Python 2, Windows, IPython,
// gettext's `_`): never reported.
var builtinNames = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr
	classmethod compile complex copyright credits delattr dict dir divmod enumerate eval exec exit filter float format
	frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len license list locals
	map max memoryview min next object oct open ord pow print property quit range repr reversed round set setattr
	slice sorted staticmethod str sum super tuple type vars zip __import__ __build_class__ Ellipsis NotImplemented
	BaseException BaseExceptionGroup Exception ExceptionGroup GeneratorExit KeyboardInterrupt SystemExit
	ArithmeticError AssertionError AttributeError BufferError EOFError FloatingPointError ImportError
	ModuleNotFoundError IndexError KeyError LookupError MemoryError NameError NotImplementedError OSError
	EnvironmentError IOError OverflowError RecursionError ReferenceError RuntimeError StopAsyncIteration
	StopIteration SyntaxError IndentationError TabError SystemError TypeError UnboundLocalError UnicodeError
	UnicodeDecodeError UnicodeEncodeError UnicodeTranslateError ValueError ZeroDivisionError BlockingIOError
	ChildProcessError ConnectionError BrokenPipeError ConnectionAbortedError ConnectionRefusedError
	ConnectionResetError FileExistsError FileNotFoundError InterruptedError IsADirectoryError NotADirectoryError
	PermissionError ProcessLookupError TimeoutError PythonFinalizationError Warning UserWarning DeprecationWarning
	PendingDeprecationWarning SyntaxWarning RuntimeWarning FutureWarning ImportWarning UnicodeWarning BytesWarning
	ResourceWarning EncodingWarning
	__name__ __file__ __doc__ __builtins__ __spec__ __loader__ __package__ __path__ __annotations__ __debug__
	__class__ __module__ __qualname__ __dict__ __cached__
	_ WindowsError unicode basestring long xrange raw_input unichr reduce execfile file cmp buffer apply intern
	coerce reload StandardError get_ipython display reveal_type reveal_locals`) {
		builtinNames[n] = true
	}
}

// commonImports name the import that binds a well-known name.
var commonImports = map[string]string{
	"settings": "from django.conf import settings", "models": "from django.db import models",
	"transaction": "from django.db import transaction", "timezone": "from django.utils import timezone",
	"Decimal": "from decimal import Decimal", "json": "import json", "logging": "import logging",
	"logger": "logger = logging.getLogger(__name__)", "os": "import os", "datetime": "import datetime",
	"timedelta": "from datetime import timedelta", "uuid": "import uuid", "requests": "import requests",
	"Q": "from django.db.models import Q", "F": "from django.db.models import F",
	"get_object_or_404": "from django.shortcuts import get_object_or_404", "status": "from rest_framework import status",
	"Response": "from rest_framework.response import Response", "serializers": "from rest_framework import serializers",
	"JsonResponse": "from django.http import JsonResponse", "HttpResponse": "from django.http import HttpResponse",
	"hmac": "import hmac", "hashlib": "import hashlib", "time": "import time", "re": "import re",
	"IntegrityError": "from django.db import IntegrityError", "ValidationError": "from django.core.exceptions import ValidationError",
}

// isScopeNode reports the node types that open a scope of their own.
func isScopeNode(typ string) bool {
	switch typ {
	case "function_definition", "class_definition", "lambda",
		"list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression":
		return true
	}
	return false
}

// isPatternParent reports the node types through which an assignment
// target reaches its identifiers.
func isPatternParent(typ string) bool {
	switch typ {
	case "pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "tuple", "list",
		"parenthesized_expression", "expression_list", "as_pattern_target", "list_splat":
		return true
	}
	return false
}

// fileKinds says which rare node types a file has at all, so that the
// walks looking for them are skipped in the files without any.
type fileKinds struct {
	casePattern, typeAlias, typeParameter bool
}

func kindsOf(root pyast.Node) fileKinds {
	return fileKinds{
		casePattern:   len(pyast.FindAll(root, "case_pattern")) > 0,
		typeAlias:     len(pyast.FindAll(root, "type_alias_statement")) > 0,
		typeParameter: len(pyast.FindAll(root, "type_parameter")) > 0,
	}
}

// runUndefinedName matches identifiers read in a file that no scope they
// can see binds: not the enclosing functions (parameters, assignments,
// loop and with targets, imports, nested definitions, walrus), not the
// class body they are directly in, not the module (any statement at module
// level, `global` declarations included), not a builtin. Files with a star
// import, exec(), globals(), locals() or vars() may bind names rubric
// cannot see and are skipped; so are names read only in annotations (they
// may never be evaluated), names under `try` with an `except NameError`
// (or a broader handler), settings modules (often exec'd with a
// namespace) and migrations. One finding per name and file, at the first
// read; the others are related locations.
func runUndefinedName(p *analyzer.Pass) error {
	root := p.Root
	if opensNamespace(root) {
		return nil
	}
	// Sized at once: growing it was a third of the rule's time.
	scopes := make(bindings, pyast.CountOf(root, "identifier")/2)
	bind := func(scope pyast.Node, name string) { scopes[scopedName{scope.ID(), name}] = struct{}{} }
	type use struct {
		id    pyast.Node
		scope pyast.Node
	}
	var uses []use
	up := outerScopes{}
	kinds := kindsOf(root)
	for id := range pyast.FindEach(root, "identifier") {
		role, scope := classify(id, root, kinds)
		switch role {
		case roleBind:
			bind(scope, id.Text())
		case roleGlobal:
			bind(root, id.Text())
		case roleUse:
			// A name bound by now stays bound (bindings are only added):
			// only the reads not yet bound are kept for the check below.
			if name := id.Text(); !builtinNames[name] && !bound(scopes, scope, name, root, &up) {
				uses = append(uses, use{id, scope})
			}
		}
	}
	first := map[string]int{}
	var diags []analyzer.Diagnostic
	// The names visible from a scope, sorted: worked out once per scope,
	// not once per undefined name (a file of thousands of them).
	visible := map[int32][]string{}
	namesFrom := func(scope pyast.Node) []string {
		if c, ok := visible[scope.ID()]; ok {
			return c
		}
		c := visibleNames(scopes, scope, root)
		visible[scope.ID()] = c
		return c
	}
	for _, u := range uses {
		name := u.id.Text()
		if builtinNames[name] || bound(scopes, u.scope, name, root, &up) || guardedByNameError(u.id) {
			continue
		}
		k := name
		if i, ok := first[k]; ok {
			diags[i].Related = append(diags[i].Related, analyzer.Related{Range: analyzer.RangeOf(u.id), Message: fmt.Sprintf("`%s` read here too", name)})
			continue
		}
		first[k] = len(diags)
		diags = append(diags, analyzer.Diagnostic{
			Range:   analyzer.RangeOf(u.id),
			Message: fmt.Sprintf("`%s` is not defined: nothing in this file binds it and it is not a builtin, so this line raises `NameError`", name),
			Help:    undefinedHelp(name, namesFrom(u.scope), len(diags) < maxSuggested),
		})
	}
	for _, d := range diags {
		p.Report(d)
	}
	return nil
}

type role uint8

const (
	roleSkip role = iota
	roleUse
	roleBind
	roleGlobal // `global x`: binds x at module level
)

// classify says what an identifier does and in which scope.
func classify(id, root pyast.Node, kinds fileKinds) (role, pyast.Node) {
	par := id.Parent()
	field := id.Field()
	if !kinds.casePattern && !kinds.typeAlias {
		// The names of `x.name` and `f(name=...)`, skipped below, need no
		// scope (a third of the identifiers): skipped before looking it up.
		switch par.Type() {
		case "attribute":
			if field == "attribute" {
				return roleSkip, pyast.Node{}
			}
		case "keyword_argument":
			if field == "name" {
				return roleSkip, pyast.Node{}
			}
		}
	}
	scope := scopeOf(id, root)
	if kinds.casePattern && !pyast.Ancestor(id, "case_pattern").IsNil() {
		return roleBind, scope // captures (and class names) of a match pattern
	}
	if kinds.typeAlias {
		if ta := pyast.Ancestor(id, "type_alias_statement"); !ta.IsNil() {
			// `type ID = int` binds ID; the rest is an annotation.
			if name := ta.NamedChild(0); name.Contains(id) && (par.Equal(name) || par.Type() == "generic_type" && par.NamedChild(0).Equal(id)) {
				return roleBind, scope
			}
			return roleSkip, scope
		}
	}
	switch par.Type() {
	case "attribute":
		if field == "attribute" {
			return roleSkip, scope
		}
	case "keyword_argument":
		if field == "name" {
			return roleSkip, scope
		}
	case "dotted_name", "import_statement", "import_from_statement", "aliased_import", "future_import_statement",
		"relative_import", "import_prefix":
		return importRole(id, root)
	case "global_statement":
		return roleGlobal, scope
	case "except_clause":
		// `except ValueError, e:` (Python 2, reported by SYN001) binds e.
		if pyast.Python2ExceptName(par).Equal(id) {
			return roleBind, scope
		}
	case "nonlocal_statement":
		return roleSkip, scope
	case "function_definition", "class_definition":
		if field == "name" {
			return roleBind, scopeOf(par, root)
		}
	case "parameters", "lambda_parameters", "list_splat_pattern", "dictionary_splat_pattern", "typed_parameter":
		if inParams(id) {
			return roleBind, scope
		}
	case "default_parameter", "typed_default_parameter":
		if field == "name" {
			return roleBind, scope
		}
	case "named_expression":
		if field == "name" {
			for scope.Type() != "" && isComprehension(scope) {
				scope = scopeOf(scope, root) // the walrus binds in the enclosing function
			}
			return roleBind, scope
		}
	}
	// Targets of assignments, loops, with/except `as`.
	for cur, p := id, par; !p.IsNil(); cur, p = p, p.Parent() {
		switch pt := p.Type(); {
		case pt == "splat_type" && kinds.typeParameter && !pyast.Ancestor(id, "type_parameter").IsNil():
			continue // `*Ts` or `**P` declared in a PEP 695 parameter list
		case pt == "type" || pt == "type_parameter":
			if !kinds.typeParameter || pyast.Ancestor(id, "type_parameter").IsNil() {
				return roleSkip, scope // an annotation
			}
			return roleBind, scope
		case pt == "assignment" || pt == "augmented_assignment" || pt == "for_statement" || pt == "for_in_clause":
			if cur.Field() == "left" {
				if pt == "for_in_clause" {
					return roleBind, p.Parent() // local to the comprehension
				}
				return roleBind, scope
			}
			return roleUse, scope
		case pt == "as_pattern_target" || pt == "as_pattern" && cur.Field() == "alias":
			return roleBind, scope
		case pt == "delete_statement":
			return roleSkip, scope
		case isPatternParent(pt):
			continue
		default:
			return roleUse, scope
		}
	}
	return roleUse, scope
}

// importRole: the names an import binds (`import a.b` binds a, `from x
// import y as z` binds z), at the import's scope.
func importRole(id, root pyast.Node) (role, pyast.Node) {
	stmt := pyast.Ancestor(id, "import_statement", "import_from_statement", "future_import_statement")
	if stmt.IsNil() {
		return roleSkip, pyast.Node{} // a dotted name in a pattern
	}
	scope := scopeOf(stmt, root)
	if stmt.Type() == "future_import_statement" {
		return roleSkip, scope
	}
	par := id.Parent()
	if par.Type() == "aliased_import" && id.Field() == "alias" {
		return roleBind, scope
	}
	if par.Type() != "dotted_name" {
		return roleSkip, scope
	}
	d := par
	if d.Field() == "module_name" || d.Parent().Type() == "relative_import" {
		return roleSkip, scope
	}
	if d.Parent().Type() == "aliased_import" {
		return roleSkip, scope // `import a.b as c`: c is bound, not a
	}
	if stmt.Type() == "import_statement" {
		if d.NamedChild(0).Equal(id) {
			return roleBind, scope // `import a.b` binds a
		}
		return roleSkip, scope
	}
	return roleBind, scope // from x import y
}

// inParams reports an identifier that is a parameter name (not inside a
// default value or annotation).
func inParams(id pyast.Node) bool {
	for p := id.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "parameters", "lambda_parameters":
			return true
		case "list_splat_pattern", "dictionary_splat_pattern", "typed_parameter":
			continue
		default:
			return false
		}
	}
	return false
}

// scopeOf returns the scope node whose names n reads: the nearest enclosing
// function, lambda, class or comprehension, except that default values,
// decorators and bases are read in the scope around their definition.
func scopeOf(n, root pyast.Node) pyast.Node {
	for cur, p := n, n.Parent(); !p.IsNil(); cur, p = p, p.Parent() {
		pt := p.Type()
		if !isScopeNode(pt) {
			continue
		}
		switch pt {
		case "function_definition", "lambda":
			// A function's PEP 695 parameters are visible in its own
			// annotations (`def get[T](self, kind: type[T]) -> type[T]`),
			// which are otherwise read in the scope around it.
			if (cur.Field() == "parameters" || cur.Field() == "return_type") && declaresTypeParam(p, n.Text()) {
				return p
			}
			if cur.Field() == "parameters" && !isParamName(n, cur) || cur.Field() == "name" || cur.Field() == "return_type" {
				continue
			}
		case "class_definition":
			// A class's PEP 695 parameters are visible in its bases
			// (`class Child[T](Base[T])`), as in its body.
			if cur.Field() == "superclasses" && declaresTypeParam(p, n.Text()) {
				return p
			}
			if cur.Field() != "body" && cur.Field() != "type_parameters" {
				continue
			}
		default:
			// A comprehension's first iterable is read outside it.
			if isFirstIterable(p, cur) {
				continue
			}
		}
		return p
	}
	return root
}

// declaresTypeParam reports whether a class or function declares a PEP
// 695 type parameter of that name (`class C[T, *Ts, **P]`, `def f[T]()`).
func declaresTypeParam(def pyast.Node, name string) bool {
	tp := def.ChildByField("type_parameters")
	if tp.IsNil() {
		return false
	}
	for id := range pyast.FindEach(tp, "identifier") {
		if id.Text() == name {
			return true
		}
	}
	return false
}

// isParamName reports whether n (inside params) is a parameter's own name
// rather than part of a default value or annotation.
func isParamName(n, params pyast.Node) bool {
	for cur := n; !cur.Equal(params); cur = cur.Parent() {
		switch cur.Field() {
		case "value", "type":
			return false
		}
	}
	return true
}

func isComprehension(n pyast.Node) bool {
	return n.Is("list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression")
}

// isFirstIterable reports whether child (a child of comprehension comp)
// is, or holds, the iterable of its first for clause.
func isFirstIterable(comp, child pyast.Node) bool {
	if child.Type() != "for_in_clause" {
		return false
	}
	for k := range comp.Named() {
		if k.Type() == "for_in_clause" {
			return k.Equal(child)
		}
	}
	return false
}

// bindings are the names each scope binds, by the scope's node id: one
// map for the file rather than one per scope.
type bindings map[scopedName]struct{}

type scopedName struct {
	scope int32
	name  string
}

// bound reports whether name is bound in scope or a scope around it that
// its code can see (class bodies only from their own body).
func bound(scopes bindings, scope pyast.Node, name string, root pyast.Node, up *outerScopes) bool {
	first := true
	for s := scope; ; s = up.of(s, root) {
		if s.Type() != "class_definition" || first {
			if _, ok := scopes[scopedName{s.ID(), name}]; ok {
				return true
			}
		} else if declaresTypeParam(s, name) {
			return true // a class's PEP 695 parameters are visible in its methods
		}
		first = false
		if s.Equal(root) {
			return false
		}
	}
}

// outerScopes remembers scopeOf of the scope nodes bound climbs through,
// asked again for every read of a name.
type outerScopes map[int32]pyast.Node

func (o *outerScopes) of(s, root pyast.Node) pyast.Node {
	if p, ok := (*o)[s.ID()]; ok {
		return p
	}
	p := scopeOf(s, root)
	(*o)[s.ID()] = p
	return p
}

// guardedByNameError reports a read inside a try whose handlers name
// NameError: the code expects the name may be missing. A broad handler
// (`except Exception`) does not count: it turns the NameError into a
// silently skipped operation, which is worse.
func guardedByNameError(id pyast.Node) bool {
	for h := range pyidiom.TryHandlers(id, pyast.Node{}) {
		if !h.Type.IsNil() && strings.Contains(h.Type.Text(), "NameError") {
			return true
		}
	}
	return false
}

// opensNamespace reports a file that may bind names rubric cannot see: a
// star import, exec(), globals(), locals() or vars().
func opensNamespace(root pyast.Node) bool {
	if len(pyast.FindAll(root, "wildcard_import")) > 0 {
		return true
	}
	for c := range pyast.FindEach(root, "call") {
		if f := c.ChildByField("function"); f.Type() == "identifier" {
			switch f.Text() {
			case "exec", "execfile", "globals", "locals", "vars", "__import__":
				return true
			}
		}
	}
	return false
}

// undefinedHelp names the import for a well-known name, else the closest
// name the scopes bind.
func undefinedHelp(name string, visible []string, suggest bool) string {
	if imp, ok := commonImports[name]; ok {
		return fmt.Sprintf("bind it first: `%s`", imp)
	}
	if !suggest {
		return "import or assign it before this line"
	}
	if s := semantic.Closest(name, visible); s != "" {
		return fmt.Sprintf("did you mean `%s`?", s)
	}
	return "import or assign it before this line"
}

// maxSuggested is how many undefined names of a file get a "did you
// mean" (each compares the name with every visible one): a file with more
// is not a typo, and thousands of them made the rule quadratic.
const maxSuggested = 64

// visibleNames lists, sorted, the names bound in scope and the scopes
// around it up to root.
func visibleNames(scopes bindings, scope, root pyast.Node) []string {
	around := map[int32]bool{}
	for s := scope; ; s = scopeOf(s, root) {
		around[s.ID()] = true
		if s.Equal(root) {
			break
		}
	}
	var cands []string
	seen := map[string]bool{}
	for b := range scopes {
		if around[b.scope] && !seen[b.name] {
			seen[b.name] = true
			cands = append(cands, b.name)
		}
	}
	sort.Strings(cands)
	return cands
}
