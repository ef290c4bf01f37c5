"""The one entry point: ``Suite.connect`` gives every client of one deployment, ids print as hex,
the names an integration needs come from ``thekey`` itself, and status indexes are allocated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

import thekey
from thekey import GrantRequest, Id, Suite, issue_credential, purpose_id, scope_id, type_hash
from thekey.chain import Anvil, Chain
from thekey.deploy import SUITE, deploy_suite
from thekey.errors import BadInput, ConfigError

DEGREE = "UniversityDegreeCredential"
SCHEMA = {"type": "object", "properties": {"degree": {"type": "string"}}, "required": ["degree"]}


@pytest.fixture
def suite(anvil: Anvil, chain: Chain, accounts: list[LocalAccount], tmp_path: Path) -> Suite:
    deploy_suite(chain, accounts[0], folder=tmp_path)
    return Suite.connect(anvil.url, manifest=tmp_path / f"{chain.chain_key}.json", account=accounts[1])


def test_suite__connect_gives_a_typed_client_for_every_contract_of_one_deployment(suite: Suite, tmp_path: Path) -> None:
    manifest = json.loads(next(tmp_path.glob("*.json")).read_text())
    clients = {spec.key: getattr(suite, spec.key) for spec in SUITE}
    assert {k: c.address for k, c in clients.items()} == {k: v["address"] for k, v in manifest["contracts"].items()}
    assert all(c.chain is suite.chain for c in clients.values())  # one connection, one nonce manager
    assert suite.resolver.registry == suite.identity.address
    assert suite.account is not None
    assert suite.did() == f"did:ethr:0x7a69:{suite.account.address}"


def test_suite__connect_without_a_deployment_on_that_chain_is_one_line(anvil: Anvil, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no deployment for chain 31337 .*: run `thekey deploy`"):
        Suite.connect(anvil.url, manifest=tmp_path / "none.json")


def test_ids__a_consent_receipt_prints_its_ids_as_hex(suite: Suite, accounts: list[LocalAccount]) -> None:
    holder, insurer = accounts[3], accounts[4]
    receipt = suite.consent.grant(
        holder, GrantRequest(holder.address, insurer.address, scope_id("health.record"), purpose_id("audit"))
    )
    shown = repr(receipt)
    assert f"consent_id=0x{receipt.consent_id.hex()}" in shown and "b'" not in shown and 'b"' not in shown
    assert isinstance(receipt.consent_id, Id) and isinstance(receipt.consent_id, bytes)
    assert str(receipt.scope) == f"{receipt.scope}" == "0x" + receipt.scope.hex()
    assert suite.consent.key_of(receipt.consent_id).scope == receipt.scope  # an Id is passed as bytes


def test_ids__parse_hex_and_refuse_what_is_not() -> None:
    assert Id("0x0a0b") == b"\x0a\x0b" and repr(Id(b"\xff")) == "0xff"
    with pytest.raises(BadInput, match="not hex"):
        Id("0xzz")


def test_top_level__exports_every_name_the_sdk_page_uses() -> None:
    for name in ("Suite", "type_hash", "label_hash", "issue_credential", "anchor_credential", "verify_credential",
                 "GrantRequest", "scope_id", "purpose_id", "dev_accounts", "signer_from_env", "Id", "ContractRevert",
                 "TheKeyError", "Network"):  # fmt: skip
        assert name in thekey.__all__ and getattr(thekey, name) is not None, name


def test_issue_credential__allocates_a_fresh_status_index_unless_one_is_given(
    suite: Suite, accounts: list[LocalAccount]
) -> None:
    admin, issuer, holder = accounts[0], accounts[1], accounts[3]
    credentials = suite.credentials
    credentials.add_issuer(admin, issuer.address, type_hash("Example University"), [type_hash(DEGREE)])
    schema_id, _ = credentials.register_schema(issuer, SCHEMA, type_hash(DEGREE))
    now = suite.chain.timestamp()

    def issue(**index: int) -> thekey.IssuedCredential:
        return issue_credential(
            credentials, issuer, subject=suite.did(holder.address), credential_type=DEGREE,
            claims={"degree": "BSc"}, schema_id=schema_id, valid_from=now, valid_until=None, **index,
        )  # fmt: skip

    first, second = issue(), issue()  # neither anchored yet: still two indexes
    assert first.status_index != second.status_index
    for item in (first, second):
        thekey.anchor_credential(credentials, issuer, item)
    third = issue()
    assert third.status_index > max(first.status_index, second.status_index)
    assert issue(status_index=9_000).status_index == 9_000
