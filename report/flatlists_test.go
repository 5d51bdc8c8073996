package report_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/rules/all"
)

const flatModels = `from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=20)


class Wallet(models.Model):
    label = models.CharField(max_length=20)
    balance = models.DecimalField(max_digits=12, decimal_places=2)


class Transaction(models.Model):
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="transactions")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    tags = models.ManyToManyField(Tag)

    @property
    def signed(self):
        return self.amount
`

const flatSerializers = `from rest_framework import serializers

from .models import Transaction, Wallet


class WalletSerializer(serializers.ModelSerializer):
    """Columns only."""

    class Meta:
        model = Wallet
        fields = ["id", "label", "balance"]
        read_only_fields = ["balance"]

    def validate_label(self, value):
        return value.strip()


class TxnSerializer(serializers.ModelSerializer):
    wallet = serializers.PrimaryKeyRelatedField(read_only=True)
    note = serializers.CharField(write_only=True, required=False)

    class Meta:
        model = Transaction
        fields = ["id", "wallet", "amount", "note"]


class TxnAllSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transaction
        fields = "__all__"


class TxnNoTagsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transaction
        exclude = ["tags"]


class TxnDepthSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transaction
        fields = ["id", "wallet"]
        depth = 1


class TxnLabelSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="wallet.label")

    class Meta:
        model = Transaction
        fields = ["id", "label"]


class TxnMethodSerializer(serializers.ModelSerializer):
    total = serializers.SerializerMethodField()

    class Meta:
        model = Transaction
        fields = ["id", "total"]

    def get_total(self, obj):
        return obj.amount


class TxnPropertySerializer(serializers.ModelSerializer):
    class Meta:
        model = Transaction
        fields = ["id", "signed"]


class WalletTxnsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Wallet
        fields = ["id", "transactions"]


class WalletReprSerializer(serializers.ModelSerializer):
    class Meta:
        model = Wallet
        fields = ["id"]

    def to_representation(self, instance):
        return {"id": instance.pk, "n": instance.transactions.count()}
`

const flatViews = `from rest_framework import generics, viewsets
from rest_framework.response import Response

from .models import Transaction, Wallet
from .serializers import (TxnAllSerializer, TxnDepthSerializer, TxnLabelSerializer, TxnMethodSerializer,
                          TxnNoTagsSerializer, TxnPropertySerializer, TxnSerializer, WalletReprSerializer,
                          WalletSerializer, WalletTxnsSerializer)


class WalletViewSet(viewsets.ModelViewSet):  # flat
    queryset = Wallet.objects.all()
    serializer_class = WalletSerializer


class TxnList(generics.ListAPIView):  # flat
    queryset = Transaction.objects.filter(amount__gt=0)
    serializer_class = TxnSerializer


class TxnNoTags(generics.ListAPIView):  # flat
    queryset = Transaction.objects.all()
    serializer_class = TxnNoTagsSerializer


class TxnOwnList(viewsets.ReadOnlyModelViewSet):
    queryset = Transaction.objects.all()
    serializer_class = TxnSerializer

    def list(self, request):
        rows = self.filter_queryset(self.get_queryset())
        return Response(self.get_serializer(rows, many=True).data)  # flat


def wallets(request):
    return Response(WalletSerializer(Wallet.objects.all(), many=True).data)  # flat


class TxnAll(generics.ListAPIView):  # unjudged: many-to-many in __all__
    queryset = Transaction.objects.all()
    serializer_class = TxnAllSerializer


class TxnDepth(generics.ListAPIView):  # unjudged: depth
    queryset = Transaction.objects.all()
    serializer_class = TxnDepthSerializer


class TxnLabel(generics.ListAPIView):  # unjudged: a dotted source
    queryset = Transaction.objects.all()
    serializer_class = TxnLabelSerializer


class TxnMethod(generics.ListAPIView):  # unjudged: a method field
    queryset = Transaction.objects.all()
    serializer_class = TxnMethodSerializer


class TxnProperty(generics.ListAPIView):  # unjudged: a property
    queryset = Transaction.objects.all()
    serializer_class = TxnPropertySerializer


class WalletTxns(generics.ListAPIView):  # unjudged: a reverse relation
    queryset = Wallet.objects.all()
    serializer_class = WalletTxnsSerializer


class WalletRepr(generics.ListAPIView):  # unjudged: to_representation
    queryset = Wallet.objects.all()
    serializer_class = WalletReprSerializer


class WalletChosen(generics.ListAPIView):  # unjudged: chosen at run time
    queryset = Wallet.objects.all()

    def get_serializer_class(self):
        return WalletSerializer


class WalletOnly(generics.ListAPIView):  # unjudged: deferred columns
    queryset = Wallet.objects.only("id")
    serializer_class = WalletSerializer


def other_rows(request):
    return Response(WalletSerializer(Transaction.objects.all(), many=True).data)  # unjudged: another model's rows
`

// Each list endpoint of the sample is judged flat (its serializer reads
// only columns) or not, as the comment on its line says.
func TestListsFlat(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"shop/models.py":      []byte(flatModels),
		"shop/serializers.py": []byte(flatSerializers),
		"shop/views.py":       []byte(flatViews),
	})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	lines := strings.Split(flatViews, "\n")
	want := map[string][]int{}
	for i, l := range lines {
		if _, c, ok := strings.Cut(l, "# "); ok {
			kind, _, _ := strings.Cut(c, ":")
			want[kind] = append(want[kind], i+1)
		}
	}
	got := map[string][]int{}
	notes := map[int]string{}
	for kind, name := range map[string]string{"flat": "django.lists_flat", "unjudged": "django.lists_unjudged"} {
		for _, e := range signal(r, name).Evidence {
			require.Equal(t, "shop/views.py", e.Path)
			got[kind] = append(got[kind], e.Line)
			notes[e.Line] = e.Note
		}
		sort.Ints(got[kind])
	}
	assert.Equal(t, want, got)
	assert.Contains(t, notes[10], "`WalletViewSet` lists `Wallet` rows with `WalletSerializer`, which reads only their columns")
	assert.Contains(t, notes[38], "`TxnAllSerializer` reads `tags` (many-to-many, in `__all__`) per row")
	assert.Contains(t, notes[43], "sets `depth`")
	assert.Contains(t, notes[48], "`TxnLabelSerializer`'s `label` reads `wallet.label` per row")
	assert.Contains(t, notes[53], "is a `SerializerMethodField`")
	assert.Contains(t, notes[58], "reads `signed`, which is not a column of `Transaction`")
	assert.Contains(t, notes[63], "reads the relation `transactions` per row")
	assert.Contains(t, notes[68], "overrides `to_representation`")
	assert.Contains(t, notes[73], "overrides `get_serializer_class`")
	assert.Contains(t, notes[80], "only() or defer()")
	assert.Contains(t, notes[86], "rows of another queryset")

	// Some list is not flat: the N+1 item is not met on this evidence.
	it := item(r, "no-n-plus-one")
	assert.NotEqual(t, report.Met, it.Status)
}

// A project whose every list is flat meets the N+1 item, cited at each
// list.
func TestListsFlatMeetTheItem(t *testing.T) {
	views := `from rest_framework import viewsets

from .models import Transaction, Wallet
from .serializers import TxnSerializer, WalletSerializer


class WalletViewSet(viewsets.ModelViewSet):
    queryset = Wallet.objects.all()
    serializer_class = WalletSerializer


class TxnViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Transaction.objects.filter(amount__gt=0)
    serializer_class = TxnSerializer
`
	dir := tree(t, map[string][]byte{
		"shop/models.py":      []byte(flatModels),
		"shop/serializers.py": []byte(flatSerializers),
		"shop/views.py":       []byte(views),
	})
	r, err := report.Analyze(context.Background(), dir, all.Rules(), 1, report.Options{Now: fixedNow})
	require.NoError(t, err)
	it := item(r, "no-n-plus-one")
	assert.Equal(t, report.Met, it.Status, it.Reason)
	require.Len(t, it.Evidence, 2)
	assert.Equal(t, 7, it.Evidence[0].Line)
	assert.Equal(t, 12, it.Evidence[1].Line)
}
