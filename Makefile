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

test: vet
	@[ -x /usr/bin/chromium ] || [ -n "$$RUBRIC_CHROMIUM" ] || echo "make test: chromium not found: the HTML report's browser test (report/browser_test.go) is SKIPPED; .ci/install-chromium.sh installs it"
	$(GO) test -race -count=1 ./...

bench: build
	$(GO) test -run='^$$' -bench=. -benchmem ./analyzer/...
	./scripts/bench.sh

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzAnalyze -fuzztime=$${FUZZTIME:-30s} ./rules/all

docs:
	$(GO) test ./rules/all -run TestDocsUpToDate -update

clean:
	rm -rf bin
