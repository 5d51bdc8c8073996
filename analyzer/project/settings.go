package project

import (
	"bytes"
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// Setting is one place where the analysed tree sets a configuration value
// that rules consult. It is plain data: rules point at it with Path and the
// byte range, never with a node.
type Setting struct {
	// Name is the key as written: "DEBUG", "ATOMIC_REQUESTS",
	// "task_time_limit", "DEFAULT_PAGINATION_CLASS".
	Name string
	// Parent is the setting holding a dictionary entry ("DATABASES",
	// "REST_FRAMEWORK"), "" for a setting of its own.
	Parent string
	Form   SettingForm
	Value  ValueKind
	Str    string   // the value of a ValueString
	Items  []string // the string elements of a ValueList
	// Path is the display path of the file, Rel its path relative to the
	// analysed root (for classifying tests).
	Path, Rel string
	Line      int
	// Start and End delimit the assignment, dictionary pair or keyword.
	Start, End int
	// InSettings reports that the file is a settings module: its path says
	// so (IsSettingsPath), or it assigns INSTALLED_APPS, ROOT_URLCONF,
	// MIDDLEWARE or DATABASES at module level (config/base.py). Settings are
	// collected from every file, and most accessors trust only these; Celery
	// names count anywhere (celery.py, celeryconfig.py, Celery(...) calls).
	InSettings bool
	// Opaque is set on a dictionary literal that unpacks another
	// (`{**BASE, ...}`): keys may come from elsewhere.
	Opaque bool
}

// SettingForm says how a setting is written.
type SettingForm int

// Forms of a setting.
const (
	FormAssign    SettingForm = iota // NAME = value, at module level
	FormSubscript                    // DATABASES["default"]["ATOMIC_REQUESTS"] = value
	FormAttribute                    // app.conf.task_time_limit = value
	FormKeyword                      // app.conf.update(task_time_limit=value), Celery(..., name=value)
	FormKey                          // {"ATOMIC_REQUESTS": value} in a dictionary
)

// ValueKind classifies a setting's value as written.
type ValueKind int

// Kinds of values.
const (
	ValueOther  ValueKind = iota // a call, a name, anything computed
	ValueTrue                    // True
	ValueFalse                   // False
	ValueNone                    // None
	ValueNumber                  // a number literal, or arithmetic on literals (2 * 1024 * 1024)
	ValueString                  // a plain string literal
	ValueList                    // a list or tuple literal
	ValueDict                    // a dictionary literal (Setting.Opaque when it unpacks another)
)

// Celery setting names. CeleryTimeLimitNames configure a global task time
// limit: Django settings with the CELERY_ namespace, the old CELERYD_
// names, and celeryconfig / app.conf lower-case names.
// MisnamedCeleryLimits look like global limits but Celery does not read
// them: with namespace="CELERY" they map to time_limit/soft_time_limit.
var (
	CeleryTimeLimitNames = map[string]bool{"CELERY_TASK_TIME_LIMIT": true, "CELERY_TASK_SOFT_TIME_LIMIT": true,
		"CELERYD_TASK_TIME_LIMIT": true, "CELERYD_TASK_SOFT_TIME_LIMIT": true, "task_time_limit": true,
		"task_soft_time_limit": true}
	MisnamedCeleryLimits = map[string]bool{"CELERY_TIME_LIMIT": true, "CELERY_SOFT_TIME_LIMIT": true}
)

// moduleSettings are the module-level names recorded from any file. Most
// are only trusted in settings modules (Setting.InSettings); the names are
// distinctive enough that AUTH_USER_MODEL and REST_FRAMEWORK are read
// wherever they are assigned at module level, as the model graph always did.
var moduleSettings = map[string]bool{"DEBUG": true, "ALLOWED_HOSTS": true, "DATA_UPLOAD_MAX_MEMORY_SIZE": true,
	"AUTH_USER_MODEL": true}

// restFrameworkKeys are the REST_FRAMEWORK entries recorded.
var restFrameworkKeys = map[string]bool{"DEFAULT_PAGINATION_CLASS": true, "PAGE_SIZE": true,
	"DEFAULT_PERMISSION_CLASSES": true, "DEFAULT_AUTHENTICATION_CLASSES": true, "EXCEPTION_HANDLER": true,
	"URL_FIELD_NAME": true, "DEFAULT_FILTER_BACKENDS": true}

// settingsOnly are module-level names recorded from settings modules only:
// what the endpoint inventory needs to know of the project's set-up.
// REST_FRAMEWORK itself is recorded too (Value says whether it is a
// dictionary literal whose keys are all known, see RESTFramework).
var settingsOnly = map[string]bool{"ROOT_URLCONF": true, "MIDDLEWARE": true, "INSTALLED_APPS": true, "MIGRATION_MODULES": true,
	"CORS_ALLOW_CREDENTIALS": true}

// settingsMarkers are module-level names only a Django settings module
// assigns.
var settingsMarkers = map[string]bool{"INSTALLED_APPS": true, "ROOT_URLCONF": true, "MIDDLEWARE": true,
	"DATABASES": true}

// IsSettingsPath reports whether a '/'-separated path names a Django
// settings module: a file whose stem starts with "settings" (settings.py,
// settings_local.py) or ends with "_settings", or any module under a
// directory named settings (config/settings/base.py).
func IsSettingsPath(rel string) bool {
	dir, base := path.Split(rel)
	stem, ok := strings.CutSuffix(base, ".py")
	if !ok {
		return false
	}
	return strings.HasPrefix(stem, "settings") || strings.HasSuffix(stem, "_settings") ||
		strings.Contains("/"+dir, "/settings/")
}

// extractSettings records the settings of one file: module-level
// assignments of the names in moduleSettings, REST_FRAMEWORK entries,
// ATOMIC_REQUESTS anywhere in a settings module (DATABASES entries,
// subscript assignments, keywords), and Celery time-limit names anywhere
// in any file (assignments, attributes, keywords, dictionary keys); and
// whether the file is a settings module.
func extractSettings(u *Unit) ([]Setting, bool) {
	if u.Tree == nil {
		return nil, false
	}
	x := settingsExtractor{u: u, rel: u.Rel()}
	root := u.Tree.Root()
	assigns := append(ModuleAssignments(root), ConfigurationAssignments(root, u.Tree.Src())...)
	for _, a := range assigns {
		if settingsMarkers[a.ChildByField("left").Text()] {
			x.inSettings = true
		}
	}
	x.inSettings = x.inSettings || IsSettingsPath(x.rel)
	for _, a := range assigns {
		left, right := a.ChildByField("left"), a.ChildByField("right")
		switch name := left.Text(); {
		case moduleSettings[name]:
			x.add(name, "", FormAssign, a, right)
		case name == "REST_FRAMEWORK":
			// Recorded from any module: RESTFramework trusts only those a
			// settings module holds or star-imports (buildSettings).
			x.keys(right, name, restFrameworkKeys)
			x.add(name, "", FormAssign, a, right)
		case (settingsOnly[name] || name == "USE_TZ") && x.inSettings:
			x.add(name, "", FormAssign, a, right)
		}
	}
	for _, a := range subscriptAssignments(root) {
		base, keys := subscriptKeys(a.ChildByField("left"))
		if base == "REST_FRAMEWORK" && len(keys) == 1 && restFrameworkKeys[keys[0]] {
			x.add(keys[0], base, FormSubscript, a, a.ChildByField("right"))
		}
	}
	// REST_FRAMEWORK.update({"DEFAULT_PERMISSION_CLASSES": ...}) or
	// .update(DEFAULT_PERMISSION_CLASSES=...) at module level, after
	// `REST_FRAMEWORK = BASE_REST_FRAMEWORK.copy()`: the keys it sets.
	for _, c := range moduleCalls(root) {
		call, _ := pyast.AsCall(c)
		fn := call.Func
		if fn.Type() != "attribute" || fn.ChildByField("attribute").Text() != "update" ||
			pyast.Dotted(fn.ChildByField("object")) != "REST_FRAMEWORK" {
			continue
		}
		if len(call.Positional) == 1 {
			x.keys(call.Positional[0], "REST_FRAMEWORK", restFrameworkKeys)
		}
		for k, v := range call.EachKeyword() {
			if restFrameworkKeys[k] {
				x.add(k, "REST_FRAMEWORK", FormKeyword, v.Parent(), v)
			}
		}
	}
	src := u.Tree.Src()
	atomic := x.inSettings && bytes.Contains(src, []byte("ATOMIC_REQUESTS"))
	celery := bytes.Contains(src, []byte("TIME_LIMIT")) || bytes.Contains(src, []byte("time_limit"))
	if !atomic && !celery {
		return x.out, x.inSettings
	}
	want := func(name string) bool {
		return atomic && name == "ATOMIC_REQUESTS" || celery && (CeleryTimeLimitNames[name] || MisnamedCeleryLimits[name])
	}
	pyast.Inspect(root, func(n pyast.Node) bool {
		switch n.Type() {
		case "assignment":
			left, right := n.ChildByField("left"), n.ChildByField("right")
			switch left.Type() {
			case "identifier":
				if name := left.Text(); name != "ATOMIC_REQUESTS" && want(name) {
					x.add(name, "", FormAssign, n, right)
				}
			case "attribute":
				if name := left.ChildByField("attribute").Text(); want(name) {
					x.add(name, pyast.Dotted(left.ChildByField("object")), FormAttribute, n, right)
				}
			case "subscript":
				if base, keys := subscriptKeys(left); len(keys) > 0 && want(keys[len(keys)-1]) {
					x.add(keys[len(keys)-1], base, FormSubscript, n, right)
				}
			}
		case "keyword_argument":
			if name := n.ChildByField("name").Text(); want(name) {
				x.add(name, "", FormKeyword, n, n.ChildByField("value"))
			}
		case "pair":
			if name, ok := pyast.StringValue(n.ChildByField("key")); ok && want(name) {
				x.add(name, enclosingSetting(n), FormKey, n, n.ChildByField("value"))
			}
		}
		return true
	})
	return x.out, x.inSettings
}

type settingsExtractor struct {
	u          *Unit
	rel        string
	inSettings bool
	out        []Setting
}

func (x *settingsExtractor) add(name, parent string, form SettingForm, at, value pyast.Node) {
	s := Setting{Name: name, Parent: parent, Form: form, Path: x.u.File.Rel, Rel: x.rel,
		Line: x.u.File.Position(at.StartByte()).Line, Start: at.StartByte(), End: at.EndByte(), InSettings: x.inSettings}
	s.Value, s.Str, s.Items = classifyValue(value)
	if v := pyast.Unparen(value); v.Type() == "dictionary" {
		s.Value = ValueDict
		for _, pair := range v.NamedChildren() {
			if pair.Type() != "pair" && pair.Type() != "comment" {
				s.Opaque = true // **base: keys come from elsewhere
			}
		}
	}
	x.out = append(x.out, s)
}

// keys records the entries of a dictionary literal named in want.
func (x *settingsExtractor) keys(dict pyast.Node, parent string, want map[string]bool) {
	dict = pyast.Unparen(dict)
	if dict.Type() != "dictionary" {
		return
	}
	for _, pair := range dict.NamedChildren() {
		if pair.Type() != "pair" {
			continue
		}
		if k, ok := pyast.StringValue(pair.ChildByField("key")); ok && want[k] {
			x.add(k, parent, FormKey, pair, pair.ChildByField("value"))
		}
	}
}

// classifyValue says what kind of value an expression is.
func classifyValue(v pyast.Node) (kind ValueKind, str string, items []string) {
	v = pyast.Unparen(v)
	switch v.Type() {
	case "true":
		return ValueTrue, "", nil
	case "false":
		return ValueFalse, "", nil
	case "none":
		return ValueNone, "", nil
	case "integer", "float":
		return ValueNumber, "", nil
	case "binary_operator", "unary_operator":
		if numeric(v) {
			return ValueNumber, "", nil
		}
	case "string", "concatenated_string":
		if s, ok := pyast.StringValue(v); ok {
			return ValueString, s, nil
		}
	case "list", "tuple":
		for _, e := range v.NamedChildren() {
			if s, ok := pyast.StringValue(e); ok {
				items = append(items, s)
			}
		}
		return ValueList, "", items
	}
	return ValueOther, "", nil
}

// numeric reports whether an expression is arithmetic on number literals.
func numeric(v pyast.Node) bool {
	ok := true
	pyast.Inspect(v, func(n pyast.Node) bool {
		switch n.Type() {
		case "binary_operator", "unary_operator", "parenthesized_expression", "integer", "float":
			return true
		}
		if n.IsNamed() {
			ok = false
		}
		return ok
	})
	return ok
}

// ModuleAssignments returns the module-level `NAME = value` assignments,
// including those inside top-level if/try/with blocks.
func ModuleAssignments(root pyast.Node) []pyast.Node {
	return topLevelAssignments(root, "identifier")
}

// moduleCalls returns the calls that are module-level expression
// statements (`REST_FRAMEWORK.update({...})`), including those inside
// top-level if/try/with blocks.
func moduleCalls(root pyast.Node) []pyast.Node {
	var out []pyast.Node
	pyast.Inspect(root, func(n pyast.Node) bool {
		switch n.Type() {
		case "function_definition", "class_definition", "lambda", "decorated_definition":
			return false
		case "expression_statement":
			if c := n.NamedChild(0); c.Type() == "call" {
				out = append(out, c)
			}
			return false
		}
		return true
	})
	return out
}

// subscriptAssignments returns the module-level `X[...] = value`
// assignments.
func subscriptAssignments(root pyast.Node) []pyast.Node {
	return topLevelAssignments(root, "subscript")
}

func topLevelAssignments(root pyast.Node, leftType string) []pyast.Node {
	var out []pyast.Node
	pyast.Inspect(root, func(n pyast.Node) bool {
		switch n.Type() {
		case "function_definition", "class_definition", "lambda", "decorated_definition":
			return false
		case "assignment":
			if n.ChildByField("left").Type() == leftType && !n.ChildByField("right").IsNil() {
				out = append(out, n)
			}
			return false
		}
		return true
	})
	return out
}

// subscriptKeys splits `DATABASES["default"]["ATOMIC_REQUESTS"]` into its
// base name and string keys; keys is nil when a subscript is not a string
// literal.
func subscriptKeys(n pyast.Node) (base string, keys []string) {
	for n.Type() == "subscript" {
		k, ok := pyast.StringValue(n.ChildByField("subscript"))
		if !ok {
			return "", nil
		}
		keys = append([]string{k}, keys...)
		n = n.ChildByField("value")
	}
	return pyast.Dotted(n), keys
}

// enclosingSetting names the module-level assignment a dictionary pair
// sits in ("DATABASES"), or "".
func enclosingSetting(n pyast.Node) string {
	for p := n.Parent(); !p.IsNil(); p = p.Parent() {
		switch p.Type() {
		case "assignment":
			if l := p.ChildByField("left"); l.Type() == "identifier" {
				return l.Text()
			}
			return ""
		case "function_definition", "class_definition", "lambda", "call":
			return ""
		}
	}
	return ""
}

// Settings are the settings of the analysed tree, in path order.
type Settings struct {
	All []Setting
}

// buildSettings concatenates the files' settings; facts come in path order.
// A module a settings module star-imports (`from .api import *` in
// conf/includes/base.py), directly or through another such module, is
// part of the settings: its settings count as a settings module's.
func buildSettings(facts []*Facts) *Settings {
	s := &Settings{}
	byModule := map[string]*Facts{}
	var queue []*Facts
	for _, f := range facts {
		if f.Unit == nil {
			continue
		}
		byModule[f.Unit.Module] = f
		if isSettingsFacts(f) {
			queue = append(queue, f)
		}
	}
	imported := map[*Facts]bool{}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, mod := range f.SettingsStars {
			g := moduleFacts(byModule, mod)
			if g == nil || imported[g] || isSettingsFacts(g) {
				continue
			}
			imported[g] = true
			queue = append(queue, g)
		}
	}
	for _, f := range facts {
		start := len(s.All)
		s.All = append(s.All, f.Settings...)
		if imported[f] {
			for i := start; i < len(s.All); i++ {
				s.All[i].InSettings = true
			}
		}
	}
	return s
}

// isSettingsFacts reports whether a file's facts are a settings module's.
func isSettingsFacts(f *Facts) bool {
	return f.SettingsModule
}

// moduleFacts finds the facts of a module a settings module star-imports:
// by its dotted name, or, for an absolute import, the one module whose
// name ends with it (the tree may be analysed from above its source root).
func moduleFacts(byModule map[string]*Facts, mod string) *Facts {
	if f := byModule[mod]; f != nil {
		return f
	}
	var found *Facts
	for name, f := range byModule {
		if strings.HasSuffix(name, "."+mod) {
			if found != nil {
				return nil // ambiguous
			}
			found = f
		}
	}
	return found
}

// settingsStars returns the project modules a settings module star-imports
// at its top level, relative imports resolved against its package.
func settingsStars(u *Unit) []string {
	var out []string
	for st := range pyast.EachStatement(u.Tree.Root()) {
		if st.Type() != "import_from_statement" {
			continue
		}
		star := false
		for ch := range st.Named() {
			star = star || ch.Type() == "wildcard_import"
		}
		if !star {
			continue
		}
		mod := strings.Join(strings.Fields(st.ChildByField("module_name").Text()), "")
		if rest := strings.TrimLeft(mod, "."); rest != mod {
			pkg := u.Package
			for range len(mod) - len(rest) - 1 {
				if i := strings.LastIndex(pkg, "."); i >= 0 {
					pkg = pkg[:i]
				} else {
					pkg = ""
				}
			}
			switch {
			case rest == "":
				mod = pkg
			case pkg == "":
				mod = rest
			default:
				mod = pkg + "." + rest
			}
		}
		out = append(out, mod)
	}
	return out
}

// Get returns every place that sets name (as a key of its own or inside a
// dictionary), in path order.
func (s *Settings) Get(name string) []Setting {
	if s == nil {
		return nil
	}
	var out []Setting
	for _, st := range s.All {
		if st.Name == name {
			out = append(out, st)
		}
	}
	return out
}

// AtomicRequests reports whether a settings module turns ATOMIC_REQUESTS on
// (a DATABASES entry, a subscript assignment or a keyword set to True).
func (s *Settings) AtomicRequests() bool {
	for _, st := range s.Get("ATOMIC_REQUESTS") {
		if st.InSettings && st.Value == ValueTrue {
			return true
		}
	}
	return false
}

// UploadLimit says how settings modules bound request bodies:
// DATA_UPLOAD_MAX_MEMORY_SIZE set somewhere to anything but None (bounded),
// and the first place that sets it to None (disabled, or nil). Neither
// means Django's 2.5 MB default applies.
func (s *Settings) UploadLimit() (bounded bool, disabled *Setting) {
	for _, st := range s.Get("DATA_UPLOAD_MAX_MEMORY_SIZE") {
		switch {
		case !st.InSettings:
		case st.Value != ValueNone:
			bounded = true
		case disabled == nil:
			disabled = &st
		}
	}
	return bounded, disabled
}

// CeleryTimeLimit returns the first place, in any file, that sets a global
// Celery task time limit (CeleryTimeLimitNames), or nil.
func (s *Settings) CeleryTimeLimit() *Setting {
	if s == nil {
		return nil
	}
	for i, st := range s.All {
		if CeleryTimeLimitNames[st.Name] {
			return &s.All[i]
		}
	}
	return nil
}

// MisnamedCeleryLimit returns the first assignment of a name that looks
// like a global Celery time limit but is not read by Celery
// (CELERY_TIME_LIMIT), or nil.
func (s *Settings) MisnamedCeleryLimit() *Setting {
	if s == nil {
		return nil
	}
	for i, st := range s.All {
		if MisnamedCeleryLimits[st.Name] && (st.Form == FormAssign || st.Form == FormAttribute || st.Form == FormSubscript) {
			return &s.All[i]
		}
	}
	return nil
}

// AuthUserModel returns the label AUTH_USER_MODEL names (the last string
// assignment in path order), or "".
func (s *Settings) AuthUserModel() string {
	label := ""
	for _, st := range s.Get("AUTH_USER_MODEL") {
		if st.Value == ValueString {
			label = st.Str
		}
	}
	return label
}

// DefaultPagination reports whether REST_FRAMEWORK names a
// DEFAULT_PAGINATION_CLASS (other than None).
func (s *Settings) DefaultPagination() bool {
	for _, st := range s.Get("DEFAULT_PAGINATION_CLASS") {
		if st.Parent == "REST_FRAMEWORK" && st.Value != ValueNone {
			return true
		}
	}
	return false
}

// RESTFramework says how settings modules configure Django REST framework:
// set when a settings module assigns REST_FRAMEWORK, and known when every
// such assignment is a dictionary literal of its own (no `**base`, no
// call), so that a key it lacks is really absent.
func (s *Settings) RESTFramework() (set, known bool) {
	known = true
	for _, st := range s.Get("REST_FRAMEWORK") {
		if st.Parent != "" || !st.InSettings {
			continue
		}
		set = true
		if st.Value != ValueDict || st.Opaque {
			known = false
		}
	}
	return set, known
}

// RESTDefault returns the class paths a REST_FRAMEWORK key
// (DEFAULT_PERMISSION_CLASSES, DEFAULT_AUTHENTICATION_CLASSES) lists in a
// settings module, the last assignment winning; found is false when no
// settings module sets the key, and known is false when a setting of it
// is not a list of string literals.
func (s *Settings) RESTDefault(key string) (classes []string, found, known bool) {
	known = true
	for _, st := range s.Get(key) {
		if st.Parent != "REST_FRAMEWORK" || !st.InSettings {
			continue
		}
		found = true
		switch st.Value {
		case ValueList:
			classes, known = st.Items, true
		default:
			classes, known = nil, false
		}
	}
	return classes, found, known
}

// RESTURLFieldName is the name DRF gives a model serializer's URL field:
// REST_FRAMEWORK's URL_FIELD_NAME in a settings module, "url" by default.
func (s *Settings) RESTURLFieldName() string {
	name := "url"
	for _, st := range s.Get("URL_FIELD_NAME") {
		if st.Parent == "REST_FRAMEWORK" && st.InSettings && st.Value == ValueString {
			name = st.Str
		}
	}
	return name
}

// RESTExceptionHandler says whether a settings module names a DRF
// EXCEPTION_HANDLER (found), and whether the REST_FRAMEWORK settings are
// all readable (known: no `**base`, no call), so that its absence is real.
func (s *Settings) RESTExceptionHandler() (found, known bool) {
	_, known = s.RESTFramework()
	for _, st := range s.Get("EXCEPTION_HANDLER") {
		if st.Parent == "REST_FRAMEWORK" && st.InSettings && st.Value != ValueNone {
			found = true
		}
	}
	return found, known
}

// RESTExceptionHandlerPaths returns the dotted paths of the DRF
// EXCEPTION_HANDLER settings modules name, "" for a value that is not a
// string literal (rubric cannot tell which function it names).
func (s *Settings) RESTExceptionHandlerPaths() []string {
	var out []string
	for _, st := range s.Get("EXCEPTION_HANDLER") {
		if st.Parent != "REST_FRAMEWORK" || !st.InSettings || st.Value == ValueNone {
			continue
		}
		if st.Value == ValueString {
			out = append(out, st.Str)
		} else {
			out = append(out, "")
		}
	}
	return out
}

// HasSettingsModule reports whether the analysed tree holds a Django
// settings module (one that assigns INSTALLED_APPS, ROOT_URLCONF,
// MIDDLEWARE or REST_FRAMEWORK): without one, framework defaults cannot
// be told from settings the tree does not show.
func (s *Settings) HasSettingsModule() bool {
	if s == nil {
		return false
	}
	for _, st := range s.All {
		if st.InSettings && (settingsOnly[st.Name] || st.Name == "REST_FRAMEWORK") {
			return true
		}
	}
	return false
}

// TimeZones says whether Django stores aware datetimes (USE_TZ): On
// when every USE_TZ of the settings modules is True, or when none sets it
// and the project pins Django 5.0 or later (where True became the
// default); Known is false when a USE_TZ is computed (an environment
// lookup) or when none is set and the Django version is unknown or older.
// At is the assignment read, or nil when the default applies.
func (s *Settings) TimeZones(django DjangoVersion) (on, known bool, at *Setting) {
	if s == nil {
		return false, false, nil
	}
	sets := 0
	for _, st := range s.Get("USE_TZ") {
		if !st.InSettings {
			continue
		}
		sets++
		switch st.Value {
		case ValueTrue:
			at = &st
		case ValueFalse:
			return false, true, &st
		default:
			return false, false, nil
		}
	}
	if sets > 0 {
		return true, true, at
	}
	if !s.HasSettingsModule() || !django.Known() {
		return false, false, nil
	}
	return django.Major >= 5, true, nil
}

// RootURLConf returns the module ROOT_URLCONF names, or "".
func (s *Settings) RootURLConf() string {
	out := ""
	for _, st := range s.Get("ROOT_URLCONF") {
		if st.Value == ValueString {
			out = st.Str
		}
	}
	return out
}

// Middleware returns the MIDDLEWARE entries of the settings modules;
// known is false when a MIDDLEWARE is not a literal list (built from
// parts, `(...) + EXTRA`).
func (s *Settings) Middleware() (items []string, known bool) {
	known = true
	for _, st := range s.Get("MIDDLEWARE") {
		if st.Value != ValueList {
			known = false
		}
		items = append(items, st.Items...)
	}
	return items, known
}
