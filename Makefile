# MediaWatch: `make run` (the main job, offline, embedded store) and `make test` (every test).
SHELL := /bin/bash
PY_BOOT ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB ?= var/demo.db
TYPED := records store crawlers nlp incidents routing alerts reports triage_api mediawatch sample_site
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help

.PHONY: help run test bench train lint docs test-deps clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PY_BOOT) >/dev/null || { echo "need $(PY_BOOT) on PATH" >&2; exit 1; }
	@test -x $(PY) || $(PY_BOOT) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP) ## Crawl the bundled sample sites, enrich, store, detect, route, alert, report; serve http://127.0.0.1:8000
	@mkdir -p var
	@rm -f $(DB) $(DB)-wal $(DB)-shm
	$(VENV)/bin/mediawatch --db $(DB) demo --out var

test-deps: ## Debian packages some tests need: Chromium (browser tests), docker-compose (compose file check)
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: $(STAMP) test-deps ## Every test, plus ruff, mypy and the docs check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(TYPED)
	$(PY) -m pytest -q -p no:cacheprovider

lint: $(STAMP) ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(TYPED)

bench: $(STAMP) ## Benchmarks: print measured figures as JSON
	$(VENV)/bin/mediawatch bench

train: $(STAMP) ## Rebuild every shipped model in models/ from the data (reproducible)
	$(PY) -m nlp.training.train_all

docs: $(STAMP) ## Regenerate the README's CLI reference from --help
	$(PY) -m mediawatch.cli_reference

clean: ## Remove the venv and local databases
	rm -rf $(VENV) var
