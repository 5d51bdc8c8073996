# rubric: see README.md. `make run` builds and analyses the bundled sample
# submission; `make test` is what CI runs.
GO      ?= go
BIN     := bin/rubric
SAMPLE  := testdata/submissions/galileo
export CGO_ENABLED := 1

.PHONY: build run test vet bench fuzz docs install clean

build:
	$(GO) build -o $(BIN) ./cmd/rubric

install:
	$(GO) install ./cmd/rubric

# Findings make rubric exit 1; that is the expected outcome on the sample.
run: build
	./$(BIN) check $(SAMPLE); status=$$?; [ $$status -le 1 ] || exit $$status

vet:
	$(GO) vet ./...
	@unformatted="$$("$$($(GO) env GOROOT)/bin/gofmt" -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

test: vet
	@[ -x /usr/bin/chromium ] || [ -n "$$RUBRIC_CHROMIUM" ] || echo "make test: chromium not found: the HTML report's browser test (report/browser_test.go) is SKIPPED; .ci/install-chromium.sh installs it"
	$(GO) test -race -count=1 ./...

bench: build
	$(GO) test -run='^$$' -bench=. -benchmem ./analyzer/...
	./scripts/bench.sh

# Every fuzz target (a func FuzzXxx in a _test.go file) runs for FUZZTIME
# (default 30s), one after the other: go test fuzzes one target at a time.
fuzz:
	@set -e; for file in $$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do \
		dir=$$(dirname $$file); \
		for f in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "fuzz: $$dir $$f ($${FUZZTIME:-30s})"; \
			$(GO) test -run='^$$' -fuzz="^$$f\$$" -fuzztime=$${FUZZTIME:-30s} $$dir; \
		done; \
	done

docs:
	$(GO) test ./rules/all -run TestDocsUpToDate -update

clean:
	rm -rf bin
