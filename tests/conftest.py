"""Session fixtures: one compiled build, one Anvil, one deployed suite; each test isolated
by an ``evm_snapshot`` taken before it and reverted after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account.signers.local import LocalAccount

from thekey.build import Artifacts, compile_project
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.deploy import Deployment, deploy_suite


@pytest.fixture(scope="session")
def artifacts() -> Artifacts:
    return compile_project()


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    with Anvil(accounts=20) as node:
        yield node


@pytest.fixture(scope="session")
def chain(anvil: Anvil, artifacts: Artifacts) -> Chain:
    return Chain.connect(anvil.url, expected_chain_id=anvil.chain_id, artifacts=artifacts, receipt_timeout=30)


@pytest.fixture(scope="session")
def accounts() -> list[LocalAccount]:
    """Anvil's funded dev accounts; [0] deploys and administers the suite."""
    return dev_accounts(20)


@pytest.fixture(scope="session")
def deployer(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[0]


@pytest.fixture(scope="session")
def stranger(accounts: list[LocalAccount]) -> LocalAccount:
    """An account holding no role anywhere."""
    return accounts[19]


@pytest.fixture(scope="session")
def deployment(chain: Chain, deployer: LocalAccount, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    return deploy_suite(chain, deployer, folder=tmp_path_factory.mktemp("deployments"))


@pytest.fixture(autouse=True)
def _isolate_chain(request: pytest.FixtureRequest) -> Iterator[None]:
    """Revert every chain change a test made (only for tests that use the chain)."""
    if "chain" not in request.fixturenames and "deployment" not in request.fixturenames:
        yield
        return
    chain: Chain = request.getfixturevalue("chain")
    snapshot = chain.snapshot()
    yield
    chain.revert_to(snapshot)
