"""The offline compiler and the cached build."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import solcx

from thekey.build import Artifacts, compile_project, compile_sources, ensure_solc
from thekey.config import compiler_settings, project_root
from thekey.errors import CompileError


def test_solc__answers_version_in_native_format() -> None:
    out = subprocess.run([str(ensure_solc()), "--version"], capture_output=True, text=True, check=True).stdout
    assert f"Version: {compiler_settings().version}+commit." in out


def test_solc__is_registered_where_py_solc_x_looks() -> None:
    versions = [str(v) for v in solcx.get_installed_solc_versions()]
    assert compiler_settings().version in versions


def test_solc__combined_json_with_remappings_as_slither_calls_it() -> None:
    root = project_root()
    remap = "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"
    out = subprocess.run(
        [str(ensure_solc()), remap, "contracts/token/TheKeyToken.sol", "--combined-json",
         "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,userdoc,devdoc,hashes", "--allow-paths", str(root)],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    data = json.loads(out)
    token = data["contracts"]["contracts/token/TheKeyToken.sol:TheKeyToken"]
    assert token["bin"] and token["bin-runtime"] and token["srcmap-runtime"]
    assert token["hashes"]["transfer(address,uint256)"] == "a9059cbb"
    assert "contracts/token/TheKeyToken.sol" in data["sources"]
    assert data["sources"]["contracts/token/TheKeyToken.sol"]["AST"]["nodeType"] == "SourceUnit"


def test_compile__writes_artifacts_with_abi_bytecode_and_source_maps(artifacts: Artifacts) -> None:
    token = artifacts.get("TheKeyToken")
    assert len(token.bytecode) > 1000 and len(token.deployed_bytecode) > 1000
    assert token.deployed_bytecode.startswith("0x") and int(token.deployed_bytecode, 16)
    assert token.data["deployedSourceMap"] and token.data["metadata"]
    assert any(item.get("name") == "Rewarded" for item in token.abi)
    assert artifacts.solc_version == compiler_settings().version


def test_compile__unchanged_sources_do_not_run_the_compiler(
    artifacts: Artifacts, monkeypatch: pytest.MonkeyPatch
) -> None:
    def _fail(*_a: object, **_k: object) -> None:
        raise AssertionError("solc ran although nothing changed")

    monkeypatch.setattr(solcx, "compile_standard", _fail)
    again = compile_project()
    assert again.get("TheKeyToken").creation_hash == artifacts.get("TheKeyToken").creation_hash


def test_compile__error_reports_file_line_and_message(tmp_path: Path) -> None:
    src = tmp_path / "Broken.sol"
    src.write_text("// SPDX-License-Identifier: MIT\npragma solidity 0.8.29;\ncontract Broken {\n  uint x = ;\n}\n")
    with pytest.raises(CompileError) as exc:
        compile_sources(["Broken.sol"], tmp_path / "out", root=tmp_path, remappings=[])
    assert exc.value.messages[0].startswith("Broken.sol:4: ParserError:")


def test_compile__a_changed_source_invalidates_the_cache(tmp_path: Path) -> None:
    src = tmp_path / "A.sol"
    src.write_text("// SPDX-License-Identifier: MIT\npragma solidity 0.8.29;\ncontract A { uint public x = 1; }\n")
    first = compile_sources(["A.sol"], tmp_path / "out", root=tmp_path, remappings=[]).get("A").bytecode
    src.write_text("// SPDX-License-Identifier: MIT\npragma solidity 0.8.29;\ncontract A { uint public x = 2; }\n")
    second = compile_sources(["A.sol"], tmp_path / "out", root=tmp_path, remappings=[]).get("A").bytecode
    assert first != second
