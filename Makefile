# Everything a newcomer or CI needs: `make demo`, `make test`, `make build`, `make bench`.
# Nothing is assumed installed but Python 3.11+ and make: the first run bootstraps a pinned uv
# into .tools/uv and syncs every environment from its committed lock (--frozen, no resolving).
PYTHON ?= python3
UV_VERSION := 0.13.9
UV_HOME := .tools/uv
UV := $(abspath $(UV_HOME))/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced
# Tools with dependency pins of their own get locked environments of their own (tools/NAME/).
CHECKOV := tools/checkov/.venv/bin/checkov
CHECKOV_REPORT := tools/checkov/.venv/report.json
SAM := tools/sam/.venv/bin/sam
# The SAM application and the member accounts' StackSet template (org/member.yaml).
TEMPLATES := template.yaml org/member.yaml
# Cloud Custodian, the peer `make bench` compares the enforcer with: bench only, never a product
# dependency (its pins differ from ours, and nothing of it may reach the layer).
CUSTODIAN := tools/custodian/.venv/.synced

# uv reads these; tests find uv through $UV. This machine reaches only package registries, so
# uv must use the interpreters it finds rather than download one.
export UV
export UV_PYTHON_DOWNLOADS := never
export SAM_CLI_TELEMETRY := 0

.PHONY: install lock lock-check demo demo-org test lint format typecheck cfn-lint checkov sam-validate \
	pytest build bench compare clean

$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra iac --python $(PYTHON)
	touch $@

tools/%/.venv/.synced: $(UV) tools/%/pyproject.toml tools/%/uv.lock
	cd tools/$* && $(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(STAMP)

# Re-resolve every lock (after editing a pyproject.toml), regenerate the layer's requirements and
# cut the trimmed service models (shared/cvpn_guard/aws/models/) from the newly locked botocore.
lock: $(UV)
	$(UV) lock --python $(PYTHON)
	cd tools/checkov && $(UV) lock --python $(PYTHON)
	cd tools/sam && $(UV) lock --python $(PYTHON)
	cd tools/custodian && $(UV) lock --python $(PYTHON)
	$(PYTHON) tools/layer_requirements.py
	$(UV) sync --frozen --extra iac --python $(PYTHON) && touch $(STAMP)
	$(BIN)/python -m cvpn_guard.aws.service_models

# Every lock still matches its pyproject.toml; the layer's requirements and the trimmed service
# models match uv.lock (the models are those the locked botocore trims to); docs/policy.md's
# rule tables are the rule registry's (`$(BIN)/python -m cvpn_devkit.policy_docs` rewrites them).
lock-check: install
	$(UV) lock --check --python $(PYTHON)
	cd tools/checkov && $(UV) lock --check --python $(PYTHON)
	cd tools/sam && $(UV) lock --check --python $(PYTHON)
	cd tools/custodian && $(UV) lock --check --python $(PYTHON)
	$(PYTHON) tools/layer_requirements.py --check
	$(BIN)/python -m cvpn_guard.aws.service_models --check
	$(BIN)/python -m cvpn_devkit.policy_docs --check

demo: install
	$(BIN)/cvpn-guard demo

demo-org: install
	$(BIN)/cvpn-guard demo --org

test: install lock-check lint typecheck cfn-lint sam-validate checkov pytest

# lint-imports: the dependency order (pyproject.toml's [tool.importlinter], CONTRIBUTING.md).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy shared functions devkit

cfn-lint: install
	$(BIN)/cfn-lint $(TEMPLATES)

sam-validate: tools/sam/.venv/.synced
	for t in $(TEMPLATES); do $(SAM) validate --lint --template $$t --region eu-west-1 || exit 1; done

# Offline (--skip-download). Checks that do not fit are skipped per resource in template.yaml's
# Metadata, each with its reason, never here. checkov exits 0 on a template it cannot parse,
# so the JSON summary must also show checks that passed, none failed and no parsing error.
checkov: tools/checkov/.venv/.synced
	$(CHECKOV) $(addprefix -f ,$(TEMPLATES)) --framework cloudformation --skip-download \
		--quiet --compact -o cli -o json --output-file-path console,$(CHECKOV_REPORT)
	$(BIN)/python -c "import json, sys; s = json.load(open('$(CHECKOV_REPORT)'))['summary']; \
		print('checkov summary:', s); \
		sys.exit(0 if s['passed'] > 0 and s['failed'] == 0 and s['parsing_errors'] == 0 else 1)"

# One worker per core (at most 4): each test file stays on one worker, so a module's fixtures
# (the demo's run, the built artifact) are made once. `.venv/bin/pytest FILE` runs serially.
pytest: install
	$(BIN)/pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile

# The deployable artifact: `sam build` (layer from shared/requirements.txt, arm64 wheels) into
# .aws-sam/build. SAM's Python builder needs the runtime's interpreter (python3.12) on PATH.
# SAM ships no bytecode and Lambda mounts code read-only, so every cold start would compile
# every module again: the runtime's interpreter compiles it here (checked-hash pycs, as
# cvpn_devkit.artifact.compile_bytecode does for the deploy-parity test and the bench).
build: tools/sam/.venv/.synced
	@PY312="$$($(PYTHON) tools/find_python.py 3.12)"; \
	if [ -z "$$PY312" ]; then \
		echo "make build: no working python3.12 found (the template's runtime); install one" >&2; \
		exit 1; \
	fi; \
	PATH="$$(dirname "$$PY312"):$$PATH" $(SAM) build --template template.yaml && \
	"$$PY312" -m compileall -q -j 0 --invalidation-mode checked-hash .aws-sam/build >/dev/null

# One table of ratios and counts from one run (and benchmarks/results.json); about 8 minutes on two
# cores. Builds the Lambda artifact in a temporary folder, as the deploy-parity test does.
# `$(BIN)/python -m benchmarks.readme` then puts the run's figures in benchmarks/README.md
# (quiet runs only).
bench: install $(CUSTODIAN)
	$(BIN)/python -m benchmarks

# The enforcer's cold path of this checkout against another commit's, paired: make compare REV=main
compare: install $(CUSTODIAN)
	@test -n "$(REV)" || { echo "make compare: name the commit to compare with: REV=..." >&2; exit 2; }
	$(BIN)/python -m benchmarks.compare $(REV)

clean:
	rm -rf $(VENV) .tools tools/*/.venv .mypy_cache .pytest_cache .ruff_cache .hypothesis .aws-sam
