# TheKey — every entry point. `make setup` is idempotent: it installs only what changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: setup artifacts demo test test-py test-ape bench lint lint-py lint-contracts deep-test coverage sol-coverage node clean

setup: $(VENV)/.installed node_modules/.installed
	@echo "setup 3/3: registering the solc compiler"
	@$(PY) -c 'from thekey.build.solc import ensure_solc; ensure_solc()'

$(VENV)/.installed: pyproject.toml
	@echo "setup 1/3: Python environment in $(VENV) (first time: about 1-2 minutes)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@scripts/heartbeat.sh "pip: upgrading pip" $(PY) -m pip install --quiet --upgrade pip
	@scripts/heartbeat.sh "pip: installing thekey and its dependencies" $(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package-lock.json
	@echo "setup 2/3: Node packages (Anvil, solc-js, the reference resolvers; first time: about 30 seconds)"
	@scripts/heartbeat.sh "npm ci" npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The compiled suite the wheel ships (src/thekey/contracts_data/suite.json); a test checks it is fresh.
artifacts: setup
	$(PY) scripts/bundle_artifacts.py

demo: setup
	@echo "demo: compiling the contracts, starting a local Anvil and running the verification flow step by step"
	$(BIN)/thekey demo

test: setup test-py test-ape

test-py:
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# ape-foundry runs `anvil` from PATH: put the npm package's binary there.
test-ape:
	PATH="$$($(PY) -c 'from thekey.chain.anvil import anvil_binary; print(anvil_binary().parent)'):$$PATH" \
	  $(BIN)/ape test tests/ape --network ethereum:local:foundry -c tests/ape/pytest.ini

bench: setup
	$(BIN)/python -m benchmarks

# Static analysis: ruff + mypy --strict on the Python, slither on contracts/ (fails on any
# High or Medium finding not suppressed inline with a reason; Low/Informational are counted).
lint: setup lint-py lint-contracts

lint-py:
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

lint-contracts:
	$(PY) scripts/lint_contracts.py --json build/slither/summary.json

# Long runs of the invariant machines and the fuzzers (hypothesis profile "deep").
deep-test: setup
	THEKEY_HYPOTHESIS_PROFILE=deep $(BIN)/pytest tests/stateful tests/security -p no:cacheprovider --timeout 3600 $(PYTEST_ARGS)

# Python line + branch coverage of src/thekey over the whole pytest suite (report in build/coverage).
coverage: setup
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest -p no:cacheprovider $(PYTEST_ARGS)
	$(BIN)/coverage combine -q || true
	$(BIN)/coverage report
	$(BIN)/coverage html -q -d build/coverage/html
	$(BIN)/coverage json -q -o build/coverage/coverage.json

# Solidity statement/branch coverage (solidity-coverage through Hardhat, solc-js from npm, offline):
# instruments contracts/, serves the instrumented chain over JSON-RPC and runs the pytest suite
# against it (scripts/sol_coverage.cjs + scripts/sol_coverage.py). Not part of `make test` (~7 min).
# Narrow it with SOL_COVERAGE_TESTS="tests/token tests/escrow". Report in build/sol-coverage.
sol-coverage: setup
	node_modules/.bin/hardhat --config scripts/sol_coverage.cjs coverage --solcoverjs scripts/sol_coverage.cjs

node: setup
	$(BIN)/thekey node

clean:
	rm -rf build .build .pytest_cache .mypy_cache .ruff_cache .hypothesis
