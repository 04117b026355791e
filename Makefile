# callcard: one command each to run, test, benchmark and package (DESIGN.md section 5).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp

.PHONY: run reset test bench package lint screenshots lock

# The virtualenv is (re)installed only when a lock file changed since the last install: exactly the locked
# distributions, each checked against its hashes (the locks are requirements*.txt, written by `make lock`).
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(STAMP)

# checkov pins boto3 (and packaging, networkx) below requirements.txt's pins: it gets a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.requirements.stamp

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

# The locks from the human-edited requirements*.in: every distribution pinned, with the hashes of all its files,
# for any platform (markers) from Python 3.11 on. Versions already locked stay unless an .in file asks for others;
# the development lock takes the runtime lock's versions (what `chalice package` puts in deployment.zip).
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock"

lock: $(STAMP)
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in --constraint requirements.txt -o requirements-dev.txt
	$(LOCK) requirements-checkov.in -o requirements-checkov.txt

run: $(STAMP)
	$(BIN)/python -m local.run

reset:
	rm -rf .local

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(CHECKOV_STAMP)
	@if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null 2>&1; then \
		echo "*** chromium or chromedriver missing: the browser (e2e) tests will be SKIPPED ***"; \
	fi
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "*** npm missing: the single-page app (e2e) tests and the generated TypeScript client's tests will be SKIPPED ***"; \
	fi
	$(BIN)/pytest

# the figures, not the app's log lines and metrics
bench: $(STAMP)
	export LOG_LEVEL=WARNING POWERTOOLS_METRICS_DISABLED=true; $(BIN)/python -m bench.card && $(BIN)/python -m bench.cost && $(BIN)/python -m bench.scale

# STAGE (a stage of .chalice/config.json) defaults to prod: `make package STAGE=dev`
package: $(STAMP)
	rm -rf out
	$(BIN)/python -m infra.package --stage $(or $(STAGE),prod) out/
	$(BIN)/cfn-lint out/sam.json
	$(BIN)/cfn-lint infra/tracking-waf.json --regions us-east-1

# PNGs of the web app with the demo data (desktop and phone) for the README: its own stack, headless Chromium
screenshots: $(STAMP)
	$(BIN)/python -m scripts.screenshots
