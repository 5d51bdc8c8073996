package semantic

import (
	"path"
	"strings"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// This file names Django and DRF constructs by how they are written: view
// modules and classes, list views, pagination, index declarations, column
// lookups, eager loading, transactions, caching and idempotency keys. The
// reviewer checklist's django.*, txn.* and idempotency signals read them;
// ORM006 reads the DRF list views. The endpoint inventory (endpoints.go)
// is the finer account of views: routed, with methods and callers.

// ViewsModule reports a module that holds views by its path: views.py, a
// views/ package, viewsets.py or api.py.
func ViewsModule(rel string) bool {
	base := path.Base(rel)
	if base == "views.py" || base == "viewsets.py" || base == "api.py" {
		return true
	}
	for _, d := range strings.Split(path.Dir(rel), "/") {
		if d == "views" {
			return true
		}
	}
	return false
}

// ViewBase reports a base class named like a Django or DRF view (the last
// name of a dotted base): ...View, ...ViewSet, ...APIView.
func ViewBase(last string) bool {
	return strings.HasSuffix(last, "View") || strings.HasSuffix(last, "ViewSet") || strings.HasSuffix(last, "APIView")
}

// drfListViews are DRF's generic views and viewsets that serve lists.
var drfListViews = map[string]bool{"ListAPIView": true, "ListCreateAPIView": true, "ModelViewSet": true, "ReadOnlyModelViewSet": true}

// DRFListView reports a DRF generic view or viewset that serves a list, by
// its last name (ListAPIView, ListCreateAPIView, ModelViewSet,
// ReadOnlyModelViewSet).
func DRFListView(last string) bool { return drfListViews[last] }

// ListView reports a generic view that serves a list: DRF's (DRFListView)
// or Django's ListView and ArchiveIndexView.
func ListView(last string) bool {
	return drfListViews[last] || last == "ListView" || last == "ArchiveIndexView"
}

// ListMixin reports DRF's ListModelMixin, which adds a list action.
func ListMixin(last string) bool { return last == "ListModelMixin" }

// ManySerialization reports a serializer call with many=True: a list
// serialised in one response.
func ManySerialization(c pyast.Call) bool {
	m := c.Keyword("many")
	return !m.IsNil() && m.Text() == "True"
}

// PaginationSetting reports a name that configures pagination: a view's
// pagination_class or paginate_by, or DRF's DEFAULT_PAGINATION_CLASS.
func PaginationSetting(name string) bool {
	return name == "pagination_class" || name == "paginate_by" || name == "DEFAULT_PAGINATION_CLASS"
}

// PaginationCall reports a call into Django's paginator or DRF's
// pagination classes (q resolved).
func PaginationCall(q string) bool {
	return strings.HasPrefix(q, "django.core.paginator.") || strings.HasPrefix(q, "rest_framework.pagination.")
}

// RESTFrameworkPagination reports `REST_FRAMEWORK = {...}` naming a
// pagination class.
func RESTFrameworkPagination(name string, value pyast.Node) bool {
	return name == "REST_FRAMEWORK" && value.Type() == "dictionary" && strings.Contains(value.Text(), "PAGINATION_CLASS")
}

// IndexKeyword reports `db_index=True` on a field.
func IndexKeyword(name string, value pyast.Node) bool {
	return name == "db_index" && value.Text() == "True"
}

// IndexCall reports an index declared in a model: models.Index or
// models.UniqueConstraint (q resolved).
func IndexCall(q string) bool {
	return q == "django.db.models.Index" || q == "django.db.models.UniqueConstraint"
}

// AddIndexOperation reports a migration's AddIndex operation (q resolved,
// method the callee's last name).
func AddIndexOperation(q, method string) bool {
	return method == "AddIndex" || strings.HasSuffix(q, "migrations.AddIndex")
}

// MetaIndexes reports `indexes = [...]` in a model's Meta.
func MetaIndexes(assign pyast.Node) bool {
	return assign.ChildByField("left").Text() == "indexes" && pyast.EnclosingClass(assign).ChildByField("name").Text() == "Meta"
}

var lookupMethods = map[string]bool{"filter": true, "exclude": true, "get": true, "order_by": true, "get_or_create": true}

// KeyedLookup reports an ORM method that finds rows by its keywords
// (filter, exclude, get, get_or_create, update_or_create and their async
// forms): a field named there is looked up.
func KeyedLookup(method string) bool { return keyedLookups[method] }

var keyedLookups = map[string]bool{"filter": true, "exclude": true, "get": true, "get_or_create": true,
	"update_or_create": true, "aget": true, "aget_or_create": true, "aupdate_or_create": true}

// ColumnLookup reports an ORM call an index could serve: filter, exclude,
// get or get_or_create with a keyword other than the primary key (id, pk)
// and defaults, or order_by with a field. Whether its receiver is a
// queryset is for the caller to know (File.Eval, ManagerRoot).
func ColumnLookup(c pyast.Call) bool {
	method := c.MethodName()
	if !lookupMethods[method] {
		return false
	}
	if method == "order_by" {
		return len(c.Positional) > 0
	}
	for k := range c.EachKeyword() {
		base := k
		if i := strings.Index(base, "__"); i >= 0 {
			base = base[:i]
		}
		if base != "id" && base != "pk" && k != "defaults" {
			return true
		}
	}
	return false
}

// EagerLoading reports select_related / prefetch_related.
func EagerLoading(method string) bool {
	return method == "select_related" || method == "prefetch_related"
}

// TransactionCall returns "atomic" or "on_commit" for Django's
// transaction.atomic and transaction.on_commit (q resolved), else "".
func TransactionCall(q string) string {
	switch q {
	case "django.db.transaction.atomic":
		return "atomic"
	case "django.db.transaction.on_commit":
		return "on_commit"
	}
	return ""
}

// CacheCall reports Django's cache API, cache_page or django_redis (q
// resolved).
func CacheCall(q string) bool {
	return strings.HasPrefix(q, "django.core.cache.") || q == "django.views.decorators.cache.cache_page" || strings.HasPrefix(q, "django_redis.")
}

// IdempotencyName reports a name, keyword or string that mentions
// idempotency (Idempotency-Key, idempotency_key).
func IdempotencyName(s string) bool {
	return strings.Contains(strings.ToLower(s), "idempotency")
}

// FunctionView reports a module-level function of a views module whose
// first parameter is request: a view by the shape a reviewer reads, whether
// or not a route reaches it (the endpoint inventory lists the routed ones).
func FunctionView(def pyast.Node, rel string) bool {
	if !ViewsModule(rel) || !pyast.EnclosingClass(def).IsNil() || !pyast.EnclosingFunction(def.Parent()).IsNil() {
		return false
	}
	ps := pyast.ParamNames(def)
	return len(ps) > 0 && ps[0] == "request"
}

// TestModule reports a file that holds tests: a test file other than
// conftest.py and __init__.py, which are test code without tests.
func TestModule(rel string, roles Role) bool {
	base := path.Base(rel)
	return roles.Has(Test) && base != "__init__.py" && base != "conftest.py"
}

// ScriptModule reports a file run by hand rather than by the application:
// a script, a management command, development data, or conftest.py.
func ScriptModule(rel string, roles Role) bool {
	return roles.Any(Script|Command|DevData) || path.Base(rel) == "conftest.py"
}
