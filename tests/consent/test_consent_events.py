"""The consent and data-route events carry exactly the values of the action (the audit trail),
and the routes refuse zero subjects, digests and account keys."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from tests.consent.conftest import ACCOUNT_LINK, HEALTH, ROUTE, UNDERWRITING
from thekey.chain import Chain
from thekey.consent import ConsentRegistry, DataRoutes, GrantRequest, RouteRequest, account_key, route_digest
from thekey.errors import ContractRevert

ZERO_ADDRESS = "0x" + "00" * 20
ACCESS = b"\x3c" * 32


def test_events__granted_and_used_carry_the_grant_and_the_use_count(
    chain: Chain, consents: ConsentRegistry, subject: LocalAccount, org: LocalAccount, relayer: LocalAccount
) -> None:
    now = chain.timestamp()
    request = GrantRequest(subject.address, org.address, HEALTH, UNDERWRITING, now + 10, now + 3600, 2)
    signed = consents.sign_grant(subject, request, now + 600)
    receipt = consents.grant_by_sig(relayer, signed).receipt
    (granted,) = consents.events(receipt, "ConsentGranted")
    consent_id = bytes(granted["id"])
    assert consents.current_consent(subject.address, org.address, HEALTH, UNDERWRITING) == consent_id
    assert {k: v for k, v in granted.items() if k != "id"} == {
        "subject": subject.address,
        "grantee": org.address,
        "scope": HEALTH,
        "purpose": UNDERWRITING,
        "validFrom": now + 10,
        "validUntil": now + 3600,
        "maxUses": 2,
        "by": subject.address,  # the signer acted, not the relayer
    }
    chain.increase_time(10)
    for use in (1, 2):
        receipt = consents._send(org, "recordUse", consents.key_of(consent_id).as_tuple(), consent_id, ACCESS)
        assert consents.events(receipt, "ConsentUsed") == [
            {"id": consent_id, "subject": subject.address, "grantee": org.address, "accessHash": ACCESS, "use": use}
        ]


def test_events__account_linked_carries_the_keyed_hash_never_the_local_id(
    consents: ConsentRegistry, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount
) -> None:
    consents.grant(subject, GrantRequest(subject.address, admitted.address, ACCOUNT_LINK, ROUTE))
    key = account_key(b"department-secret-key-32-bytes!!", "TAX-000123")
    receipt = routes.link_account(admitted, admitted.address, key, subject.address)
    assert routes.events(receipt, "AccountLinked") == [
        {"organisation": admitted.address, "accountKey": key, "subject": subject.address}
    ]


def test_routes__zero_subject_digest_or_account_key_revert(
    chain: Chain, consents: ConsentRegistry, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount
) -> None:
    consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, ROUTE))
    digest = route_digest(b"record", b"s" * 16)
    bad_publications = [
        RouteRequest(admitted.address, ZERO_ADDRESS, HEALTH, digest, chain.timestamp()),
        RouteRequest(admitted.address, subject.address, HEALTH, b"\x00" * 32, chain.timestamp()),
    ]
    for request in bad_publications:
        with pytest.raises(ContractRevert) as exc:
            routes.publish(admitted, request)
        assert exc.value.name == "RoutesZeroValue"
    for key, who in ((b"\x00" * 32, subject.address), (account_key(b"k" * 32, "A-1"), ZERO_ADDRESS)):
        with pytest.raises(ContractRevert) as exc:
            routes.link_account(admitted, admitted.address, key, who)
        assert exc.value.name == "RoutesZeroValue"
    assert routes.routes(subject.address) == []
