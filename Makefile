# Two commands on a fresh machine: `make run` (the ledger with demo data) and `make test` (every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JS := tests/interop/js
# The Go verifier of the transparency log (tests/interop/go) builds offline from Debian's packages.
GO_TLOG := /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WEB_JS := tests/web/js

.PHONY: run test test-unit lint bench clean go-tools chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json
	cd $(JS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

go-tools:
	@command -v go >/dev/null && test -d $(GO_TLOG) || flock /tmp/apt.lock sh -c \
		'$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q golang-go golang-golang-x-mod-dev'

$(WEB_JS)/node_modules/.installed: $(WEB_JS)/package.json $(WEB_JS)/package-lock.json
	cd $(WEB_JS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The browser tests drive Debian's Chromium (Playwright's own browser download is unreachable from these machines).
chromium:
	command -v chromium >/dev/null || flock /tmp/apt.lock sh -c 'command -v chromium >/dev/null || \
	  ($(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium)'

run: $(STAMP)
	$(BIN)/ler serve --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) $(JS)/node_modules/.installed $(WEB_JS)/node_modules/.installed go-tools chromium lint
	$(BIN)/pytest

# The fast tier: domain rules, command handlers and read models in memory with fake ports. The database URL points
# nowhere, so a test that reached for PostgreSQL would fail here instead of quietly slowing the tier down.
# Loading the hypothesis, schemathesis and anyio pytest plugins cost more CPU than the tier's tests; it uses none.
UNIT_TESTS := $(wildcard tests/domain tests/application tests/read_models)
test-unit: $(STAMP)
	LER_TEST_POSTGRES_URL=postgresql://unit-tier@127.0.0.1:9/none CI=true $(BIN)/pytest -p no:schemathesis -p no:anyio -p no:hypothesispytest $(UNIT_TESTS)

bench: $(STAMP)
	$(BIN)/python -m ops.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(JS)/node_modules $(WEB_JS)/node_modules .pytest_cache .mypy_cache .ruff_cache data
