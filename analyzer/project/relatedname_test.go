package project_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// related_name may be passed by position: third to ForeignKey and
// OneToOneField (after on_delete), second to ManyToManyField (saleor's
// `ManyToManyField(GiftCardTag, "gift_cards")`).
func TestPositionalRelatedName(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "graph.txtar")
	require.NoError(t, os.WriteFile(archive, []byte(`
-- shop/models.py --
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=10)


class Card(models.Model):
    tags = models.ManyToManyField(Tag, "cards")
    owner = models.ForeignKey(Tag, models.CASCADE, "owned_cards")
    twin = models.OneToOneField(Tag, models.CASCADE)
`), 0o644))
	res := loadGraph(t, archive)
	tag := res.Index.Models.ByLabel("shop.Tag")
	require.NotNil(t, tag)
	assert.NotNil(t, tag.ReverseRelation("cards"), "M2M related_name by position")
	assert.NotNil(t, tag.ReverseRelation("owned_cards"), "ForeignKey related_name by position")
	assert.NotNil(t, tag.ReverseRelation("card"), "on_delete is not a related_name")
}
