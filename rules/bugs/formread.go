package bugs

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/semantic"
)

//go:embed formread.md
var formReadDoc string

// FormReadInJSONAPI reports DRF handlers that read the request body
// through the form-data API: request.POST, request.data.dict().
var FormReadInJSONAPI = &analyzer.Rule{
	Code:       "BUG031",
	Name:       "form-read-in-json-api",
	Doc:        formReadDoc,
	Category:   analyzer.Correctness,
	Severity:   analyzer.Error,
	Confidence: analyzer.Medium,
	Since:      "0.2.0",
	Stack:      project.Django,
	Skip:       semantic.ProductCode,
	Requires:   []project.Analysis{semantic.Endpoints, speaksJSON},
	Run:        runFormReadInJSONAPI,
}

// jsonMarks are what a project sending JSON bodies writes: a test client's
// format="json", a JSON content type, requests' json= keyword, DRF's
// TEST_REQUEST_DEFAULT_FORMAT.
var jsonMarks = [][]byte{[]byte(`format="json"`), []byte(`format='json'`), []byte("application/json"),
	[]byte("json="), []byte("TEST_REQUEST_DEFAULT_FORMAT")}

// speaksJSON reports a project whose code or tests send JSON bodies: its
// API is used with JSON, so a request.POST read there misses the body.
// An exercise specified with form bodies (multipart clients only) has none.
var speaksJSON = &project.ProjectAnalysis[bool]{Name: "bugs.speaksJSON", Run: func(ix *project.Index) bool {
	for _, u := range ix.Units {
		if u.File == nil {
			continue
		}
		for _, m := range jsonMarks {
			if bytes.Contains(u.File.Src(), m) {
				return true
			}
		}
	}
	return false
}}

// queryDictOnly are the QueryDict methods a plain dict (request.data
// of a JSON body) lacks.
var queryDictOnly = map[string]bool{"dict": true, "getlist": true, "lists": true, "urlencode": true, "setlist": true, "appendlist": true}

// runFormReadInJSONAPI matches, in the handlers of judged DRF endpoints
// (APIView, viewset, @api_view), reads of `request.POST` in a project
// that sends JSON bodies (empty for a JSON body: DRF fills it only for
// form media types; see speaksJSON) and QueryDict-only
// calls on `request.data` (`.dict()`, `.getlist()`: an AttributeError
// when the body is JSON, where request.data is a dict). Silent when JSON
// cannot arrive (the view's parser_classes or DEFAULT_PARSER_CLASSES name
// no JSON parser), when the handler reads request.FILES (a multipart
// upload, where request.POST holds the other fields), or when it looks at
// the content type or the QueryDict type itself. One finding per
// handler, at the first read.
func runFormReadInJSONAPI(p *analyzer.Pass) error {
	if parsers, found, known := p.Project.Settings.RESTDefault("DEFAULT_PARSER_CLASSES"); found && (!known || !namesJSON(parsers)) {
		return nil
	}
	inv := semantic.InventoryOf(p.Project)
	f := semantic.Of(p.Project).File(p.Unit)
	done := map[*semantic.Func]bool{}
	for _, e := range inv.InFile(f) {
		fn := e.Handler
		if fn == nil || done[fn] || e.Kind != "drf-view" && e.Kind != "viewset" || !e.Judged(inv) {
			continue
		}
		done[fn] = true
		if e.Class != nil {
			if v, _ := e.Class.Attr("parser_classes"); !v.IsNil() && !strings.Contains(v.Text(), "JSON") {
				continue
			}
		}
		req := e.RequestParam
		if req == "" {
			req = "request"
		}
		body := pyast.Body(fn.Node)
		if knowsBodyKind(body) || answersRedirect(body) {
			continue
		}
		if n, what := firstFormRead(body, req, speaksJSON.Get(p.Project)); !n.IsNil() {
			p.Report(analyzer.Diagnostic{
				Range:   analyzer.RangeOf(n),
				Message: fmt.Sprintf("`%s` %s", e.ViewName(), what),
				Help:    "read the body through `request.data` (parsed for JSON and form bodies alike), better through a serializer: `s = XSerializer(data=request.data); s.is_valid(raise_exception=True)`; for a plain dict use `dict(request.data)` only on form data",
			})
		}
	}
	return nil
}

// firstFormRead returns the first form-only read of the request in
// body, and what it does with a JSON body: request.POST only when the
// project sends JSON (json), request.data's QueryDict methods always
// (JSON is DRF's default, and there they raise).
func firstFormRead(body pyast.Node, req string, json bool) (pyast.Node, string) {
	for n := range pyast.FindEach(body, "attribute") {
		obj := pyast.Dotted(n.ChildByField("object"))
		if obj != req && obj != "self.request" {
			continue
		}
		switch n.ChildByField("attribute").Text() {
		case "POST":
			if !json {
				continue
			}
			if p := n.Parent(); p.Type() == "assignment" && p.ChildByField("left").Equal(n) {
				continue
			}
			return n, fmt.Sprintf("reads `%s.POST` in a DRF view: DRF fills it only for form bodies, so for the JSON this API parses by default it is empty and every key reads as missing", obj)
		case "data":
			outer := n.Parent()
			if outer.Type() != "attribute" || !outer.ChildByField("object").Equal(n) {
				continue
			}
			m := outer.ChildByField("attribute").Text()
			if call := outer.Parent(); queryDictOnly[m] && call.Type() == "call" && call.ChildByField("function").Equal(outer) {
				return outer, fmt.Sprintf("calls `%s.data.%s()`, a QueryDict method: for a JSON body `request.data` is a plain dict, so this is an `AttributeError` (a 500)", obj, m)
			}
		}
	}
	return pyast.Node{}, ""
}

// knowsBodyKind reports a handler that reads request.FILES (a multipart
// upload) or looks at the body's kind: the content type, QueryDict.
func knowsBodyKind(body pyast.Node) bool {
	for n := range pyast.FindEach(body, "attribute", "identifier") {
		name := n.Text()
		if n.Type() == "attribute" {
			name = n.ChildByField("attribute").Text()
		}
		switch name {
		case "FILES", "content_type", "CONTENT_TYPE", "QueryDict":
			return true
		}
	}
	return false
}

// answersRedirect reports a handler that answers with a redirect
// (`HttpResponseRedirect(...)`, `redirect(...)`): the target of an HTML
// form, which the browser posts as form data and then follows to the
// next page (a purchase form sent on to the payment page). A JSON client
// is not sent elsewhere, so request.POST is what this handler gets.
func answersRedirect(body pyast.Node) bool {
	for _, r := range pyast.FindAllShallow(body, "return_statement") {
		if c, ok := pyast.AsCall(pyast.Unparen(r.NamedChild(0))); ok {
			switch string(pyast.CalleeName(c.Node)) {
			case "HttpResponseRedirect", "HttpResponsePermanentRedirect", "redirect":
				return true
			}
		}
	}
	return false
}

// namesJSON reports a parser list with a JSON parser (DRF's JSONParser,
// a camel-case or ORJSON one).
func namesJSON(parsers []string) bool {
	for _, p := range parsers {
		if strings.Contains(strings.ToLower(p), "json") {
			return true
		}
	}
	return false
}
