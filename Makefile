# TheKey — every entry point. `make setup` is idempotent: it installs only what changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: postgres-server setup artifacts demo test test-py test-ape bench lint lint-py lint-contracts deep-test coverage node clean

setup: $(VENV)/.installed node_modules/.installed postgres-server
	@echo "setup 3/3: registering the solc compiler"
	@$(PY) -c 'from thekey.build.solc import ensure_solc; ensure_solc()'

$(VENV)/.installed: pyproject.toml
	@echo "setup 1/3: Python environment in $(VENV) (first time: about 1-2 minutes)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@scripts/heartbeat.sh "pip: upgrading pip" $(PY) -m pip install --quiet --upgrade pip
	@scripts/heartbeat.sh "pip: installing thekey and its dependencies" $(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# The PostgreSQL server binaries for the shared event store's tests (Debian's `postgresql`); a no-op
# when present. Without them those tests are skipped, with the reason.
postgres-server:
	@if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null; then \
	  echo "setup: the PostgreSQL server is missing: installing Debian's postgresql package (apt-get)"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  { $$sudo apt-get install -y -q postgresql >/dev/null 2>&1 || { $$sudo apt-get update -q >/dev/null && \
	    $$sudo apt-get install -y -q postgresql >/dev/null; }; } \
	  || echo "setup: could not install postgresql: the PostgreSQL store tests will be skipped"; \
	else echo "setup: no PostgreSQL server and no apt-get: the PostgreSQL store tests will be skipped"; fi

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
	$(BIN)/thekey demo --scenario graduate

test: setup test-py test-ape test-forge

test-py:
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# ape-foundry runs `anvil` from PATH: put the npm package's binary there.
test-ape:
	PATH="$$($(PY) -c 'from thekey.chain.anvil import anvil_binary; print(anvil_binary().parent)'):$$PATH" \
	  $(BIN)/ape test tests/ape --network ethereum:local:foundry -c tests/ape/pytest.ini

# Foundry: invariant campaigns and fuzz tests in test/ (profile from FOUNDRY_PROFILE: default = CI,
# >= 50,000 calls per invariant; deep = >= 5,000,000). forge compiles with the project's solc launcher.
.PHONY: test-forge prove forge-coverage
FORGE := node_modules/@foundry-rs/forge-linux-amd64/bin/forge
SOLC_LAUNCHER = $$($(PY) -c 'from thekey.build.solc import ensure_solc; print(ensure_solc())')
test-forge:
	FOUNDRY_SOLC=$(SOLC_LAUNCHER) $(FORGE) test $(FORGE_ARGS)

# halmos symbolic proofs (check_ functions in test/halmos). halmos pins a `rich` that eth-ape's
# does not accept, so it lives in its own venv. Part of `make deep-test` (the venv install and
# halmos's own forge build take over a minute); its build goes to build/halmos.
HALMOS_VENV := .venv-halmos
$(HALMOS_VENV)/.installed:
	@test -x $(HALMOS_VENV)/bin/python || $(PYTHON) -m venv $(HALMOS_VENV)
	@scripts/heartbeat.sh "pip: installing halmos" $(HALMOS_VENV)/bin/pip install --quiet halmos==0.3.3
	@touch $@

prove: setup $(HALMOS_VENV)/.installed
	PATH="$(CURDIR)/$(dir $(FORGE)):$$PATH" FOUNDRY_SOLC=$(SOLC_LAUNCHER) \
	  FOUNDRY_OUT=build/halmos/out FOUNDRY_CACHE_PATH=build/halmos/cache FOUNDRY_TEST=test/halmos \
	  $(HALMOS_VENV)/bin/halmos --root . --forge-build-out build/halmos/out --function check_ --loop 12 $(HALMOS_ARGS)

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

# Long runs: the forge campaigns' deep profile (>= 5,000,000 calls per invariant), the halmos
# proofs, and the Python invariant machines and fuzzers (hypothesis profile "deep").
deep-test: setup
	FOUNDRY_PROFILE=deep $(MAKE) --no-print-directory test-forge
	$(MAKE) --no-print-directory prove
	THEKEY_HYPOTHESIS_PROFILE=deep $(BIN)/pytest -n 2 tests/stateful tests/security -p no:cacheprovider --timeout 3600 $(PYTEST_ARGS)

# Python line + branch coverage of src/thekey over the whole pytest suite (report in build/coverage).
coverage: setup
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest -p no:cacheprovider $(PYTEST_ARGS)
	$(BIN)/coverage combine -q || true
	$(BIN)/coverage report
	$(BIN)/coverage html -q -d build/coverage/html
	$(BIN)/coverage json -q -o build/coverage/coverage.json

# Solidity line/statement/branch/function coverage (no optimizer, as forge coverage requires) of
# the forge suites: the unit tests in test/unit in full, the campaigns shortened to 20 runs and the
# fuzz tests to 64 cases (coverage saturates early); lcov in build/forge/lcov.info.
forge-coverage: setup
	FOUNDRY_SOLC=$(SOLC_LAUNCHER) FOUNDRY_INVARIANT_RUNS=20 FOUNDRY_FUZZ_RUNS=64 $(FORGE) coverage \
	  --report summary --report lcov --report-file build/forge/lcov.info --no-match-coverage "test/|contracts/test/"

node: setup
	$(BIN)/thekey node

clean:
	rm -rf build .build .pytest_cache .mypy_cache .ruff_cache .hypothesis
