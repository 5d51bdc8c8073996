package design

import (
	_ "embed"
	"path"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed importtimeclient.md
var importTimeClientDoc string

// ImportTimeClient reports network clients created at module level.
var ImportTimeClient = &analyzer.Rule{
	Code:       "ARC003",
	Name:       "import-time-client",
	Doc:        importTimeClientDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Info,
	Confidence: analyzer.Low,
	Since:      "0.1.0",
	Skip:       semantic.Test | semantic.Migration | semantic.Settings,
	Run:        runImportTimeClient,
}

// clientCtors are qualified constructors of network clients.
var clientCtors = map[string]bool{
	"requests.Session": true, "requests.session": true, "httpx.Client": true, "httpx.AsyncClient": true,
	"boto3.client": true, "boto3.resource": true, "boto3.session.Session": true, "boto3.Session": true,
	"redis.Redis": true, "redis.StrictRedis": true, "redis.from_url": true, "redis.Redis.from_url": true,
	"redis.StrictRedis.from_url": true, "pymongo.MongoClient": true, "stripe.StripeClient": true,
	"openai.OpenAI": true, "openai.AsyncOpenAI": true, "anthropic.Anthropic": true,
	"twilio.rest.Client": true, "slack_sdk.WebClient": true, "elasticsearch.Elasticsearch": true,
	"kafka.KafkaProducer": true, "kafka.KafkaConsumer": true, "confluent_kafka.Producer": true,
	"google.cloud.storage.Client": true, "minio.Minio": true, "sendgrid.SendGridAPIClient": true,
	"pika.BlockingConnection": true, "psycopg2.connect": true, "Adyen.Adyen": true,
	"braintree.BraintreeGateway": true, "razorpay.Client": true,
}

// runImportTimeClient matches assignments at module level (including
// module-level if/try blocks, not functions or classes) whose value is a
// call of a known client constructor (requests.Session, httpx.Client,
// boto3.client, redis.Redis, stripe.StripeClient...). It skips settings
// modules, tests and migrations, and `if __name__ == "__main__":` blocks.
func runImportTimeClient(p *analyzer.Pass) error {
	if standaloneScript(p) {
		return nil
	}
	for n := range pyast.FindEach(p.Root, "assignment") {
		c := pyast.Unparen(n.ChildByField("right"))
		if c.Type() != "call" {
			continue
		}
		q, ok := p.Imports.Resolve(c.ChildByField("function"))
		if !ok || !clientCtors[q] || !runsAtImport(n) {
			continue
		}
		target := n.ChildByField("left").Text()
		p.Report(analyzer.Diagnostic{
			Range:   analyzer.RangeOf(n),
			Message: "`" + target + "` (`" + q + "`) is created at import time",
			Help:    "build the client in a factory (`def get_client(): ...` with `functools.cache`, or an AppConfig.ready hook) and pass it to the code that uses it; tests then inject a fake instead of patching a module global",
		})
	}
	return nil
}

// standaloneScript reports a module run as a program, not imported by the
// service: it has a top-level `if __name__ == "__main__":` block and lives
// outside any package (no `__init__.py` beside it: a deployment script
// under `deploy/`), so its clients are the script's own, made once per run.
func standaloneScript(p *analyzer.Pass) bool {
	if p.Unit == nil {
		return false
	}
	pkg := p.Unit.Package
	if pkg == "" {
		return false // a module at the root may be the service itself (`app.py` run by gunicorn and by hand)
	}
	if u := p.Project.ByModule[pkg]; u != nil && path.Base(u.RootRel) == "__init__.py" {
		return false
	}
	for st := range pyast.EachStatement(p.Root) {
		if st.Type() == "if_statement" {
			if cond := st.ChildByField("condition").Text(); cond == `__name__ == "__main__"` || cond == `__name__ == '__main__'` {
				return true
			}
		}
	}
	return false
}

// runsAtImport reports whether n runs when the module is imported: not
// inside a function, class or lambda, nor under `if __name__ == "__main__":`.
func runsAtImport(n pyast.Node) bool {
	for a := n.Parent(); !a.IsNil(); a = a.Parent() {
		switch a.Type() {
		case "function_definition", "class_definition", "lambda":
			return false
		case "if_statement":
			if cond := a.ChildByField("condition").Text(); cond == `__name__ == "__main__"` || cond == `__name__ == '__main__'` {
				return false
			}
		}
	}
	return true
}
