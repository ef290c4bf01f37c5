"""Consent and data-route commands beyond the main flow: the subject's dashboard in text, a route
published from a signed document relayed by someone else, an account link keyed from the
environment, and every malformed input as one line with exit 2 before any transaction; the
consent record's status in words and the signed documents' parsers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.consent.registry import Consent, GrantRequest, SignedGrant, SignedRevoke
from thekey.deploy import Deployment
from thekey.errors import BadInput

Invoke = Callable[..., tuple[int, str, str]]
SUBJECT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # dev account 1
ORG = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # dev account 2


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    monkeypatch.delenv("THEKEY_ACCOUNT_SECRET", raising=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _exit_2(result: tuple[int, str, str], message: str) -> None:
    code, out, err = result
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in out + err


# ---------------------------------------------------------------------------- records (no chain)

CONSENT = Consent(b"\x01" * 32, SUBJECT, ORG, b"\x02" * 32, b"\x03" * 32, 100, 200, 2, 0, 0)


@pytest.mark.parametrize(
    ("consent", "now", "active", "expected"),
    [
        (CONSENT, 150, True, "live"),
        (CONSENT, 150, False, "inactive-subject"),
        (CONSENT, 99, True, "pending"),
        (CONSENT, 200, True, "live"),  # the end is inclusive
        (CONSENT, 201, True, "expired"),
        (replace(CONSENT, uses=2), 150, True, "exhausted"),
        (replace(CONSENT, max_uses=0, uses=50, valid_until=0), 10**9, True, "live"),
        (replace(CONSENT, revocation_time=120), 150, True, "revoked"),
    ],
)
def test_consent_status__in_words(consent: Consent, now: int, active: bool, expected: str) -> None:
    assert consent.status(now, subject_active=active) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "0xzz"}, "scope is not hex"),
        ({"purpose": b"\x01" * 31}, "purpose must be 32 bytes"),
        ({"valid_until": 2**64}, "must be UNIX seconds"),
        ({"valid_from": -1}, "must be UNIX seconds"),
        ({"max_uses": 2**32}, "max uses must be between 0"),
    ],
)
def test_grant_request__refuses_values_the_contract_cannot_hold(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"subject": SUBJECT, "grantee": ORG, "scope": b"\x02" * 32, "purpose": b"\x03" * 32}
    with pytest.raises(BadInput, match=message):
        GrantRequest(**{**base, **kwargs})  # type: ignore[arg-type]


def test_signed_documents__round_trip_and_malformed_is_bad_input() -> None:
    req = GrantRequest(SUBJECT.lower(), ORG, "0x" + "02" * 32, b"\x03" * 32, 1, 2, 3)
    grant = SignedGrant(req, 4, SUBJECT, 5, b"\x06" * 65)
    assert SignedGrant.from_document(json.loads(json.dumps(grant.document()))) == grant
    revoke = SignedRevoke(b"\x07" * 32, SUBJECT, 9, b"\x0a" * 65)
    assert SignedRevoke.from_document(json.loads(json.dumps(revoke.document()))) == revoke
    with pytest.raises(BadInput, match="not a signed-grant document"):
        SignedGrant.from_document({**grant.document(), "maxUses": "many"})
    with pytest.raises(BadInput, match="scope must be 32 bytes"):
        SignedGrant.from_document({**grant.document(), "scope": "0x1234"})
    with pytest.raises(BadInput, match="not a signed-revoke document"):
        SignedRevoke.from_document({k: v for k, v in revoke.document().items() if k != "signer"})
    with pytest.raises(BadInput, match="id must be 32 bytes"):
        SignedRevoke.from_document({**revoke.document(), "id": "0x01"})


# ---------------------------------------------------------------------------- CLI


def test_list__text_dashboard_empty_then_one_consent(cli: Invoke) -> None:
    code, out, _ = cli("consent", "list", SUBJECT)
    assert code == 0 and out.strip() == f"no consents for did:ethr:0x7a69:{SUBJECT}"
    code, _, err = cli(
        "consent",
        "grant",
        ORG,
        "--scope",
        "health.record",
        "--purpose",
        "insurance-underwriting",
        "--max-uses",
        "3",
        "--account",
        "1",
    )
    assert code == 0, err
    code, out, _ = cli("consent", "list", f"did:ethr:0x7a69:{SUBJECT}")
    assert code == 0 and "live" in out and "uses 0/3" in out and f"→ did:ethr:0x7a69:{ORG}" in out


def test_route__signed_publication_relayed_and_account_link_from_env(
    cli: Invoke, tmp_path: Path, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("route", "admit", ORG)[0] == 0
    for scope in ("health.record", "account-link"):
        assert cli("consent", "grant", ORG, "--scope", scope, "--purpose", "data-route", "--account", "1")[0] == 0
    code, out, _ = cli("route", "list", SUBJECT)
    assert out.strip() == "no routes"
    code, out, err = cli(
        "route",
        "publish",
        SUBJECT,
        "--category",
        "health.record",
        "--digest",
        "0x" + "ee" * 32,
        "--updated-at",
        "2026-01-01",
        "--sign-only",
        "--account",
        "2",
    )
    assert code == 0, err
    signed = tmp_path / "route.json"
    signed.write_text(out)
    code, out, err = cli("route", "relay", str(signed), "--account", "9")
    assert code == 0, err
    assert out.startswith("route published — tx 0x")
    code, out, _ = cli("route", "list", SUBJECT)
    assert f"did:ethr:0x7a69:{ORG}  health.record  digest 0x{'ee' * 32}" in out

    monkeypatch.setenv("THEKEY_ACCOUNT_SECRET", "0x" + "5a" * 32)
    code, out, err = cli("route", "link-account", SUBJECT, "--local-id", "P-0042", "--account", "2", "--json")
    assert code == 0, err
    assert "P-0042" not in out and json.loads(out)["organisation"] == ORG
    monkeypatch.setenv("THEKEY_ACCOUNT_SECRET", "not-hex")
    _exit_2(cli("route", "link-account", SUBJECT, "--local-id", "P-1", "--account", "2"), "is not hex")
    monkeypatch.delenv("THEKEY_ACCOUNT_SECRET")
    _exit_2(cli("route", "link-account", SUBJECT, "--local-id", "P-1", "--account", "2"), "no account-mapping key")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "consent",
                "grant",
                ORG,
                "--scope",
                "health.record",
                "--purpose",
                "data-route",
                "--until",
                "2100-01-01",
                "--for",
                "30d",
            ],
            "not both",
        ),
        (["consent", "list", "did:ethr:0x1:" + SUBJECT], "names chain 1, the node is chain 31337"),
        (["route", "publish", SUBJECT, "--category", "health.record"], "exactly one of --digest or --data-file"),
        (
            ["route", "publish", SUBJECT, "--category", "health.record", "--data-file", "/etc/hostname"],
            "--data-file needs --salt",
        ),
        (
            [
                "route",
                "publish",
                SUBJECT,
                "--category",
                "health.record",
                "--data-file",
                "/etc/hostname",
                "--salt",
                "xyz",
            ],
            "--salt is not hex",
        ),
        (
            [
                "route",
                "publish",
                SUBJECT,
                "--category",
                "health.record",
                "--data-file",
                "/nonexistent",
                "--salt",
                "ab" * 16,
            ],
            "cannot read /nonexistent",
        ),
        (["route", "link-account", SUBJECT, "--local-id", "P", "--secret-file", "/nonexistent"], "cannot read"),
    ],
)
def test_bad_input__one_line_exit_2(cli: Invoke, args: list[str], message: str) -> None:
    _exit_2(cli(*args), message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "is not JSON"),
        ("[1]", "is not a JSON object"),
        ('{"type": "Something"}', "is not a signed grant or revocation"),
    ],
)
def test_relay__bad_documents_exit_2(cli: Invoke, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "signed.json"
    path.write_text(content)
    _exit_2(cli("consent", "relay", str(path)), message)


def test_grant__unwritable_receipt_file_exits_2_before_any_transaction(
    cli: Invoke, tmp_path: Path, chain: Chain
) -> None:
    block = chain.block_number()
    receipt = str(tmp_path / "missing" / "receipt.json")
    code, _, err = cli(
        "consent",
        "grant",
        ORG,
        "--scope",
        "health.record",
        "--purpose",
        "data-route",
        "--receipt",
        receipt,
        "--account",
        "1",
    )
    assert code == 2 and "cannot write" in err
    signed = tmp_path / "grant.json"
    signed.write_text('{"type": "TheKeySignedGrant"}')
    code, _, err = cli("consent", "relay", str(signed), "--receipt", receipt)
    assert code == 2 and "cannot write" in err
    assert chain.block_number() == block  # nothing was sent
