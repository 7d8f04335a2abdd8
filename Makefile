# xaso — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SYSTEM_PACKAGES := chromium fonts-liberation2 gettext poppler-utils
PYTEST_ARGS ?=
# pytest-xdist processes (`make test PYTEST_WORKERS=0` runs in one process).
PYTEST_WORKERS ?= 2

.PHONY: install system-packages python-deps assets messages demo serve test test-fast schema clean

install: system-packages python-deps assets messages ## everything the app, its tests and its demo need

system-packages: ## Debian packages (browser for tests, Vietnamese-capable fonts, gettext, pdftotext)
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

python-deps: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

messages: system-packages python-deps
	@$(BIN)/xaso compilemessages --ignore=.venv --ignore=node_modules -v0

# The demo only: the local sandbox payment gateway and the province's evaluation table
# (never in production defaults; `xaso check --deploy` warns about the sandbox).
DEMO_ENV := XASO_PAYMENT_SANDBOX=true XASO_RATING_PROVINCE_TABLE=true

demo: install ## set up, load the Ngọc Liên demo data, serve on http://127.0.0.1:8000
	$(DEMO_ENV) $(BIN)/xaso demo
	$(DEMO_ENV) XASO_PUBLIC_BASE_URL=$${XASO_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/xaso serve --host $(HOST) --port $(PORT) --with-worker

serve: install
	$(BIN)/xaso serve --host $(HOST) --port $(PORT)

test: install ## the whole suite, as CI runs it (DATABASE_URL chooses the database)
	@failed=""; \
	step() { echo "== $$*"; "$$@" || failed="$$failed\n  - $$*"; }; \
	step $(BIN)/xaso check --fail-level WARNING; \
	step $(BIN)/xaso makemigrations --check --dry-run; \
	step $(BIN)/xaso collectstatic --noinput -v0; \
	step $(BIN)/python scripts/check_schema.py; \
	step $(BIN)/python scripts/check_translations.py --dry-run; \
	echo "== pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)"; \
	rc=0; $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the suite is broken or PYTEST_ARGS selects nothing." >&2; fi; \
	if [ $$rc -ne 0 ]; then failed="$$failed\n  - pytest (exit $$rc)"; fi; \
	if [ -n "$$failed" ]; then printf "make test FAILED:$$failed\n" >&2; exit 1; fi; \
	echo "make test passed."

test-fast: python-deps ## pytest only, without the browser tests
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

schema: python-deps ## regenerate the committed OpenAPI schema
	$(BIN)/python scripts/check_schema.py --write

clean:
	rm -rf $(VENV) node_modules var
