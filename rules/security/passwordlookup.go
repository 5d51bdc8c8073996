package security

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed passwordlookup.md
var passwordLookupDoc string

// PasswordLookup reports a queryset lookup that matches rows by their
// password: either the passwords are stored as sent (a model of the
// project with its own password column), or they are Django's hashes and
// the lookup never matches.
var PasswordLookup = &analyzer.Rule{
	Code:       "SEC027",
	Name:       "password-lookup",
	Doc:        passwordLookupDoc,
	Category:   analyzer.Security,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.30.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Project},
	Run:        runPasswordLookup,
}

// authBases are the Django bases whose `password` holds a salted hash.
var authBases = []string{"django.contrib.auth.models.AbstractUser", "django.contrib.auth.models.AbstractBaseUser",
	"django.contrib.auth.base_user.AbstractBaseUser", "django.contrib.auth.models.User"}

// runPasswordLookup matches `filter(...)`, `get(...)` and `exclude(...)`
// on a queryset or manager of a known model with a keyword `password`
// (or `password__exact`, `password__iexact`) whose value is a name, an
// attribute, a subscript or a keyed read (`request.data.get("password")`),
// possibly passed through str() or .strip(): the value as the client sent
// it. A value computed by any other call (a hash) is left alone, and so
// are literals. The model decides the message: one of the project whose
// own field `password` is a CharField or TextField and that derives from
// no Django user base stores the password as sent; Django's user (or a
// model deriving from AbstractBaseUser) stores a salted hash, which no
// lookup by the raw value matches. Other models are left alone.
func runPasswordLookup(p *analyzer.Pass) error {
	if !strings.Contains(string(p.File.Src()), "password") {
		return nil
	}
	sm := semantic.Of(p.Project)
	f := sm.File(p.Unit)
	for call := range pyast.FindEach(p.Root, "call") {
		c, ok := pyast.AsCall(call)
		if !ok || c.Func.Type() != "attribute" {
			continue
		}
		switch c.MethodName() {
		case "filter", "get", "exclude":
		default:
			continue
		}
		var kw string
		var val pyast.Node
		for k, v := range c.EachKeyword() {
			switch k {
			case "password", "password__exact", "password__iexact":
				kw, val = k, v
			}
		}
		if kw == "" || !rawValue(val) {
			continue
		}
		q := f.Eval(c.Receiver())
		var md *project.Model
		if q != nil {
			md = q.Model
		}
		name, djangoUser := "", authUserManager(p, c.Receiver())
		if md != nil {
			name = md.Name
		} else if djangoUser {
			name = "User"
		} else {
			continue
		}
		var msg, help string
		switch {
		case djangoUser || hashedPasswords(sm, md):
			msg = fmt.Sprintf("`%s` matches `%s` by the password as given, but Django stores a salted hash in `%s.password` (`pbkdf2_sha256$...`): this lookup never finds the user, so the log-in it serves always fails",
				pyast.OneLine(call, 60), name, name)
			help = "authenticate with `django.contrib.auth.authenticate(request, username=..., password=...)`, or load the user by name and call `user.check_password(password)`"
		case plainPasswords(md):
			msg = fmt.Sprintf("`%s` matches `%s` rows by `%s`: the password is stored as the client sent it (plain text), readable by anyone who reads the table, a backup or a log of queries",
				pyast.OneLine(call, 60), md.Name, kw)
			help = "store `make_password(password)` (or use Django's user model, `set_password()`), load the row by its name and compare with `check_password(password, row.password)`"
		default:
			continue
		}
		p.Report(analyzer.Diagnostic{Range: analyzer.RangeOf(call), Message: msg, Help: help})
	}
	return nil
}

// authUserManager reports a chain rooted at Django's user model:
// `User.objects...` with User imported from django.contrib.auth.models, or
// `get_user_model().objects...`.
func authUserManager(p *analyzer.Pass, recv pyast.Node) bool {
	n := pyast.Unparen(recv)
	for {
		if c, ok := pyast.AsCall(n); ok {
			if c.Func.Type() != "attribute" {
				q, _ := p.Imports.Resolve(c.Func)
				return q == "django.contrib.auth.get_user_model"
			}
			n = pyast.Unparen(c.Receiver())
			continue
		}
		if n.Type() != "attribute" {
			return false
		}
		if n.ChildByField("attribute").Text() == "objects" {
			obj := pyast.Unparen(n.ChildByField("object"))
			if c, ok := pyast.AsCall(obj); ok {
				q, _ := p.Imports.Resolve(c.Func)
				return q == "django.contrib.auth.get_user_model"
			}
			q, _ := p.Imports.Resolve(obj)
			return q == "django.contrib.auth.models.User"
		}
		n = pyast.Unparen(n.ChildByField("object"))
	}
}

// rawValue reports a value as the client sent it: a name, an attribute, a
// subscript or a keyed `.get(...)` read, possibly through str() or a
// strip.
func rawValue(v pyast.Node) bool {
	v = pyast.Unparen(v)
	for {
		c, ok := pyast.AsCall(v)
		if !ok {
			break
		}
		switch {
		case pyast.Dotted(c.Func) == "str" && len(c.Positional) == 1:
			v = pyast.Unparen(c.Positional[0])
			continue
		case c.Func.Type() == "attribute" && (c.MethodName() == "strip" || c.MethodName() == "get") && len(c.Positional) <= 2:
			if c.MethodName() == "strip" {
				v = pyast.Unparen(c.Receiver())
				continue
			}
			_, key, _ := pyast.KeyedRead(v)
			_, isStr := pyast.StringValue(key)
			return isStr
		}
		return false
	}
	switch v.Type() {
	case "identifier", "attribute", "subscript":
		return true
	}
	return false
}

// hashedPasswords reports Django's user model, or a model deriving from
// one of its bases: its password column holds a salted hash.
func hashedPasswords(sm *semantic.Model, md *project.Model) bool {
	if md.External {
		return sm.IsUserModel(md)
	}
	for _, b := range allBases(md) {
		for _, eb := range b.ExternalBases {
			for _, a := range authBases {
				if eb == a {
					return true
				}
			}
		}
	}
	return false
}

// plainPasswords reports a model of the project, every base of which is
// known and none a Django user base, that declares a CharField or
// TextField named password.
func plainPasswords(md *project.Model) bool {
	if md.External || !md.Complete {
		return false
	}
	for _, b := range allBases(md) {
		if len(b.ExternalBases) > 0 {
			return false
		}
	}
	fl := md.Field("password")
	return fl != nil && (strings.HasSuffix(fl.Class, "CharField") || strings.HasSuffix(fl.Class, "TextField"))
}

// allBases returns md and its project bases, transitively.
func allBases(md *project.Model) []*project.Model {
	out := []*project.Model{md}
	for i := 0; i < len(out) && i < 32; i++ {
		for _, b := range out[i].Bases {
			out = append(out, b)
		}
	}
	return out
}
