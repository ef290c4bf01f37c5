"""A second Anvil with another chain id and the suite deployed at the same addresses (the same
deployer from nonce 0), for cross-chain replay tests of every signed action."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount

from thekey.build import Artifacts
from thekey.chain import Anvil, Chain
from thekey.deploy import Deployment, deploy_suite

TWIN_CHAIN_ID = 31338


@dataclass
class Twin:
    chain: Chain
    deployment: Deployment


@pytest.fixture(scope="session")
def twin(
    artifacts: Artifacts, deployer: LocalAccount, deployment: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Twin]:
    with Anvil(chain_id=TWIN_CHAIN_ID, accounts=20) as node:
        chain = Chain.connect(node.url, expected_chain_id=TWIN_CHAIN_ID, artifacts=artifacts, receipt_timeout=30)
        assert int(chain.rpc("eth_getTransactionCount", [deployer.address, "latest"]), 16) == 0
        twin_deployment = deploy_suite(chain, deployer, folder=tmp_path_factory.mktemp("twin"))
        assert twin_deployment.addresses == deployment.addresses, "the twin must mirror the suite's addresses"
        yield Twin(chain, twin_deployment)
