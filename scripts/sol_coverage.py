"""pytest plugin for ``make sol-coverage``: run the suite against solidity-coverage's chain.

``scripts/sol_coverage.cjs`` starts pytest with ``-p scripts.sol_coverage`` and two variables:

* ``THEKEY_SOLCOV_RPC_URL`` — the JSON-RPC address of Hardhat's in-process EVM, where
  solidity-coverage counts the instrumented code each transaction and call executes;
* ``THEKEY_SOLCOV_BUILD`` — the instrumented artifacts, written in thekey's build layout.

The plugin is imported before ``tests/conftest.py``, so it swaps the two things the session
fixtures build on: ``compile_project()`` returns the instrumented build, and ``Anvil(...)``
with the default chain id yields the coverage chain instead of starting a node. Any other
``Anvil`` (the security suite's twin chain with another chain id) is a real Anvil without the
contract size limit, since instrumented, unoptimised bytecode is larger than 24 KiB.
Nothing changes when the variables are unset.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

import thekey.build
import thekey.chain
from thekey.build import Artifacts, load_artifacts
from thekey.chain import Chain
from thekey.config import LOCAL_CHAIN_ID

RPC_URL = os.environ.get("THEKEY_SOLCOV_RPC_URL")
BUILD = os.environ.get("THEKEY_SOLCOV_BUILD")
_RealAnvil = thekey.chain.Anvil


class CoverageNode:
    """Stands in for :class:`thekey.chain.Anvil`: the already running coverage chain."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.chain_id = LOCAL_CHAIN_ID

    def __enter__(self) -> CoverageNode:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def stop(self) -> None:
        return None


def anvil_or_coverage_node(*, chain_id: int = LOCAL_CHAIN_ID, **kwargs: Any) -> Any:
    if RPC_URL and chain_id == LOCAL_CHAIN_ID and kwargs.get("port") is None:
        return CoverageNode(RPC_URL)
    extra = list(kwargs.pop("extra_args", None) or [])
    return _RealAnvil(chain_id=chain_id, extra_args=[*extra, "--disable-code-size-limit"], **kwargs)


def instrumented_build(force: bool = False) -> Artifacts:
    assert BUILD is not None
    return load_artifacts(Path(BUILD))


if RPC_URL and BUILD:
    thekey.build.compile_project = instrumented_build
    thekey.chain.Anvil = anvil_or_coverage_node  # type: ignore[assignment,misc]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the gas-ceiling tests: instrumented, unoptimised code costs more gas by design."""
    if not RPC_URL:
        return
    kept = [item for item in items if "_gas" not in item.path.name]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _latest_block_is_now(request: pytest.FixtureRequest) -> None:
    """Mine one block before each chain test (before the suite's snapshot is taken).

    New blocks carry the wall-clock time, while ``latest`` after a revert is the old block the
    snapshot kept. Tests that sign with ``deadline = chain.timestamp() + 600`` assume the two are
    minutes apart at most, as in a normal run; under instrumentation the run is several times
    longer, so the gap would outgrow such deadlines without this.
    """
    if not RPC_URL or ("chain" not in request.fixturenames and "deployment" not in request.fixturenames):
        return
    chain: Chain = request.getfixturevalue("chain")
    if chain.chain_id == LOCAL_CHAIN_ID:
        chain.mine()
