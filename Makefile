# callcard: one command each to run, test, benchmark and package (DESIGN.md section 5).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp

.PHONY: run reset test bench package lint screenshots

# The virtualenv is (re)installed only when a requirements file changed since the last install.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m local.run

reset:
	rm -rf .local

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	@if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null 2>&1; then \
		echo "*** chromium or chromedriver missing: the browser (e2e) tests will be SKIPPED ***"; \
	fi
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.card

package: $(STAMP)
	rm -rf out
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} $(BIN)/chalice package --stage prod \
		--merge-template infra/resources.json out/
	$(BIN)/cfn-lint out/sam.json

# PNGs of the web app with the demo data (desktop and phone) for the README: its own stack, headless Chromium
screenshots: $(STAMP)
	$(BIN)/python -m scripts.screenshots
