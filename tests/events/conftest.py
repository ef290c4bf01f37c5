"""Fixtures of the event tests: a PostgreSQL server for the session (skipped, with the reason,
only where its binaries are missing), a store fixture run once on SQLite and once on PostgreSQL,
and a node of this module's own (reorganisations there never disturb the session chain)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from thekey.build import Artifacts
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.deploy import Deployment, deploy_suite
from thekey.events.pg_server import PostgresServer, server_binaries

NO_POSTGRES = "PostgreSQL server binaries (initdb, pg_ctl) are not installed: `make setup` installs them"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    if server_binaries() is None:
        yield None
        return
    with PostgresServer(durable=False) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A new empty store: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "events.sqlite"
    server: PostgresServer | None = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip(NO_POSTGRES)
    return server.new_database()


@pytest.fixture(scope="module")
def node(artifacts: Artifacts) -> Iterator[Anvil]:
    with Anvil(accounts=10) as anvil:
        yield anvil


@pytest.fixture(scope="module")
def own_chain(node: Anvil, artifacts: Artifacts) -> Chain:
    return Chain.connect(node.url, expected_chain_id=node.chain_id, artifacts=artifacts, receipt_timeout=30)


@pytest.fixture(scope="module")
def people() -> list[LocalAccount]:
    return dev_accounts(10)


@pytest.fixture(scope="module")
def own_suite(
    own_chain: Chain, people: list[LocalAccount], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """The suite on the module's node, its manifest in a data home of the module's own
    (``THEKEY_HOME``, inherited by CLI subprocesses): two nodes started in the same second share a
    genesis hash, so a shared deployments folder would mix up two workers' manifests."""
    home = tmp_path_factory.mktemp("thekey-home")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("THEKEY_HOME", str(home))
        yield deploy_suite(own_chain, people[0], folder=home / "deployments")


@pytest.fixture
def suite(own_chain: Chain, own_suite: Deployment) -> Iterator[Deployment]:
    """The module's suite, every chain change of the test (reorganisations too) reverted after it."""
    snapshot = own_chain.snapshot()
    yield own_suite
    own_chain.revert_to(snapshot)
    own_chain.nonces.reset()


def reorg(chain: Chain, depth: int, txs: list[tuple[dict[str, Any], int]] | None = None) -> None:
    """Anvil's ``anvil_reorg``: replace the last ``depth`` blocks by as many new ones holding
    ``txs`` (request, block offset) only."""
    chain.rpc("anvil_reorg", [depth, [[tx, offset] for tx, offset in txs or []]])
    chain.nonces.reset()


def rollback(chain: Chain, depth: int) -> None:
    """Anvil's ``anvil_rollback``: drop the last ``depth`` blocks."""
    chain.rpc("anvil_rollback", [depth])
    chain.nonces.reset()
