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
