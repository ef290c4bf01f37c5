"""`thekey consent …` and `thekey route …`: bad input exits 2 before connecting; the happy
paths (direct, signed-and-relayed) print JSON; consent receipts are written to files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import Deployment

Invoke = Callable[..., tuple[int, str, str]]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    """Run the CLI against the test node and the test deployment; returns a runner."""
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)

    def invoke(*args: str) -> tuple[int, str, str]:
        return run(capsys, *args, "--rpc-url", anvil.url)

    return invoke


ADDR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["consent", "grant", "0x1234", "--scope", "health.record", "--purpose", "audit"], "not an address"),
        (
            ["consent", "grant", "did:ethr:0x7a69:0x12", "--scope", "x", "--purpose", "y"],
            "not a did:ethr DID",
        ),
        (
            ["consent", "grant", ADDR, "--scope", "health.record", "--purpose", "audit", "--until", "tomorrow"],
            "not a time",
        ),
        (
            ["consent", "grant", ADDR, "--scope", "helth.record", "--purpose", "audit"],
            "unknown scope 'helth.record' — did you mean 'health.record'?",
        ),
        (["consent", "grant", ADDR, "--scope", "tax.record", "--purpose", "audti"], "unknown purpose 'audti'"),
        (["consent", "revoke", "0x12"], "not a 32-byte hex value"),
        (["consent", "use", "0x" + "11" * 32, "--access", ""], "empty label"),
        (["route", "publish", ADDR, "--category", "tax.record"], "exactly one of"),
        (
            ["route", "link-account", ADDR, "--local-id", "A1", "--secret-file", "/nonexistent/secret"],
            "cannot read",
        ),
    ],
)
def test_bad_input__one_line_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_names__lists_documented_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "consent", "names", "--json")
    data = json.loads(out)
    assert code == 0 and "data-route" in data["purposes"] and "health.record" in data["scopes"]


def test_consent_flow__grant_check_use_list_revoke(
    cli: Invoke, chain: Chain, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    invoke = cli
    subject, org = accounts[1], accounts[2]
    receipt_file = tmp_path / "receipt.json"
    code, out, err = invoke(
        "consent",
        "grant",
        f"did:ethr:0x7a69:{org.address}",
        "--scope",
        "health.record",
        "--purpose",
        "insurance-underwriting",
        "--for",
        "30d",
        "--max-uses",
        "2",
        "--receipt",
        str(receipt_file),
        "--account",
        "1",
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert json.loads(receipt_file.read_text()) == doc
    assert doc["subject"] == f"did:ethr:0x7a69:{subject.address}" and doc["maxUses"] == 2
    cid = doc["consentId"]
    check = (
        "consent",
        "check",
        subject.address,
        org.address,
        "--scope",
        "health.record",
        "--purpose",
        "insurance-underwriting",
        "--json",
    )
    code, out, _ = invoke(*check)
    assert code == 0 and json.loads(out) == {"authorized": True, "consentId": cid}
    code, out, err = invoke("consent", "use", cid, "--access", "record-v1", "--account", "2", "--json")
    assert code == 0 and json.loads(out)["use"] == 1, err
    code, out, err = invoke("consent", "use", cid, "--access", "record-v1", "--account", "3")
    assert code == 1 and "ConsentUnauthorized" in err
    code, out, _ = invoke("consent", "audit", cid, "--json")
    assert [u["use"] for u in json.loads(out)] == [1]
    code, _, err = invoke("consent", "audit", "0x" + "42" * 32)  # an unknown id is "not found", not "no uses"
    assert code == 1 and "no consent 0x4242" in err and len(err.strip().splitlines()) == 1
    code, out, _ = invoke("consent", "revoke", cid, "--account", "1", "--json")
    assert code == 0
    code, out, _ = invoke(*check)
    assert code == 1 and json.loads(out)["authorized"] is False
    code, out, _ = invoke("consent", "list", f"did:ethr:0x7a69:{subject.address}", "--json")
    (row,) = json.loads(out)
    assert row["id"] == cid and row["status"] == "revoked" and row["uses"] == 1


def test_signed_grant_and_revoke__relayed_by_the_agent(
    cli: Invoke, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    invoke = cli
    org = accounts[2]
    code, out, err = invoke(
        "consent",
        "grant",
        org.address,
        "--scope",
        "tax.record",
        "--purpose",
        "government-service",
        "--sign-only",
        "--account",
        "1",
    )
    assert code == 0, err
    signed = tmp_path / "grant.json"
    signed.write_text(out)
    code, out, err = invoke("consent", "relay", str(signed), "--account", "5", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["grantedBy"] == accounts[1].address
    code, out, _ = invoke("consent", "revoke", doc["consentId"], "--sign-only", "--account", "1")
    signed.write_text(out)
    code, out, err = invoke("consent", "relay", str(signed), "--account", "5", "--json")
    assert code == 0, err
    code, _, err = invoke("consent", "relay", str(signed), "--account", "5")
    assert code == 1 and "ConsentRevokedAlready" in err and len(err.strip().splitlines()) == 1


def test_route_flow__admit_publish_list_link(cli: Invoke, accounts: list[LocalAccount], tmp_path: Path) -> None:
    invoke = cli
    subject, org = accounts[1], accounts[2]
    data, secret = tmp_path / "record.json", tmp_path / "secret.key"
    data.write_bytes(b'{"blood": "A+"}')
    secret.write_bytes(b"s" * 32)
    publish = (
        "route",
        "publish",
        subject.address,
        "--category",
        "health.record",
        "--data-file",
        str(data),
        "--salt",
        "ab" * 16,
        "--account",
        "2",
    )
    code, _, err = invoke(*publish)
    assert code == 1 and "RoutesUnregisteredOrganisation" in err
    assert invoke("route", "admit", org.address, "--account", "0")[0] == 0
    code, _, err = invoke(*publish)
    assert code == 1 and "RoutesNoConsent" in err
    for scope in ("health.record", "account-link"):
        assert (
            invoke("consent", "grant", org.address, "--scope", scope, "--purpose", "data-route", "--account", "1")[0]
            == 0
        )
    code, out, err = invoke(*publish, "--json")
    assert code == 0, err
    code, out, _ = invoke("route", "list", subject.address, "--json")
    (route,) = json.loads(out)
    assert route["category"] == "health.record" and route["organisation"].endswith(org.address)
    code, out, err = invoke(
        "route",
        "link-account",
        subject.address,
        "--local-id",
        "P-0042",
        "--secret-file",
        str(secret),
        "--account",
        "2",
        "--json",
    )
    assert code == 0, err
    assert "P-0042" not in out
    key = json.loads(out)["accountKey"]
    # the subject withdraws the route and removes the link; the listing says it is not live
    code, _, err = invoke("route", "withdraw", subject.address, "--category", "health.record",
                          "--organisation", org.address, "--account", "1")  # fmt: skip
    assert code == 0, err
    code, out, _ = invoke("route", "list", subject.address)
    assert "not live" in out
    code, _, err = invoke("route", "unlink-account", org.address, "--account-key", key, "--account", "1")
    assert code == 0, err
    code, _, err = invoke("route", "unlink-account", org.address, "--account-key", key, "--account", "1")
    assert code == 1 and "RoutesAccountNotLinked" in err and len(err.strip().splitlines()) == 1
