"""DataAccess: consent checked on chain, use recorded, only then the data; and no raw personal
data ever reaches calldata or logs of the whole flow."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from tests.consent.conftest import ACCOUNT_LINK, HEALTH, ROUTE, UNDERWRITING
from thekey.chain import Chain
from thekey.consent import (
    ConsentRegistry,
    ConsentRequired,
    DataAccess,
    DataIntegrityError,
    DataRoutes,
    Delivery,
    GrantRequest,
    RouteRequest,
    account_key,
    route_digest,
)

RECORD = b'{"name": "Li Wei", "passport": "E12345678", "diagnosis": "J45.909 asthma"}'
SALT = b"0123456789abcdef-salt"
LOCAL_ID = "HOSP-PATIENT-0042"
SECRET = b"hospital-account-mapping-secret!"


@pytest.fixture
def flow(
    chain: Chain,
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    admitted: LocalAccount,
    other_org: LocalAccount,
    relayer: LocalAccount,
) -> tuple[DataAccess, list[str]]:
    """Hospital ``admitted`` holds the record and routes it; insurer ``other_org`` has consent
    to use it for underwriting. Returns the insurer's gate and the flow's tx hashes."""
    txs = []
    for req in (
        GrantRequest(subject.address, admitted.address, HEALTH, ROUTE),
        GrantRequest(subject.address, admitted.address, ACCOUNT_LINK, ROUTE),
    ):
        txs.append(consents.grant_by_sig(relayer, consents.sign_grant(subject, req, chain.timestamp() + 600)).tx_hash)
    route = RouteRequest(admitted.address, subject.address, HEALTH, route_digest(RECORD, SALT), chain.timestamp())
    txs.append(routes.publish_by_sig(relayer, routes.sign_publish(admitted, route, chain.timestamp() + 600)).tx_hash)
    txs.append(routes.link_account(admitted, admitted.address, account_key(SECRET, LOCAL_ID), subject.address).tx_hash)
    txs.append(
        consents.grant(
            subject, GrantRequest(subject.address, other_org.address, HEALTH, UNDERWRITING, max_uses=1)
        ).tx_hash
    )
    return DataAccess(consents, other_org, routes=routes), txs


def test_obtain__records_the_use_then_returns_verified_data(
    consents: ConsentRegistry,
    subject: LocalAccount,
    admitted: LocalAccount,
    flow: tuple[DataAccess, list[str]],
) -> None:
    gate, _ = flow
    fetched: list[bool] = []

    def fetch() -> Delivery:
        fetched.append(True)
        return Delivery(RECORD, SALT)

    result = gate.obtain(subject.address, HEALTH, UNDERWRITING, fetch, holder=admitted.address)
    assert result.data == RECORD and fetched == [True]
    assert consents.audit_trail(result.consent_id) == [result.usage]
    with pytest.raises(ConsentRequired):  # max_uses=1: exhausted, nothing fetched
        gate.obtain(subject.address, HEALTH, UNDERWRITING, fetch, holder=admitted.address)
    assert fetched == [True]


def test_obtain__without_consent_never_calls_the_source(
    consents: ConsentRegistry,
    subject: LocalAccount,
    admitted: LocalAccount,
    stranger: LocalAccount,
    flow: tuple[DataAccess, list[str]],
) -> None:
    gate, _ = flow
    consents.revoke(subject, consents.current_consent(subject.address, gate.grantee, HEALTH, UNDERWRITING) or b"")

    def fetch() -> Delivery:
        raise AssertionError("fetched without consent")

    with pytest.raises(ConsentRequired):
        gate.obtain(subject.address, HEALTH, UNDERWRITING, fetch, holder=admitted.address)
    with pytest.raises(ConsentRequired):
        DataAccess(gate.consents, stranger).obtain(subject.address, HEALTH, UNDERWRITING, fetch)


def test_obtain__rejects_data_that_does_not_match_the_route_digest(
    subject: LocalAccount, admitted: LocalAccount, flow: tuple[DataAccess, list[str]]
) -> None:
    gate, _ = flow
    with pytest.raises(DataIntegrityError):
        gate.obtain(
            subject.address,
            HEALTH,
            UNDERWRITING,
            lambda: Delivery(RECORD + b" ", SALT),
            holder=admitted.address,
        )


def test_no_raw_personal_data__in_calldata_or_logs(
    chain: Chain, subject: LocalAccount, admitted: LocalAccount, flow: tuple[DataAccess, list[str]]
) -> None:
    gate, txs = flow
    txs.append(
        gate.obtain(
            subject.address, HEALTH, UNDERWRITING, lambda: Delivery(RECORD, SALT), holder=admitted.address
        ).usage.tx_hash
    )
    secrets = [RECORD, b"Li Wei", b"E12345678", b"J45.909", LOCAL_ID.encode(), SECRET, SALT]
    for tx_hash in txs:
        tx = chain.rpc("eth_getTransactionByHash", [tx_hash])
        receipt = chain.rpc("eth_getTransactionReceipt", [tx_hash])
        blobs = [bytes.fromhex(tx["input"][2:])]
        for log in receipt["logs"]:
            blobs.append(bytes.fromhex(log["data"][2:]))
            blobs.extend(bytes.fromhex(t[2:]) for t in log["topics"])
        for blob in blobs:
            for secret in secrets:
                assert secret not in blob, f"{secret!r} leaked in {tx_hash}"
