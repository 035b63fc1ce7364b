# Everything a newcomer or CI needs: `make demo`, `make test`, `make bench`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# checkov pins an older boto3 than cvpn-guard needs, so it gets a venv of its own.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp
CHECKOV_REPORT := $(CHECKOV_VENV)/report.json

.PHONY: install demo test lint format typecheck cfn-lint checkov pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/cvpn-guard demo

test: install lint typecheck cfn-lint checkov pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy shared functions

cfn-lint: install
	$(BIN)/cfn-lint template.yaml

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

# Offline (--skip-download). Checks that do not fit are skipped per resource in template.yaml's
# Metadata, each with its reason, never here. checkov exits 0 on a template it cannot parse,
# so the JSON summary must also show checks that passed, none failed and no parsing error.
checkov: $(CHECKOV_STAMP)
	$(CHECKOV_VENV)/bin/checkov -f template.yaml --framework cloudformation --skip-download \
		--quiet --compact -o cli -o json --output-file-path console,$(CHECKOV_REPORT)
	$(CHECKOV_VENV)/bin/python -c "import json, sys; s = json.load(open('$(CHECKOV_REPORT)'))['summary']; \
		print('checkov summary:', s); \
		sys.exit(0 if s['passed'] > 0 and s['failed'] == 0 and s['parsing_errors'] == 0 else 1)"

pytest: install
	$(BIN)/pytest

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis .aws-sam
