"""The audit report counts the paths the demo never takes — a dispute resolved by the arbiter, a
provider reclaiming after a missed deadline, credentials anchored as a batch and revoked or
suspended entry by entry — exactly as they happened; an index database refuses another
deployment; events filter by contract."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from thekey.chain import Chain
from thekey.credentials import CredentialRegistry, StatusAction, anchor_credential
from thekey.credentials.issuance import anchor_batch, issue_credential, next_status_indexes
from thekey.credentials.vc import type_hash
from thekey.deploy import TKY, Deployment
from thekey.errors import ConfigError
from thekey.events import EventIndex
from thekey.identity.did import did_for
from thekey.payments.escrow import Escrow, Plan, Terms
from thekey.token.tky import Token
from thekey.workflow.report import build_report

PRICE = 100 * TKY
SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}}


def _agreement(escrow: Escrow, chain: Chain, cast: list[LocalAccount], deadline_in: int) -> int:
    provider, verifier, user, arbiter = cast
    terms = Terms(
        provider.address,
        verifier.address,
        user.address,
        arbiter.address,
        PRICE,
        chain.timestamp() + deadline_in,
        3_600,
        keccak(text="terms"),
        Plan.of(8_000, 2_000),
    )
    until = chain.timestamp() + 3_600
    accept = [escrow.sign_acceptance(p, terms, until) for p in (verifier, user)]
    agreement_id, _ = escrow.create_and_fund(provider, terms, *accept)
    return agreement_id


def test_report__disputes_reclaims_batches_and_status_changes(
    deployment: Deployment, chain: Chain, accounts: list[LocalAccount], deployer: LocalAccount
) -> None:
    token, escrow = Token.from_deployment(deployment), Escrow.from_deployment(deployment)
    cast = accounts[1:5]
    provider, verifier, _user, arbiter = cast
    token.transfer(deployer, provider.address, 1_000 * TKY)

    disputed = _agreement(escrow, chain, cast, 86_400)
    escrow.complete(verifier, disputed, keccak(text="evidence"))
    escrow.dispute(provider, disputed, keccak(text="reason"))
    escrow.resolve(arbiter, disputed, 30 * TKY, {verifier.address: 70 * TKY})
    reclaimed = _agreement(escrow, chain, cast, 600)
    chain.increase_time(601)
    escrow.reclaim(provider, reclaimed)

    registry = CredentialRegistry.from_deployment(deployment)
    issuer = accounts[6]
    registry.add_issuer(deployer, issuer.address, keccak(text="Lab"), [type_hash("LabResult")])
    sid, _ = registry.register_schema(issuer, SCHEMA, type_hash("LabResult"))
    now = chain.timestamp()
    indexes = next_status_indexes(registry, issuer.address, 3)
    items = [
        issue_credential(
            registry,
            issuer,
            subject=did_for(chain.chain_id, accounts[7].address),
            credential_type="LabResult",
            claims={"n": n},
            schema_id=sid,
            valid_from=now,
            valid_until=None,
            status_index=i,
        )
        for n, i in enumerate(indexes)
    ]
    anchor_batch(registry, issuer, items[:2])
    anchor_credential(registry, issuer, items[2])
    registry.update_status(issuer, issuer.address, StatusAction.SUSPEND, indexes[:2], keccak(text="audit"))
    registry.revoke(issuer, items[2].hash, keccak(text="error"))

    index = EventIndex(deployment)
    index.sync()
    report = build_report(index)
    assert report.requests == 2
    assert report.outcomes["disputed"] == 1 and report.outcomes["resolved by the arbiter"] == 1
    assert report.outcomes["refunded after timeout or withdrawal"] == 1
    assert report.refunded[provider.address] == 30 * TKY + PRICE
    assert report.credentials["batches anchored"] == 1 and report.credentials["credentials in batches"] == 2
    assert report.credentials["anchored"] == 1
    assert report.credentials["suspended"] == 2 and report.credentials["revoked"] == 1
    markdown = report.as_markdown()
    assert "- disputed: 1" in markdown and "- batches anchored: 1" in markdown

    escrow_events = index.events(contract="escrow")
    assert escrow_events and {e.contract for e in escrow_events} == {"escrow"}
    assert [e.event for e in index.events("AgreementResolved", contract="escrow")] == ["AgreementResolved"]


def test_index__a_database_of_another_deployment_is_refused(deployment: Deployment, tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    EventIndex(deployment, path).close()
    other = copy.deepcopy(deployment.manifest)
    other["contracts"]["token"]["address"] = "0x" + "12" * 20
    with pytest.raises(ConfigError, match="indexes another deployment"):
        EventIndex(Deployment(deployment.chain, other), path)
    assert EventIndex(deployment, path).count() == 0  # the same deployment re-opens it


def test_report__a_resolution_refund_counts_once_and_each_withdrawal_once(
    deployment: Deployment, chain: Chain, accounts: list[LocalAccount], deployer: LocalAccount
) -> None:
    # before: the refund was counted as refunded and again as the provider's credit
    token, escrow = Token.from_deployment(deployment), Escrow.from_deployment(deployment)
    cast = accounts[1:5]
    provider, verifier, user, _arbiter = cast
    token.transfer(deployer, provider.address, 1_000 * TKY)
    disputed = _agreement(escrow, chain, cast, 86_400)
    escrow.complete(verifier, disputed, keccak(text="evidence"))
    escrow.dispute(provider, disputed, keccak(text="reason"))
    escrow.resolve(cast[3], disputed, 30 * TKY, {verifier.address: 70 * TKY})
    settled = _agreement(escrow, chain, cast, 86_400)
    escrow.complete(verifier, settled, keccak(text="evidence"))
    escrow.confirm(provider, settled)
    reclaimed = _agreement(escrow, chain, cast, 600)
    chain.increase_time(601)
    escrow.reclaim(provider, reclaimed)  # a direct transfer out of the escrow: a refund, not a withdrawal
    escrow.withdraw(provider)  # plain withdraw: recorded by the token's Transfer
    escrow.withdraw(verifier, to=accounts[9].address)  # withdrawTo: recorded by Withdrawn (names the payee)
    escrow.withdraw(user)

    index = EventIndex(deployment)
    index.sync()
    report = build_report(index)
    assert report.refunded == {provider.address: 30 * TKY + PRICE}
    assert provider.address not in report.credited
    assert report.credited == {verifier.address: 70 * TKY + 80 * TKY, user.address: 20 * TKY}
    assert report.withdrawn == {provider.address: 30 * TKY, verifier.address: 150 * TKY, user.address: 20 * TKY}
    assert report.funded == {provider.address: 3 * PRICE}
