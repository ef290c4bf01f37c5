"""foundry.toml builds with the compiler and settings of `thekey compile` (ape-config.yaml)."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from thekey.build import ensure_solc
from thekey.config import compiler_settings, project_root

FORGE = Path("node_modules/@foundry-rs/forge-linux-amd64/bin/forge")


def _foundry_default() -> dict[str, Any]:
    profile: dict[str, Any] = tomllib.loads((project_root() / "foundry.toml").read_text())["profile"]["default"]
    return profile


def _forge_config(profile: str) -> dict[str, Any]:
    """The configuration forge itself resolves (`forge config --json`; no compilation)."""
    root = project_root()
    env = {**os.environ, "FOUNDRY_PROFILE": profile, "FOUNDRY_SOLC": str(ensure_solc())}
    out = subprocess.run([str(root / FORGE), "config", "--json"], cwd=root, env=env,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    config: dict[str, Any] = json.loads(out)
    return config


def test_foundry_toml__mirrors_the_solidity_block_of_ape_config() -> None:
    settings, foundry = compiler_settings(), _foundry_default()
    ape = yaml.safe_load((project_root() / "ape-config.yaml").read_text())
    assert foundry["solc_version"] == settings.version
    assert foundry["evm_version"] == settings.evm_version
    assert foundry["optimizer"] is settings.optimize
    assert foundry["optimizer_runs"] == settings.runs
    assert foundry["via_ir"] is bool(ape["solidity"].get("via_ir", False))
    assert sorted(foundry["remappings"]) == sorted(settings.remappings)
    assert foundry["src"] == ape["contracts_folder"]


@pytest.mark.parametrize("profile", ["default", "deep"])
def test_forge__resolves_the_same_compiler_settings_in_every_profile(profile: str) -> None:
    settings, config = compiler_settings(), _forge_config(profile)
    assert config["solc"] == str(ensure_solc())  # the project's launcher, never a download
    assert config["offline"] is True and config["auto_detect_solc"] is False
    assert config["evm_version"] == settings.evm_version
    assert config["optimizer"] is settings.optimize
    assert config["optimizer_runs"] == settings.runs
    assert config["via_ir"] is False
    assert sorted(config["remappings"]) == sorted(settings.remappings)
    assert config["ffi"] is False


def test_forge_profiles__meet_the_call_budgets() -> None:
    """CI: ≥ 50,000 calls per invariant; deep: ≥ 5,000,000 (runs × depth)."""
    ci, deep = _forge_config("default")["invariant"], _forge_config("deep")["invariant"]
    assert ci["runs"] * ci["depth"] >= 50_000
    assert deep["runs"] * deep["depth"] >= 5_000_000
