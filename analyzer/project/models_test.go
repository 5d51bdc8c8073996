package project_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/analyzer/project"
)

func loadGraph(t *testing.T, archive string) *analyzer.Result {
	t.Helper()
	dir, _ := analyzertest.Extract(t, archive)
	res, err := analyzer.Run(context.Background(), analyzer.Config{WorkDir: dir, ParseOnly: true, Jobs: 2}, []string{dir})
	require.NoError(t, err)
	return res
}

func TestModelGraph(t *testing.T) {
	res := loadGraph(t, "../../testdata/projects/models_graph.txtar")
	g := res.Index.Models
	assert.Equal(t, "accounts.User", g.AuthUser)

	order := g.ByLabel("shop.Order")
	require.NotNil(t, order)
	assert.False(t, order.External)
	assert.Equal(t, "shop", order.App)
	assert.Equal(t, []string{"-created_at"}, order.Meta.Ordering, "ordering inherited from the abstract base")

	// Inherited fields, copied per concrete model.
	owner := order.Field("owner")
	require.NotNil(t, owner)
	assert.Equal(t, project.ForeignKey, owner.Kind)
	assert.Same(t, order, owner.Model)
	user := g.ByLabel("accounts.User")
	require.NotNil(t, user)
	assert.Same(t, user, owner.To)
	assert.False(t, user.Complete, "AbstractUser's fields are not in the tree")
	assert.NotNil(t, user.ReverseRelation("order_owned"), "%(class)s substituted")

	// External target and the stub holding its reverse accessors.
	cust := order.Field("customer")
	assert.Nil(t, cust.To)
	assert.Equal(t, "crm.Customer", cust.External)
	stub := g.ByLabel("crm.Customer")
	require.NotNil(t, stub)
	assert.True(t, stub.External)
	assert.Equal(t, project.AttrReverseMany, stub.Attr("order_set").Kind)

	// self with related_name "+": no reverse accessor.
	assert.Same(t, order, order.Field("parent").To)
	assert.Nil(t, order.ReverseRelation("order_set"))

	// Reverse accessors: related_name, <model>_set, one-to-one.
	assert.Equal(t, project.AttrReverseMany, order.Attr("items").Kind)
	assert.Equal(t, project.AttrReverseOne, order.Attr("invoice").Kind)
	tag := g.ByLabel("shop.tag")
	require.NotNil(t, tag)
	assert.Same(t, tag, order.Field("tags").To)
	assert.Equal(t, project.AttrReverseMany, tag.Attr("order_set").Kind)

	// Columns and forward relations.
	assert.Equal(t, project.AttrColumn, order.Attr("customer_id").Kind)
	assert.Equal(t, project.AttrForward, order.Attr("customer").Kind)
	assert.Equal(t, project.AttrManyToMany, order.Attr("tags").Kind)
	assert.Equal(t, project.AttrUnknown, order.Attr("label").Kind, "mixin methods are not fields")

	item := g.ByLabel("shop.OrderItem")
	require.NotNil(t, item)

	// Relation traversal.
	steps, ok := item.Follow("order__customer")
	assert.True(t, ok)
	require.Len(t, steps, 2)
	assert.Same(t, order, steps[0].Target)
	assert.Nil(t, steps[1].Target, "crm.Customer is external")
	_, ok = order.Follow("items__sku")
	assert.True(t, ok)
	_, ok = order.Follow("items__nope")
	assert.False(t, ok)

	// Indexes.
	assert.True(t, order.Indexed("status"))
	assert.True(t, order.Indexed("number"))
	assert.True(t, order.Indexed("customer_id"))
	assert.True(t, order.Indexed("created_at"))
	assert.False(t, item.Indexed("sku"))

	// Managers and lookups through imports and package re-exports.
	assert.NotNil(t, order.CustomManager("objects"))
	assert.True(t, item.HasManager("objects"))
	u := res.Index.ByPath["shop/models/order.py"]
	require.NotNil(t, u)
	assert.Same(t, order, g.Lookup(u, "Order"))
	assert.Same(t, order, g.ByQual("shop.models.Order"))
	assert.Nil(t, g.ByLabel("shop.Printable"))
	invoice := g.ByLabel("shop.Invoice")
	assert.Same(t, order, invoice.Field("order").To)
	assert.Equal(t, "billing.Vendor", invoice.Field("vendor").External)
}
