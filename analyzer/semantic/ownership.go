package semantic

import (
	"strings"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// ownerFields are the names of foreign keys that make a row its target's:
// the user (or the account, wallet, profile) it belongs to. Audit keys
// (created_by, updated_by, approved_by...) record who did something, not
// whose the row is, and are not followed.
var ownerFields = map[string]bool{"user": true, "owner": true, "customer": true, "client": true, "holder": true,
	"account_holder": true, "profile": true, "payer": true, "buyer": true, "member": true, "account": true,
	"wallet": true, "person": true, "patient": true, "student": true, "employee": true, "subscriber": true,
	"beneficiary": true, "sender": true, "from_account": true, "source_account": true, "card": true}

// ownerField reports a foreign key named for an owner: one of ownerFields,
// or a name ending in _user, _owner, _account or _wallet (end_user,
// wallet_owner, bank_account).
func ownerField(name string) bool {
	n := strings.ToLower(name)
	if ownerFields[n] {
		return true
	}
	for _, suf := range []string{"_user", "_owner", "_account", "_wallet", "_customer", "_profile"} {
		if strings.HasSuffix(n, suf) && !strings.HasSuffix(n, "by_user") {
			return true
		}
	}
	return false
}

// IsUserModel reports whether a model of the graph is the user model
// (AUTH_USER_MODEL, auth.User, or a model named User). A model of the
// tree named User that is not AUTH_USER_MODEL and is a plain table (it
// derives from models.Model alone, through bases all known, and holds no
// password), in a project whose callers are Django's own users (see
// authUserCallers), is a list of people the project keeps, a
// notification's recipients, not the account a request is made by. With
// no such sign, a plain User table is the only notion of a user there is,
// and it counts.
func (m *Model) IsUserModel(md *project.Model) bool {
	if md == nil || m.Graph == nil {
		return false
	}
	if strings.EqualFold(md.Label(), m.Graph.AuthUser) || md.External && strings.EqualFold(md.Qual, m.Graph.AuthUser) {
		return true
	}
	return md.Name == "User" && !(plainTable(md) && m.authUserCallers())
}

// authUserCallers reports a project that identifies its callers as
// Django's users: the settings name DRF authentication classes
// (DEFAULT_AUTHENTICATION_CLASSES), or code outside tests reads
// `request.user` (or `self.request.user`).
func (m *Model) authUserCallers() bool {
	m.authCallersOnce.Do(func() {
		if m.Index != nil && m.Index.Settings != nil {
			if auths, found, _ := m.Index.Settings.RESTDefault("DEFAULT_AUTHENTICATION_CLASSES"); found && len(auths) > 0 {
				m.authCallers = true
				return
			}
		}
		for _, f := range m.Files() {
			if f.Unit == nil || f.Unit.Tree == nil || RolesOf(f.Unit).Any(Test) {
				continue
			}
			for a := range pyast.FindEach(f.Unit.Tree.Root(), "attribute") {
				if a.ChildByField("attribute").Text() != "user" {
					continue
				}
				obj := pyast.Unparen(a.ChildByField("object"))
				if obj.Type() == "attribute" {
					obj = obj.ChildByField("attribute")
				}
				if obj.Type() == "identifier" && obj.Text() == "request" {
					m.authCallers = true
					return
				}
			}
		}
	})
	return m.authCallers
}

// plainTable reports a model of the tree that derives from models.Model
// alone (no base from a library, AbstractUser or AbstractBaseUser among
// them, in its whole chain, every base known) and has no field holding a
// password.
func plainTable(md *project.Model) bool {
	if md.External || !md.Complete {
		return false
	}
	seen := map[*project.Model]bool{}
	var external func(*project.Model) bool
	external = func(x *project.Model) bool {
		if seen[x] {
			return false
		}
		seen[x] = true
		if len(x.ExternalBases) > 0 || x.External || !x.Complete {
			return true
		}
		for _, b := range x.Bases {
			if external(b) {
				return true
			}
		}
		return false
	}
	if external(md) {
		return false
	}
	for _, f := range md.Fields {
		if strings.Contains(strings.ToLower(f.Name), "password") {
			return false
		}
	}
	return true
}

// fieldToUser reports whether a relation field points at the user model.
func (m *Model) fieldToUser(f *project.Field) bool {
	if f.To != nil {
		return m.IsUserModel(f.To)
	}
	if f.Target == project.AuthUserModel {
		return true
	}
	t := f.External
	if t == "" {
		t = f.Target
	}
	return lastName(t) == "User"
}

// OwnerPath returns the lookup path by which rows of md belong to a user
// ("user", "wallet__user", "account__customer__user"): forward foreign
// keys and one-to-one fields named for an owner (see ownerField), at most
// three hops, the last one to the user model. "" when md is not owned by
// a user, or is the user model.
func (m *Model) OwnerPath(md *project.Model) string {
	if md == nil || m.IsUserModel(md) {
		return ""
	}
	type step struct {
		md   *project.Model
		path string
	}
	queue := []step{{md, ""}}
	seen := map[*project.Model]bool{md: true}
	for depth := 0; depth < 3 && len(queue) > 0; depth++ {
		var next []step
		for _, s := range queue {
			for _, f := range s.md.Fields {
				if f.Kind != project.ForeignKey && f.Kind != project.OneToOne || !ownerField(f.Name) {
					continue
				}
				p := f.Name
				if s.path != "" {
					p = s.path + "__" + f.Name
				}
				if m.fieldToUser(f) {
					return p
				}
				if f.To != nil && !seen[f.To] && !f.To.External {
					seen[f.To] = true
					next = append(next, step{f.To, p})
				}
			}
		}
		queue = next
	}
	return ""
}

// idLookups are lookups that fetch one row by its identifier.
var idLookups = map[string]bool{"pk": true, "id": true, "uuid": true, "pk__exact": true, "id__exact": true,
	"public_id": true, "account_number": true, "number": true}

// ObjectFetch is a row of a user-owned model fetched by an identifier
// the caller chooses (a URL parameter or a field of the request body).
type ObjectFetch struct {
	// Call is the fetching call (`Account.objects.get(pk=pk)`,
	// `get_object_or_404(Account, pk=pk)`), in File.
	Call pyast.Node
	File *File
	// Model is the fetched model, OwnerPath its path to the user.
	Model     *project.Model
	OwnerPath string
	// Lookup is the identifier lookup ("pk"), From where its value comes
	// from ("URL parameter `pk`", "request.data").
	Lookup, From string
}

// UnscopedFetches returns the rows of user-owned models a handler fetches
// by a caller-chosen identifier without scoping the lookup to the caller:
// no keyword of the lookup (or of any query of the handler) follows the
// owner path or takes request.user, and the handler compares nothing with
// request.user. Chains that do not start at the model's manager (a related
// manager of request.user, self.get_queryset()) are scoped elsewhere and
// left out.
func (m *Model) UnscopedFetches(fn *Func) []ObjectFetch {
	f := fn.File
	body := pyast.Body(fn.Node)
	if comparesUser(body) || handsUserOn(body) {
		return nil
	}
	var out []ObjectFetch
	for _, call := range ownNodes(body, "call") {
		c, _ := pyast.AsCall(call)
		var md *project.Model
		var kws map[string]pyast.Node
		switch {
		case c.Func.Type() == "identifier" && c.Func.Text() == "get_object_or_404" && len(c.Positional) > 0:
			arg := pyast.Unparen(c.Positional[0])
			if arg.Type() != "identifier" && managerHead(arg) == "" {
				continue
			}
			if q := f.Eval(arg); q != nil && !q.Related {
				md = q.Model
			} else if arg.Type() == "identifier" && m.Graph != nil {
				md = m.Graph.Lookup(f.Unit, arg.Text())
			}
			kws = c.Keywords
			if arg.Type() == "call" {
				kws = mergeKeywords(kws, chainKeywords(arg))
			}
		case c.Func.Type() == "attribute" && (c.MethodName() == "get" || c.MethodName() == "first" || c.MethodName() == "filter" && !isChainInner(call)):
			if managerHead(c.Receiver()) == "" && !strings.HasSuffix(pyast.Dotted(c.Receiver()), ".objects") {
				continue
			}
			q := f.Eval(c.Receiver())
			if q == nil || q.Related {
				continue
			}
			md = q.Model
			kws = mergeKeywords(c.Keywords, chainKeywords(c.Receiver()))
		default:
			continue
		}
		owner := m.OwnerPath(md)
		if owner == "" || len(kws) == 0 || publishedRows(call, kws) {
			continue
		}
		lookup, from := "", ""
		scoped := false
		for k, v := range kws {
			first, _, _ := strings.Cut(k, "__")
			if strings.HasPrefix(owner+"__", strings.TrimSuffix(first, "_id")+"__") || strings.Contains(v.Text(), "request.user") {
				scoped = true
			}
			if idLookups[k] {
				if src := callerChosen(fn, v); src != "" {
					lookup, from = k, src
				}
			}
		}
		if scoped || lookup == "" || scopedElsewhere(fn, owner) {
			continue
		}
		out = append(out, ObjectFetch{Call: call, File: f, Model: md, OwnerPath: owner, Lookup: lookup, From: from})
	}
	return out
}

// publishedRows reports a fetch narrowed to the rows published to everyone:
// a queryset method of the chain named so (`Erp.objects.published()
// .filter(uuid=uuid)`, `.public()`) or a filter on a publication flag set to
// True (`is_published=True`, `public=True`). What every visitor may read is
// not a row of one user's to scope.
func publishedRows(call pyast.Node, kws map[string]pyast.Node) bool {
	for c := range pyast.CallChain(call) {
		if c.Func.Type() == "attribute" && publicationWords[c.MethodName()] && len(c.Positional) == 0 && len(c.Keywords) == 0 {
			return true
		}
		if c.Func.Type() == "identifier" && c.Func.Text() == "get_object_or_404" && len(c.Positional) > 0 {
			if publishedRows(pyast.Unparen(c.Positional[0]), nil) {
				return true
			}
		}
	}
	for k, v := range kws {
		if publicationWords[strings.TrimPrefix(k, "is_")] && v.Type() == "true" {
			return true
		}
	}
	return false
}

// publicationWords name the rows a site shows to every visitor.
var publicationWords = map[string]bool{"published": true, "public": true}

func mergeKeywords(a, b map[string]pyast.Node) map[string]pyast.Node {
	out := map[string]pyast.Node{}
	for k, v := range b {
		out[k] = v
	}
	for k, v := range a {
		out[k] = v
	}
	return out
}

// chainKeywords collects the keywords of the calls of a chain.
func chainKeywords(n pyast.Node) map[string]pyast.Node {
	out := map[string]pyast.Node{}
	for c := range pyast.CallChain(n) {
		for k, v := range c.EachKeyword() {
			out[k] = v
		}
	}
	return out
}

// callerChosen says where a lookup value comes from when the caller
// chooses it: a parameter of the handler other than self and the request
// (a URL parameter), self.kwargs, or the request's body or query string;
// "" otherwise.
func callerChosen(fn *Func, v pyast.Node) string {
	v = pyast.Unparen(v)
	for depth := 0; depth < 4; depth++ {
		switch v.Type() {
		case "call":
			c, _ := pyast.AsCall(v)
			// int(pk), str(pk), request.data.get("id")
			if c.Func.Type() == "attribute" && c.MethodName() == "get" {
				if src := requestSource(c.Receiver()); src != "" {
					return src
				}
			}
			if len(c.Positional) == 0 {
				return ""
			}
			v = pyast.Unparen(c.Positional[0])
			continue
		case "subscript":
			if src := requestSource(v.ChildByField("value")); src != "" {
				return src
			}
			return ""
		case "identifier":
			name := v.Text()
			for i, p := range fn.Params {
				if p != name || i == 0 && fn.Class == nil || fn.Class != nil && i <= 1 {
					continue
				}
				return "URL parameter `" + name + "`"
			}
			if b := fn.File.Binding(v, name, v.StartByte()); !b.IsNil() {
				v = pyast.Unparen(b)
				continue
			}
			return ""
		}
		return ""
	}
	return ""
}

// requestSource names a request's body or query string (request.data,
// request.POST, request.GET, self.kwargs, a local parsed from
// request.body), or "".
func requestSource(n pyast.Node) string {
	d := pyast.Dotted(pyast.Unparen(n))
	for _, s := range []string{"request.data", "request.POST", "request.GET", "request.query_params", "self.kwargs", "kwargs"} {
		if d == s || strings.HasSuffix(d, "."+s) {
			return s
		}
	}
	return ""
}

// handsUserOn reports whether a body passes the caller to a call
// (`PublishAction(page, user=request.user)`, `can_edit(obj,
// request.user)`): the callee may check ownership or permissions.
func handsUserOn(body pyast.Node) bool {
	for c := range pyast.FindEach(body, "call") {
		call, _ := pyast.AsCall(c)
		for _, a := range call.Positional {
			if d := pyast.Dotted(a); d == "request.user" || d == "self.request.user" {
				return true
			}
		}
		for _, a := range call.EachKeyword() {
			if d := pyast.Dotted(a); d == "request.user" || d == "self.request.user" {
				return true
			}
		}
	}
	return false
}

// comparesUser reports whether a body compares something with the
// caller (`if account.user != request.user`), an explicit ownership check.
func comparesUser(body pyast.Node) bool {
	for c := range pyast.FindEach(body, "comparison_operator") {
		if strings.Contains(c.Text(), "request.user") || strings.Contains(c.Text(), "user_id") && strings.Contains(c.Text(), "request") {
			return true
		}
	}
	return false
}

// scopedElsewhere reports whether some query of the handler pins the owner
// path's first hop to a value (`Transaction.objects.get(pk=pk,
// wallet=wallet)` after `wallet = Wallet.objects.get(user=request.user)`),
// or the handler checks permissions, staff or superuser status itself.
func scopedElsewhere(fn *Func, owner string) bool {
	if ChecksCaller(fn) {
		return true
	}
	first, _, _ := strings.Cut(owner, "__")
	for kw := range pyast.FindEach(pyast.Body(fn.Node), "keyword_argument") {
		k := kw.ChildByField("name").Text()
		if k == first || k == first+"_id" || strings.HasPrefix(k, first+"__") {
			return true
		}
	}
	return false
}

// ChecksCaller reports whether a handler checks its caller itself: it
// compares something with request.user (or with the caller a hand-written
// token check returned: comparesTokenCaller), or checks permissions (any call
// or name with "permission" in it, has_perm, user_can/can_edit...), staff
// or superuser status.
func ChecksCaller(fn *Func) bool {
	body := pyast.Body(fn.Node)
	if comparesUser(body) || comparesTokenCaller(fn) {
		return true
	}
	txt := strings.ToLower(body.Text())
	for _, k := range []string{"permission", "has_perm", "is_staff", "is_superuser", "user_can", "can_edit", "can_view", "can_delete"} {
		if strings.Contains(txt, k) {
			return true
		}
	}
	return false
}

// Guarded reports whether an endpoint is for staff only, has a permission
// class with has_object_permission or of the project's own (it may check
// membership), or checks its caller in its handler (see ChecksCaller): a
// lookup it makes by id is the guard's to judge.
func (e *Endpoint) Guarded() bool {
	return e.Auth.Staff || e.Auth.ObjectPermission || e.Auth.CustomCheck || e.Handler != nil && ChecksCaller(e.Handler)
}

// ListLeak is a list of a user-owned model served whole: a viewset's or
// generic view's queryset on the model with no filter by the caller, or
// a handler that returns every row.
type ListLeak struct {
	Node      pyast.Node
	File      *File
	Model     *project.Model
	OwnerPath string
}

// UnscopedQueryset returns the class-level queryset of a DRF view whose
// rows belong to users, when nothing scopes it: no get_queryset or
// get_object on the way (own or project bases), no filter_backends, and
// no keyword of the queryset's chain following the owner path or taking
// request.user. Nil otherwise.
func (m *Model) UnscopedQueryset(c *Class) *ListLeak {
	v, decl, q := classQueryset(c)
	if q == nil {
		return nil
	}
	owner := m.OwnerPath(q.Model)
	if owner == "" {
		return nil
	}
	first, _, _ := strings.Cut(owner, "__")
	for k, val := range chainKeywords(v) {
		kf, _, _ := strings.Cut(k, "__")
		if kf == first || kf == first+"_id" || strings.Contains(val.Text(), "user") {
			return nil
		}
	}
	return &ListLeak{Node: v, File: decl, Model: q.Model, OwnerPath: owner}
}

// classQueryset returns the class-level queryset of a DRF view, where it
// is declared and what it evaluates to, when nothing on the way replaces
// or filters it (get_queryset, get_object, filter_queryset,
// filter_backends, a base rubric cannot read); nil values otherwise.
func classQueryset(c *Class) (pyast.Node, *File, *QS) {
	for _, cc := range append([]*Class{c}, c.Bases()...) {
		if cc.Methods["get_queryset"] != nil || cc.Methods["get_object"] != nil || cc.Methods["filter_queryset"] != nil {
			return pyast.Node{}, nil, nil
		}
		if _, ok := cc.Attrs["filter_backends"]; ok {
			return pyast.Node{}, nil, nil
		}
	}
	if opaqueBases(c) {
		return pyast.Node{}, nil, nil
	}
	v, decl := c.Attr("queryset")
	if v.IsNil() {
		return pyast.Node{}, nil, nil
	}
	q := decl.File.Eval(v)
	if q == nil || q.Model == nil || q.Related {
		return pyast.Node{}, nil, nil
	}
	return v, decl.File, q
}

// UnscopedUsers returns the class-level queryset of a DRF view when it is
// the whole user table (`User.objects.all()`, no keyword anywhere in the
// chain) and nothing on the way replaces or filters it: through the
// framework's update and destroy, any caller the view lets in changes or
// deletes any account. Nil otherwise.
func (m *Model) UnscopedUsers(c *Class) *ListLeak {
	v, f, q := classQueryset(c)
	if q == nil || !m.IsUserModel(q.Model) || q.Filtered {
		return nil
	}
	if len(chainKeywords(v)) > 0 {
		return nil
	}
	return &ListLeak{Node: v, File: f, Model: q.Model, OwnerPath: "pk"}
}

// listMethods keep every row of a queryset.
var listMethods = map[string]bool{"all": true, "values": true, "values_list": true, "order_by": true,
	"select_related": true, "prefetch_related": true, "only": true, "defer": true, "annotate": true,
	"iterator": true, "distinct": true, "reverse": true, "using": true}

// HandlerListLeak returns the first queryset of a user-owned model a
// handler lists whole (`Payment.objects.all()`, `.values()`, no filter,
// exclude or get anywhere in the chain) when the handler never reads
// request.user nor checks its caller: every user's rows, served. Nil
// otherwise.
func (m *Model) HandlerListLeak(fn *Func) *ListLeak {
	body := pyast.Body(fn.Node)
	if strings.Contains(body.Text(), "request.user") || ChecksCaller(fn) {
		return nil
	}
	for _, call := range ownNodes(body, "call") {
		c, _ := pyast.AsCall(call)
		if c.Func.Type() != "attribute" || !listMethods[c.MethodName()] || isChainInner(call) {
			continue
		}
		head := managerHead(c.Receiver())
		if head == "" && !strings.HasSuffix(pyast.Dotted(c.Receiver()), ".objects") {
			continue
		}
		whole := true
		for n := pyast.Node(call); ; {
			cc, ok := pyast.AsCall(pyast.Unparen(n))
			if !ok || cc.Func.Type() != "attribute" {
				break
			}
			if !listMethods[cc.MethodName()] || len(cc.Keywords) > 0 && cc.MethodName() != "annotate" {
				whole = false
				break
			}
			n = cc.Receiver()
		}
		if !whole {
			continue
		}
		q := fn.File.Eval(call)
		if q == nil || q.Model == nil || q.Related || q.Sliced {
			continue
		}
		if owner := m.OwnerPath(q.Model); owner != "" {
			return &ListLeak{Node: call, File: fn.File, Model: q.Model, OwnerPath: owner}
		}
	}
	return nil
}
