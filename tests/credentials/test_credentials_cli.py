"""`thekey issuer|schema|credential …`: bad input exits 2 before connecting; the flows print JSON;
`credential verify` exits 0 only for a valid credential and prints each failed check."""

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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["issuer", "add", "0x12", "--name", "U", "--type", "T"], "not an address"),
        (["issuer", "suspend", ISSUER, "--reason", ""], "empty label"),
        (["schema", "show", "0x12"], "not a 32-byte hex value"),
        (
            [
                "credential",
                "issue",
                "--subject",
                "did:web:x",
                "--type",
                "T",
                "--schema",
                "0x" + "1" * 64,
                "--claims",
                "{}",
                "--out",
                "/tmp/x.json",
            ],
            "not a did:ethr DID",
        ),
        (
            [
                "credential",
                "issue",
                "--subject",
                HOLDER,
                "--type",
                "T",
                "--schema",
                "0x" + "1" * 64,
                "--claims",
                "{not json",
                "--out",
                "/tmp/x.json",
            ],
            "not JSON",
        ),
        (["credential", "verify", "/nonexistent/vc.json"], "cannot read"),
        (["credential", "revoke", "0x12", "--reason", "r"], "not a 32-byte hex value"),
    ],
)
def test_cli__bad_input_is_one_line_and_exit_2(cli: Invoke, args: list[str], message: str) -> None:
    code, out, err = cli(*args)
    assert code == 2 and message in err and "Traceback" not in err + out


def test_cli__issue_verify_suspend_batch_and_sd_jwt_presentation_flow(
    cli: Invoke, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def ok(*args: str) -> dict:  # type: ignore[type-arg]
        code, out, err = cli(*args, "--json")
        assert code == 0, err
        return json.loads(out)  # type: ignore[no-any-return]

    def offline(*args: str) -> Any:  # wallet commands need no node
        code = main([*args])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)

    ok("issuer", "add", ISSUER, "--name", "Example University", "--type", "UniversityDegreeCredential")
    assert ok("issuer", "show", ISSUER)["status"] == "active"
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(DEGREE_SCHEMA))
    sid = ok("schema", "register", str(schema_file), "--type", "UniversityDegreeCredential", "--account", "1")[
        "schemaId"
    ]
    assert ok("schema", "show", sid, "--document")["document"] == DEGREE_SCHEMA
    vc = tmp_path / "vc.json"
    issued = ok(
        "credential",
        "issue",
        "--subject",
        HOLDER,
        "--type",
        "UniversityDegreeCredential",
        "--schema",
        sid,
        "--claims",
        '{"degree": "BSc"}',
        "--valid-for",
        "365d",
        "--out",
        str(vc),
        "--account",
        "1",
    )
    verdict = ok("credential", "verify", str(vc), "--holder", HOLDER)
    assert verdict["valid"] and verdict["credentialHash"] == issued["credentialHash"]
    # a subject DID of another chain is refused, as `consent check` refuses it
    other_chain = HOLDER.replace(":0x7a69:", ":0x1:")
    code, _, err = cli("credential", "issue", "--subject", other_chain, "--type", "UniversityDegreeCredential",
                       "--schema", sid, "--claims", '{"degree": "BSc"}', "--out", str(tmp_path / "x.json"),
                       "--account", "1")  # fmt: skip
    assert code == 2 and "names chain 1, but the node is chain 31337" in err
    ok("credential", "suspend", str(vc), "--reason", "audit", "--account", "1")
    code, out, _ = cli("credential", "verify", str(vc))
    assert code == 1 and "FAIL status: suspended" in out
    assert ok("credential", "status", str(vc))["validity"] == "suspended"
    ok("credential", "reinstate", issued["credentialHash"], "--reason", "cleared", "--account", "1")
    assert ok("credential", "status", issued["credentialHash"], "--issuer", ISSUER)["validity"] == "valid"
    # two credentials issued without anchoring, then anchored as one batch
    files = [tmp_path / f"b{n}.json" for n in range(2)]
    for n, f in enumerate(files):
        ok(
            "credential",
            "issue",
            "--subject",
            HOLDER,
            "--type",
            "UniversityDegreeCredential",
            "--schema",
            sid,
            "--claims",
            json.dumps({"degree": f"MSc {n}"}),
            "--no-anchor",
            "--out",
            str(f),
            "--account",
            "1",
        )
    code, out, _ = cli("credential", "verify", str(files[0]), "--json")
    assert code == 1 and not json.loads(out)["valid"]
    ok("credential", "anchor-batch", *map(str, files), "--account", "1")
    assert all(ok("credential", "verify", str(f))["valid"] for f in files)
    ok("credential", "revoke", str(files[1]), "--reason", "error", "--account", "1")
    assert ok("credential", "status", str(files[1]))["validity"] == "revoked"
    assert ok("credential", "verify", str(files[0]))["valid"]
    status_list = ok("credential", "status-list", ISSUER)
    assert status_list["credentialSubject"]["encodedList"].startswith("u")
    # selective disclosure: an SD-JWT VC bound to the holder's key, kept in its wallet, presented
    monkeypatch.setenv("THEKEY_WALLET_PASSPHRASE", "correct horse")
    jwk = offline("wallet", "key", "--account", "3")
    sd = tmp_path / "degree.sd-jwt"
    issued = ok("credential", "issue", "--format", "sd-jwt", "--holder-jwk", json.dumps(jwk), "--subject", HOLDER,
                "--type", "UniversityDegreeCredential", "--schema", sid, "--claims", '{"degree": "PhD", "gpa": 390}',
                "--out", str(sd), "--account", "1")  # fmt: skip
    assert ok("credential", "verify", str(sd))["valid"]
    wallet = tmp_path / "wallet.json"
    assert offline("wallet", "receive", str(sd), "--wallet", str(wallet), "--json")["id"] == issued["credentialHash"]
    stored = wallet.read_text()  # encrypted at rest: neither the JWT nor a disclosure in clear
    assert all(part not in stored for part in sd.read_text().strip().split("~") if part)
    shown = tmp_path / "shown.sd-jwt"
    offline("wallet", "present", issued["credentialHash"], "--disclose", "degree", "--nonce", "n-7",
            "--audience", "did:web:employer.example", "--out", str(shown), "--wallet", str(wallet),
            "--account", "3", "--json")  # fmt: skip
    verdict = ok("credential", "verify", str(shown), "--nonce", "n-7", "--audience", "did:web:employer.example")
    assert verdict["valid"] and verdict["claims"] == {"degree": "PhD"}
    code, out, _ = cli("credential", "verify", str(shown), "--nonce", "n-8", "--audience", "did:web:employer.example")
    assert code == 1 and "FAIL nonce" in out
    # the SD-JWT file drives the issuer's status commands as a W3C file does
    ok("credential", "revoke", str(sd), "--reason", "withdrawn", "--account", "1")
    assert ok("credential", "status", str(sd))["validity"] == "revoked"
    code, out, _ = cli("credential", "verify", str(shown), "--nonce", "n-7", "--audience", "did:web:employer.example")
    assert code == 1 and "FAIL status: revoked" in out
    later = tmp_path / "later.sd-jwt"
    ok("credential", "issue", "--format", "sd-jwt", "--holder-jwk", json.dumps(jwk), "--subject", HOLDER, "--type",
       "UniversityDegreeCredential", "--schema", sid, "--claims", '{"degree": "MSc"}', "--no-anchor",
       "--out", str(later), "--account", "1")  # fmt: skip
    code, out, _ = cli("credential", "verify", str(later))
    assert code == 1 and "FAIL anchor" in out
    ok("credential", "anchor", str(later), "--account", "1")
    assert ok("credential", "verify", str(later))["valid"]


def test_cli__privileged_issuer_commands_by_stranger_exit_1(cli: Invoke) -> None:
    code, _, err = cli("issuer", "add", ISSUER, "--name", "X", "--type", "T", "--account", "19")
    assert code == 1 and "AccessControlUnauthorizedAccount" in err


def test_cli__schema_register__invalid_json_schema_exits_2_and_sends_nothing(
    cli: Invoke, tmp_path: Path, anvil: Anvil
) -> None:
    from thekey.chain import Chain

    chain = Chain.connect(anvil.url)
    before = (chain.block_number(), chain.w3.eth.get_transaction_count(ISSUER))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"type": "objekt"}))
    code, out, err = cli("schema", "register", str(bad), "--type", "UniversityDegreeCredential", "--account", "1")
    assert code == 2 and "not a valid JSON Schema (draft 2020-12)" in err and "Traceback" not in err + out
    assert (chain.block_number(), chain.w3.eth.get_transaction_count(ISSUER)) == before


def test_cli__schema_register__says_when_the_document_exists_elsewhere_and_refuses_a_duplicate(
    cli: Invoke, tmp_path: Path
) -> None:
    def ok(*args: str) -> dict:  # type: ignore[type-arg]
        code, out, err = cli(*args, "--json")
        assert code == 0, err
        return json.loads(out)  # type: ignore[no-any-return]

    other = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # dev account 2
    for who in (ISSUER, other):
        ok("issuer", "add", who, "--name", who, "--type", "UniversityDegreeCredential")
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(DEGREE_SCHEMA))
    register = ("schema", "register", str(schema_file), "--type", "UniversityDegreeCredential", "--account")
    first = ok(*register, "2")
    assert first["sameDocument"] == []
    second = ok(*register, "1")
    assert second["schemaId"] != first["schemaId"]
    assert second["sameDocument"] == [
        {
            "schemaId": first["schemaId"],
            "publisher": other,
            "credentialType": second["sameDocument"][0]["credentialType"],
        }
    ]
    code, out, err = cli(*register, "1")
    assert code == 1 and "SchemaAlreadyRegistered" in err and "Traceback" not in err + out


def test_cli__issuer_of_insurance_policies_cannot_issue_a_valid_degree(cli: Invoke, tmp_path: Path) -> None:
    """Issue 12, scenario 1 from the CLI: a policy schema, `--type UniversityDegreeCredential`."""

    def ok(*args: str) -> dict:  # type: ignore[type-arg]
        code, out, err = cli(*args, "--json")
        assert code == 0, err
        return json.loads(out)  # type: ignore[no-any-return]

    ok("issuer", "add", ISSUER, "--name", "Example Insurer", "--type", "InsurancePolicyCredential")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}))
    sid = ok("schema", "register", str(policy), "--type", "InsurancePolicyCredential", "--account", "1")["schemaId"]
    vc = tmp_path / "degree.json"
    ok("credential", "issue", "--subject", HOLDER, "--type", "UniversityDegreeCredential", "--schema", sid,
       "--claims", '{"degree": "PhD"}', "--out", str(vc), "--account", "1")  # fmt: skip
    code, out, _ = cli("credential", "verify", str(vc), "--json")
    verdict = json.loads(out)
    assert code == 1 and not verdict["valid"]
    failed = {c["name"]: c["reason"] for c in verdict["checks"] if not c["ok"]}
    assert list(failed) == ["type"]
    assert "UniversityDegreeCredential is not the schema's registered type" in failed["type"]
