# xaso — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SYSTEM_PACKAGES := chromium fonts-liberation2 gettext poppler-utils
PYTEST_ARGS ?=

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

messages: python-deps
	@$(BIN)/xaso compilemessages --ignore=.venv --ignore=node_modules -v0

demo: install ## set up, load the Ngọc Liên demo data, serve on http://127.0.0.1:8000
	$(BIN)/xaso demo
	$(BIN)/xaso serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/xaso serve --host $(HOST) --port $(PORT)

test: install ## the whole suite, as CI runs it (DATABASE_URL chooses the database)
	$(BIN)/xaso check --fail-level WARNING
	$(BIN)/xaso makemigrations --check --dry-run
	$(BIN)/xaso collectstatic --noinput -v0
	$(BIN)/python scripts/check_schema.py
	$(BIN)/python scripts/check_translations.py
	$(BIN)/pytest $(PYTEST_ARGS)

schema: python-deps ## regenerate the committed OpenAPI schema
	$(BIN)/xaso spectacular --api-version 1 --file docs/openapi.yaml --validate

clean:
	rm -rf $(VENV) node_modules var
