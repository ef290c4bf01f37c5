"""Window boundaries (exactly at, before, after), max uses, usage receipts and the audit trail."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount

from tests.consent.conftest import HEALTH, UNDERWRITING
from thekey.chain import Chain
from thekey.consent import ConsentKey, ConsentNotFound, ConsentRegistry, GrantRequest
from thekey.errors import ContractRevert

ACCESS = b"\xaa" * 32


def _use_at(chain: Chain, consents: ConsentRegistry, org: LocalAccount, cid: bytes, t: int) -> None:
    chain.set_next_block_timestamp(t)
    consents.record_use(org, cid, ACCESS)


def _authorized_at(chain: Chain, consents: ConsentRegistry, req: GrantRequest, t: int) -> bool:
    chain.set_next_block_timestamp(t)
    chain.mine()
    return consents.is_authorized(req.subject, req.grantee, req.scope, req.purpose)


@pytest.fixture
def window(chain: Chain) -> tuple[int, int]:
    start = chain.timestamp() + 1000
    return start, start + 500


def test_valid_from__use_reverts_one_second_before_and_succeeds_exactly_at(
    chain: Chain,
    consents: ConsentRegistry,
    subject: LocalAccount,
    org: LocalAccount,
    request_: GrantRequest,
    window: tuple[int, int],
) -> None:
    start, end = window
    cid = consents.grant(subject, replace(request_, valid_from=start, valid_until=end)).consent_id
    chain.set_next_block_timestamp(start - 1)
    with pytest.raises(ContractRevert) as exc:
        consents.record_use(org, cid, ACCESS)
    assert exc.value.name == "ConsentNotYetValid"
    assert exc.value.arguments == {"id": cid, "validFrom": start}
    _use_at(chain, consents, org, cid, start)
    assert consents.get(cid).uses == 1


def test_valid_until__use_succeeds_exactly_at_and_reverts_one_second_after(
    chain: Chain,
    consents: ConsentRegistry,
    subject: LocalAccount,
    org: LocalAccount,
    request_: GrantRequest,
    window: tuple[int, int],
) -> None:
    start, end = window
    cid = consents.grant(subject, replace(request_, valid_from=start, valid_until=end)).consent_id
    _use_at(chain, consents, org, cid, end)
    chain.set_next_block_timestamp(end + 1)
    with pytest.raises(ContractRevert) as exc:
        consents.record_use(org, cid, ACCESS)
    assert exc.value.name == "ConsentExpired"
    assert exc.value.arguments == {"id": cid, "validUntil": end}


def test_is_authorized__follows_the_window_boundaries(
    chain: Chain,
    consents: ConsentRegistry,
    subject: LocalAccount,
    request_: GrantRequest,
    window: tuple[int, int],
) -> None:
    start, end = window
    req = replace(request_, valid_from=start, valid_until=end)
    consents.grant(subject, req)
    assert [_authorized_at(chain, consents, req, t) for t in (start - 1, start, end - 1, end, end + 1)] == [
        False,
        True,
        True,
        True,
        False,
    ]


def test_revocation__stops_uses_at_once(
    consents: ConsentRegistry, subject: LocalAccount, org: LocalAccount, request_: GrantRequest
) -> None:
    cid = consents.grant(subject, request_).consent_id
    consents.record_use(org, cid, ACCESS)
    consents.revoke(subject, cid)
    with pytest.raises(ContractRevert) as exc:
        consents.record_use(org, cid, ACCESS)
    assert exc.value.name == "ConsentRevokedAlready"


def test_max_uses__counts_each_use_and_rejects_the_next(
    consents: ConsentRegistry, subject: LocalAccount, org: LocalAccount, request_: GrantRequest
) -> None:
    cid = consents.grant(subject, replace(request_, max_uses=2)).consent_id
    assert [consents.record_use(org, cid, bytes([i]) * 32).use for i in (1, 2)] == [1, 2]
    assert not consents.is_live(cid)
    assert not consents.is_authorized(request_.subject, request_.grantee, HEALTH, UNDERWRITING)
    with pytest.raises(ContractRevert) as exc:
        consents.record_use(org, cid, ACCESS)
    assert exc.value.name == "ConsentExhausted"
    assert exc.value.arguments == {"id": cid, "maxUses": 2}


def test_record_use__without_consent_reverts(consents: ConsentRegistry, org: LocalAccount) -> None:
    with pytest.raises(ConsentNotFound):
        consents.record_use(org, b"\x42" * 32, ACCESS)
    key = ConsentKey(org.address, org.address, HEALTH, UNDERWRITING)
    with pytest.raises(ContractRevert) as exc:
        consents._send(org, "recordUse", key.as_tuple(), key.consent_id(1), ACCESS)
    assert exc.value.name == "ConsentNotGranted"
    assert exc.value.arguments == {"subject": org.address, "grantee": org.address, "scope": HEALTH,
                                   "purpose": UNDERWRITING}  # fmt: skip


def test_record_use__by_anyone_but_the_grantee_reverts(
    consents: ConsentRegistry,
    subject: LocalAccount,
    stranger: LocalAccount,
    other_org: LocalAccount,
    request_: GrantRequest,
) -> None:
    cid = consents.grant(subject, request_).consent_id
    for who in (stranger, other_org, subject):
        with pytest.raises(ContractRevert) as exc:
            consents.record_use(who, cid, ACCESS)
        assert exc.value.name == "ConsentUnauthorized"
        assert exc.value.arguments == {"identity": request_.grantee, "caller": who.address}


def test_usage_receipts__form_the_audit_trail(
    consents: ConsentRegistry, subject: LocalAccount, org: LocalAccount, request_: GrantRequest
) -> None:
    cid = consents.grant(subject, request_).consent_id
    other = consents.grant(subject, replace(request_, scope=b"\x01" * 32)).consent_id
    records = [consents.record_use(org, cid, bytes([i]) * 32) for i in (1, 2, 3)]
    consents.record_use(org, other, ACCESS)
    trail = consents.audit_trail(cid)
    assert trail == records
    assert [(u.use, u.access_hash, u.grantee, u.subject) for u in trail] == [
        (i, bytes([i]) * 32, org.address, subject.address) for i in (1, 2, 3)
    ]
    assert consents.get(cid).uses == 3
