"""`thekey issuer|schema|credential …` beyond the main flow: the issuer lifecycle (suspend,
reinstate, remove) and its effect on a credential's status, schema deprecation, single anchoring,
status by hash, text output, and every bad input as one line with exit 2 before any transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from thekey.chain import Anvil
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import Deployment

from .conftest import DEGREE_SCHEMA

Invoke = Callable[..., tuple[int, str, str]]
ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # dev account 1
HOLDER = "did:ethr:0x7a69:0x90F79bf6EB2c4f870365E785982E1f101E93b906"  # dev account 3
DEGREE = "UniversityDegreeCredential"


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch,
    anvil: Anvil,
    deployment: Deployment,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Invoke:
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    monkeypatch.setenv("THEKEY_STORE", str(tmp_path / "store.sqlite"))

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def ok(cli: Invoke) -> Callable[..., Any]:
    def run(*args: str) -> Any:
        code, out, err = cli(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    return run


@pytest.fixture
def schema_id(ok: Callable[..., Any], tmp_path: Path) -> str:
    ok("issuer", "add", f"did:ethr:0x7a69:{ISSUER}", "--name", "Example University", "--type", DEGREE)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(DEGREE_SCHEMA))
    return str(ok("schema", "register", str(path), "--type", DEGREE, "--account", "1")["schemaId"])


def _issue(ok: Callable[..., Any], schema_id: str, out: Path, *extra: str) -> dict[str, Any]:
    return dict(
        ok(
            "credential",
            "issue",
            "--subject",
            HOLDER,
            "--type",
            DEGREE,
            "--schema",
            schema_id,
            "--claims",
            '{"degree": "BSc"}',
            "--out",
            str(out),
            "--account",
            "1",
            *extra,
        )
    )


def test_issuer_lifecycle__suspend_reinstate_remove_drive_credential_validity(
    cli: Invoke, ok: Callable[..., Any], schema_id: str, tmp_path: Path
) -> None:
    vc = tmp_path / "vc.json"
    h = _issue(ok, schema_id, vc, "--valid-from", "2020-01-01T00:00:00Z", "--valid-until", "2100-01-01")[
        "credentialHash"
    ]
    assert ok("credential", "status", h, "--issuer", ISSUER)["validity"] == "valid"

    suspended = ok("issuer", "suspend", ISSUER, "--reason", "audit")
    assert suspended["issuer"] == ISSUER and suspended["txHash"].startswith("0x")
    assert ok("issuer", "show", ISSUER)["status"] == "suspended"
    assert ok("credential", "status", h, "--issuer", ISSUER)["issuerStatus"] == "suspended"
    code, out, _ = cli("credential", "verify", str(vc))  # a suspended issuer anchors nothing new; issued stays valid
    assert code == 0 and out.startswith(f"VALID {h}")

    ok("issuer", "reinstate", ISSUER, "--reason", "0x" + "11" * 32)
    code, out, _ = cli("issuer", "show", ISSUER)
    assert code == 0 and out.startswith(f"{ISSUER}: active (id ")
    code, out, _ = cli("credential", "status", h, "--issuer", ISSUER)
    assert code == 0 and out.startswith(f"{h}: valid, anchored ")

    ok("issuer", "remove", ISSUER, "--reason", "closed")
    assert ok("issuer", "show", ISSUER)["status"] == "removed"
    assert ok("credential", "status", h, "--issuer", ISSUER)["validity"] != "valid"


def test_issuer__a_did_of_another_chain_exits_2_without_a_transaction(cli: Invoke, ok: Callable[..., Any]) -> None:
    code, _, err = cli("issuer", "suspend", f"did:ethr:0x1:{ISSUER}", "--reason", "x")
    assert code == 2 and "names chain 1, but the node is chain 31337" in err
    assert ok("issuer", "show", ISSUER)["status"] == "none"


def test_schema__show_text_then_deprecate(cli: Invoke, ok: Callable[..., Any], schema_id: str) -> None:
    code, out, _ = cli("schema", "show", schema_id)
    assert code == 0 and out.strip().endswith(": active") and f"schema {schema_id} v1" in out
    ok("schema", "deprecate", schema_id, "--account", "1")
    record = ok("schema", "show", schema_id)
    assert record["deprecatedAt"] > 0
    code, out, _ = cli("schema", "show", schema_id)
    assert out.strip().endswith(": deprecated")


def test_schema__unknown_id_exits_2(cli: Invoke) -> None:
    code, _, err = cli("schema", "show", "0x" + "42" * 32)
    assert code == 2 and "is registered" in err


def test_credential__issued_unanchored_then_anchored_singly_and_revoked_by_hash(
    cli: Invoke, ok: Callable[..., Any], schema_id: str, tmp_path: Path
) -> None:
    vc = tmp_path / "vc.json"
    issued = _issue(ok, schema_id, vc, "--no-anchor")
    assert "txHash" not in issued and issued["file"] == str(vc)
    h = issued["credentialHash"]
    assert (
        ok("credential", "status", h, "--issuer", ISSUER)["validity"] == "unknown"
        or ok("credential", "status", h, "--issuer", ISSUER)["anchoredAt"] == 0
    )
    anchored = ok("credential", "anchor", str(vc), "--account", "1")
    assert anchored["credentialHash"] == h
    assert ok("credential", "status", h, "--issuer", ISSUER)["validity"] == "valid"
    revoked = ok("credential", "revoke", h, "--reason", "error", "--account", "1")
    assert revoked["credentialHash"] == h
    assert ok("credential", "status", str(vc))["revoked"] is True


def test_credential__issue_text_output_names_the_file_and_anchor(cli: Invoke, schema_id: str, tmp_path: Path) -> None:
    vc = tmp_path / "vc.json"
    code, out, err = cli(
        "credential",
        "issue",
        "--subject",
        HOLDER,
        "--type",
        DEGREE,
        "--schema",
        schema_id,
        "--claims",
        '{"degree": "MSc"}',
        "--out",
        str(vc),
        "--account",
        "1",
        "--no-anchor",
    )
    assert code == 0, err
    assert f"→ {vc}; not anchored yet" in out
    assert json.loads(vc.read_text())["credentialSubject"]["degree"] == "MSc"


def test_credential__claims_from_a_file(ok: Callable[..., Any], schema_id: str, tmp_path: Path) -> None:
    claims = tmp_path / "claims.json"
    claims.write_text('{"degree": "PhD", "year": 2026}')
    vc = tmp_path / "vc.json"
    _issue_args = ("--claims", f"@{claims}")
    issued = ok(
        "credential",
        "issue",
        "--subject",
        HOLDER,
        "--type",
        DEGREE,
        "--schema",
        schema_id,
        *_issue_args,
        "--out",
        str(vc),
        "--account",
        "1",
        "--valid-for",
        "30d",
    )
    assert json.loads(vc.read_text())["credentialSubject"]["year"] == 2026
    assert ok("credential", "verify", str(vc))["credentialHash"] == issued["credentialHash"]


def test_status_list__bad_purpose_exits_2_and_suspension_list_is_json(cli: Invoke, schema_id: str) -> None:
    code, _, err = cli("credential", "status-list", ISSUER, "--purpose", "fun")
    assert code == 2 and "revocation or suspension" in err
    code, out, _ = cli("credential", "status-list", ISSUER, "--purpose", "suspension")
    assert code == 0 and json.loads(out)["credentialSubject"]["statusPurpose"] == "suspension"


BAD_FILES: list[tuple[str, str]] = [
    ("[1, 2]", "is not a credential JSON object"),
    ("{oops", "is not JSON"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_credential_files__malformed_exit_2(cli: Invoke, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "vc.json"
    path.write_text(content)
    for command in (["credential", "verify", str(path)], ["credential", "anchor", str(path)]):
        code, out, err = cli(*command)
        assert code == 2 and message in err and "Traceback" not in out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["issuer", "add", ISSUER, "--name", "U", "--type", "  "], "an empty credential type"),
        (["issuer", "add", ISSUER, "--name", "U", "--type", "0x12"], "not a 32-byte hex value"),
        (["issuer", "show", "did:ethr:0x7a69:0x12"], ""),
        (["schema", "register", "/nonexistent/schema.json", "--type", DEGREE], "cannot read"),
        (
            [
                "credential",
                "issue",
                "--subject",
                HOLDER,
                "--type",
                DEGREE,
                "--schema",
                "0x" + "1" * 64,
                "--claims",
                "[1]",
                "--out",
                "/tmp/x.json",
            ],
            "--claims must be a JSON object",
        ),
        (
            [
                "credential",
                "issue",
                "--subject",
                HOLDER,
                "--type",
                DEGREE,
                "--schema",
                "0x" + "1" * 64,
                "--claims",
                "{}",
                "--valid-for",
                "1d",
                "--valid-until",
                "2100-01-01",
                "--out",
                "/tmp/x.json",
            ],
            "not both",
        ),
        (["credential", "verify", "/dev/null", "--holder", "did:web:x"], ""),
    ],
)
def test_bad_input__one_line_exit_2(cli: Invoke, args: list[str], message: str) -> None:
    code, out, err = cli(*args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in out + err


def test_schema_register__a_non_object_document_exits_2(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text("[]")
    code, _, err = cli("schema", "register", str(path), "--type", DEGREE)
    assert code == 2 and "is not a JSON Schema object" in err


def test_credential_issue__unwritable_out_exits_2(cli: Invoke, schema_id: str, tmp_path: Path) -> None:
    code, _, err = cli(
        "credential",
        "issue",
        "--subject",
        HOLDER,
        "--type",
        DEGREE,
        "--schema",
        schema_id,
        "--claims",
        '{"degree": "BSc"}',
        "--out",
        str(tmp_path / "missing" / "vc.json"),
        "--account",
        "1",
        "--no-anchor",
    )
    assert code == 2 and "cannot write" in err
