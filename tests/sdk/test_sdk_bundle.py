"""The compiled suite shipped in the package (``thekey/contracts_data/suite.json``): byte-identical
to a fresh build of ``contracts/``, complete enough to deploy the suite and decode its errors by name,
and free of the test harness contracts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.build import Artifacts
from thekey.build.bundle import BUNDLE_PATH, bundle_text
from thekey.chain import Anvil, Chain
from thekey.config import compiler_settings
from thekey.deploy import SUITE, deploy_suite
from thekey.errors import ContractRevert
from thekey.token.tky import Token


def test_bundle__a_build_of_contracts_is_byte_identical_to_the_checked_in_bundle(artifacts: Artifacts) -> None:
    # ``artifacts`` is the session's build of contracts/: its cache is keyed by the compiler settings
    # and the hash of every source unit, so it is what a fresh compile of today's sources gives (on
    # a fresh clone, as in CI, it is one).
    stale = "the bundle is stale: run `make artifacts`"
    assert bundle_text(artifacts) == BUNDLE_PATH.read_text(encoding="utf-8"), stale


def test_bundle__records_the_compiler_settings_and_source_hashes_it_came_from() -> None:
    bundle = json.loads(BUNDLE_PATH.read_text(encoding="utf-8"))
    settings = compiler_settings()
    assert bundle["compiler"]["version"] == settings.version
    assert bundle["compiler"]["settings"]["optimizer"] == {"enabled": settings.optimize, "runs": settings.runs}
    assert bundle["compiler"]["settings"]["evmVersion"] == settings.evm_version
    assert "contracts/credentials/CredentialRegistry.sol" in bundle["sourceHashes"]
    registry = bundle["contracts"]["contracts/credentials/CredentialRegistry.sol:CredentialRegistry"]
    assert registry["metadata"]["settings"]["optimizer"]["runs"] == settings.runs  # solc's own record
    assert not [fq for fq in bundle["contracts"] if fq.startswith("contracts/test/")]
    assert not [u for u in bundle["sourceHashes"] if u.startswith("contracts/test/")]


def test_bundle__deploys_the_suite_and_decodes_reverts_by_name(
    anvil: Anvil, deployer: LocalAccount, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    bundled = Artifacts.from_bundle()
    chain = Chain.connect(anvil.url, artifacts=bundled)
    snapshot = chain.snapshot()
    try:
        deployment = deploy_suite(chain, deployer, folder=tmp_path)
        assert list(deployment.addresses) == [spec.key for spec in SUITE]
        token = Token.from_deployment(deployment)
        with pytest.raises(ContractRevert) as revert:
            token.transfer(accounts[7], deployer.address, 1)  # account 7 holds no TKY
        assert revert.value.name == "ERC20InsufficientBalance"
    finally:
        chain.revert_to(snapshot)
