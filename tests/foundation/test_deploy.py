"""The deploy pipeline: manifest, idempotent re-deploy, stale manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Chain
from thekey.deploy import SUITE, Deployment, deploy_suite
from thekey.errors import ConfigError


def test_deploy__writes_a_manifest_with_every_suite_contract(
    chain: Chain, deployer: LocalAccount, tmp_path: Path
) -> None:
    deployment = deploy_suite(chain, deployer, folder=tmp_path)
    manifest = json.loads((tmp_path / f"{chain.chain_key}.json").read_text())
    assert list(manifest["contracts"]) == [spec.key for spec in SUITE]
    for entry in manifest["contracts"].values():
        assert {"address", "txHash", "blockNumber", "creationHash", "codeHash", "args"} <= set(entry)
    assert manifest["solcVersion"] == chain.artifacts.solc_version
    assert manifest["deployer"] == deployer.address
    assert deployment.addresses == {k: v["address"] for k, v in manifest["contracts"].items()}


def test_deploy__rerun_skips_unchanged_contracts(chain: Chain, deployer: LocalAccount, tmp_path: Path) -> None:
    first = deploy_suite(chain, deployer, folder=tmp_path)
    block = chain.block_number()
    second = deploy_suite(chain, deployer, folder=tmp_path)
    assert second.addresses == first.addresses
    assert chain.block_number() == block  # nothing was sent


def test_load__refuses_a_manifest_whose_contracts_are_gone(
    chain: Chain, deployer: LocalAccount, tmp_path: Path
) -> None:
    snapshot = chain.snapshot()
    deploy_suite(chain, deployer, folder=tmp_path)
    chain.revert_to(snapshot)
    with pytest.raises(ConfigError, match="stale"):
        Deployment.load(chain, tmp_path)
