package semantic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// A view that defines its own get_object and reads its listing from the
// row it returns (`self.get_object().bookings.all()`): the row is what
// that get_object answers, and the listing its related rows. Reading the
// row as one of the view's queryset went round get_queryset without end
// (a fatal stack overflow on byro's office views). A view whose
// get_queryset reads Django's get_object still finishes, with no
// listing.
func TestViewQuerysetReadFromItsOwnObject(t *testing.T) {
	m := load(t, `
-- books/models.py --
from django.db import models

class Transaction(models.Model):
    memo = models.CharField(max_length=10)

class Booking(models.Model):
    transaction = models.ForeignKey(Transaction, related_name="bookings", on_delete=models.CASCADE)
-- books/views.py --
from django.views.generic import DetailView, ListView
from .models import Booking, Transaction

class TransactionDetail(ListView):
    model = Booking

    def get_object(self):
        return Transaction.objects.get(pk=self.kwargs["pk"])

    def get_queryset(self):
        return self.get_object().bookings.all()

class Cached(ListView):
    model = Booking

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = Transaction.objects.get(pk=self.kwargs["pk"])
        return self.object

    def get_queryset(self):
        return self.get_object().bookings.filter(memo="x")

class Circular(DetailView):
    def get_queryset(self):
        return self.get_object().bookings.all()
`)
	f := fileOf(t, m, "books/views.py")
	got := map[string]*QS{}
	for _, cls := range pyast.FindAll(f.Unit.Tree.Root(), "class_definition") {
		got[pyast.DefName(cls)] = f.ViewQueryset(cls)
	}
	require.NotNil(t, got["TransactionDetail"])
	require.NotNil(t, got["TransactionDetail"].Model)
	assert.Equal(t, "Booking", got["TransactionDetail"].Model.Name)
	assert.Nil(t, got["Circular"])
}
