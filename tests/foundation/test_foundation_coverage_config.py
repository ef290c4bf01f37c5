"""Configuration errors say what to run: no build, an unknown or ambiguous contract name, no
deployment manifest for the chain, a key missing from the manifest, a project config without a
pinned solc version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import thekey.config as config_module
from thekey.build import Artifacts
from thekey.chain import Chain
from thekey.deploy import Deployment, _jsonable
from thekey.errors import ConfigError


def _build(folder: Path, contracts: dict[str, list[str]]) -> Artifacts:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.json").write_text(json.dumps({"solcVersion": "0.8.29", "contracts": contracts}))
    return Artifacts(folder)


def test_artifacts__no_build_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no build at .*: run `thekey compile`"):
        Artifacts(tmp_path)


def test_artifacts__unknown_ambiguous_and_missing_contracts(tmp_path: Path) -> None:
    build = _build(tmp_path, {"Token": ["a/Token.sol:Token", "b/Token.sol:Token"], "Gone": ["c/Gone.sol:Gone"]})
    assert build.names() == ["Gone", "Token"] and build.solc_version == "0.8.29"
    with pytest.raises(ConfigError, match="no compiled contract named 'Nope'"):
        build.get("Nope")
    with pytest.raises(ConfigError, match=r"'Token' is ambiguous: a/Token\.sol:Token, b/Token\.sol:Token"):
        build.get("Token")
    with pytest.raises(ConfigError, match=r"no compiled contract 'c/Gone\.sol:Gone'"):
        build.get("Gone")


def test_artifacts__fully_qualified_name_of_a_real_artifact(artifacts: Artifacts) -> None:
    token = artifacts.get("TheKeyToken")
    assert token.fully_qualified_name.endswith(":TheKeyToken")
    assert artifacts.get(token.fully_qualified_name) is token


def test_deployment__no_manifest_and_unknown_keys(chain: Chain, deployment: Deployment, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no deployment for chain 31337 .*: run `thekey deploy`"):
        Deployment.load(chain, tmp_path)
    with pytest.raises(ConfigError, match="no 'teleporter' in the deployment of chain 31337"):
        deployment.address("teleporter")
    with pytest.raises(ConfigError, match="no 'teleporter' in the deployment"):
        deployment.contract("teleporter")


def test_jsonable__bytes_become_hex() -> None:
    assert _jsonable(b"\x01\x02") == "0x0102"
    assert _jsonable([b"\xff", 3]) == ["0xff", 3]


def test_compiler_settings__a_config_without_a_solc_version_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ape-config.yaml").write_text("solidity:\n  evm_version: cancun\n")
    monkeypatch.setattr(config_module, "project_root", lambda: tmp_path)
    with pytest.raises(ConfigError, match=r"no solidity\.version"):
        config_module.compiler_settings.__wrapped__()
