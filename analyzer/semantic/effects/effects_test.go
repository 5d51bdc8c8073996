package effects

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

const src = `import requests
import httpx
from django.core.mail import EmailMessage, send_mail
from django.db import transaction

s = requests.Session()


def f(self, user, form, cache):
    requests.post("https://x/accounts")
    requests.request("PATCH", "https://x")
    s.get("https://x")
    self.session.put("https://x")
    self.client.post("/login")
    request.session.get("cart")
    self.session.get("cart_id")
    db.session.get(User, 1)
    task.delay(1)
    task.apply_async(args=[1])
    send_mail("s", "b", "f", ["t"])
    EmailMessage("s").send()
    user.email_user("s", "b")
    channel.basic_publish(exchange="", body=b"")
    Account.objects.create(user=user)
    Account.objects.filter(pk=1).update(x=1)
    user.order_set.create(total=1)
    user.save()
    form.save(commit=False)
    cache.delete("k")
    {}.update(a=1)
    with transaction.atomic():
        if user:
            Account.objects.create(user=user)
        else:
            Wallet.objects.create(user=user)
`

func TestClassify(t *testing.T) {
	tr, err := pyast.Parse([]byte(src))
	require.NoError(t, err)
	root := tr.Root()
	f := NewFile(root, pyast.CollectImports(root))
	fn := pyast.FindAll(root, "function_definition")[0]
	got := map[string]Kind{}
	verbs := map[string]string{}
	for _, c := range pyast.FindAll(fn, "call") {
		e := f.Classify(c)
		got[c.ChildByField("function").Text()] = e.Kind
		if e.Kind == HTTP {
			verbs[c.ChildByField("function").Text()] = e.Verb
		}
	}
	want := map[string]Kind{
		"requests.post": HTTP, "requests.request": HTTP, "s.get": HTTP, "self.session.put": HTTP,
		"self.client.post": None, "task.delay": Enqueue, "task.apply_async": Enqueue, "send_mail": Mail,
		`EmailMessage("s").send`: Mail, "user.email_user": Mail, "channel.basic_publish": Publish,
		"Account.objects.create": DBWrite, "Account.objects.filter(pk=1).update": DBWrite,
		"user.order_set.create": DBWrite, "user.save": DBWrite, "form.save": None, "cache.delete": None,
		"{}.update": None, "request.session.get": None, "self.session.get": None, "db.session.get": None,
	}
	for k, v := range want {
		assert.Equal(t, v, got[k], k)
	}
	assert.Equal(t, "PATCH", verbs["requests.request"])
	assert.Equal(t, "POST", verbs["requests.post"])

	writes := pyast.FindAll(pyast.FindAll(fn, "with_statement")[0], "call")
	var creates []pyast.Node
	for _, c := range writes {
		if f.Classify(c).Kind == DBWrite {
			creates = append(creates, c)
		}
	}
	require.Len(t, creates, 2)
	assert.True(t, Exclusive(creates[0], creates[1]), "if/else branches are exclusive")
	assert.False(t, AtomicScope(f.Imports, creates[0]).IsNil(), "inside atomic")
	assert.True(t, AtomicScope(f.Imports, pyast.FindAll(fn, "call")[0]).IsNil(), "outside atomic")
}
