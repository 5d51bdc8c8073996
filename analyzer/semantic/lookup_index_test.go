package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

func TestLookupIndexes(t *testing.T) {
	m := load(t, `
-- pay/models.py --
from django.db import models

class Wallet(models.Model):
    uuid = models.UUIDField(primary_key=True)

class Payment(models.Model):
    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE)
    reference = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=10)
    created = models.DateTimeField(db_index=True)
    note = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["status", "created"])]
-- pay/views.py --
from .models import Payment, Wallet

def show(request, ref):
    Wallet.objects.get(uuid=ref)
    Payment.objects.filter(wallet_id=ref, reference=ref, status=ref, note=ref, note__icontains=ref, wallet__uuid=ref)
    Payment.objects.order_by("-created")
`)
	sf := fileOf(t, m, "pay/views.py")
	kinds := map[string]IndexKind{}
	pk := []bool{}
	for _, n := range pyast.FindAll(sf.Unit.Tree.Root(), "call") {
		c, _ := pyast.AsCall(n)
		if !ColumnLookup(c) {
			continue
		}
		qs := sf.Eval(c.Receiver())
		if qs == nil {
			continue
		}
		cols := LookupIndexes(qs.Model, c)
		pk = append(pk, OnPrimaryKey(cols))
		for _, ci := range cols {
			if k, ok := kinds[ci.Column]; !ok || k == IndexUnknown {
				kinds[ci.Column] = ci.Kind
			}
		}
	}
	assert.Equal(t, []bool{true, false, false}, pk)
	assert.Equal(t, IndexImplicit, kinds["uuid"])
	assert.Equal(t, IndexImplicit, kinds["wallet_id"])
	assert.Equal(t, IndexUnknown, kinds["wallet"], "wallet__uuid crosses the relation")
	assert.Equal(t, IndexDeclared, kinds["reference"])
	assert.Equal(t, IndexDeclared, kinds["status"], "leads Meta.indexes")
	assert.Equal(t, IndexDeclared, kinds["created"])
	assert.Equal(t, IndexNone, kinds["note"])
}
