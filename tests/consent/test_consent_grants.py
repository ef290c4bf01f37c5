"""Granting and revoking consents directly: who may, ids, enumeration, supersession."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract

from tests.consent.conftest import HEALTH, TAX, UNDERWRITING
from thekey.chain import Chain
from thekey.consent import ConsentNotFound, ConsentRegistry, GrantRequest
from thekey.errors import ContractRevert


def test_grant__by_owner_records_a_live_consent_and_a_receipt(
    chain: Chain, consents: ConsentRegistry, subject: LocalAccount, request_: GrantRequest
) -> None:
    rc = consents.grant(subject, request_)
    c = consents.get(rc.consent_id)
    assert (c.subject, c.grantee, c.scope, c.purpose) == (
        request_.subject,
        request_.grantee,
        HEALTH,
        UNDERWRITING,
    )
    assert c.valid_from == rc.block_time and c.uses == 0 and c.revocation_time == 0
    assert consents.is_authorized(request_.subject, request_.grantee, HEALTH, UNDERWRITING)
    doc = rc.document()
    assert doc["subject"] == f"did:ethr:{hex(chain.chain_id)}:{request_.subject}"
    assert doc["scope"]["name"] == "health.record" and doc["purpose"]["name"] == "insurance-underwriting"
    assert doc["txHash"] == rc.tx_hash and doc["block"] == rc.block_number
    assert doc["window"] == {"validFrom": rc.block_time, "validUntil": None}


def test_grant__id_is_hash_of_the_tuple_and_its_serial(
    consents: ConsentRegistry, subject: LocalAccount, request_: GrantRequest
) -> None:
    first = consents.grant(subject, request_)
    second = consents.grant(subject, replace(request_, scope=TAX))
    again = consents.grant(subject, request_)  # the tuple's second grant
    for rc, serial in ((first, 1), (second, 1), (again, 2)):
        key = keccak(encode(["address", "address", "bytes32", "bytes32"],
                            [rc.subject, rc.grantee, rc.scope, rc.purpose]))  # fmt: skip
        assert rc.consent_id == keccak(encode(["bytes32", "uint256"], [key, serial]))
        assert (
            rc.consent_id
            == consents.contract.functions.consentId((rc.subject, rc.grantee, rc.scope, rc.purpose), serial).call()
        )
    # enumeration comes from the ConsentGranted events: the registry keeps one slot per tuple
    assert consents.ids(subject.address) == [first.consent_id, second.consent_id, again.consent_id]
    assert [c.scope for c in consents.consents(subject.address)] == [HEALTH, TAX, HEALTH]
    assert [c.revocation_time != 0 for c in consents.consents(subject.address)] == [True, False, False]
    assert ConsentRegistry(consents.chain, consents.address).key_of(again.consent_id) == request_.key


def test_grant__by_non_owner_reverts(
    consents: ConsentRegistry, stranger: LocalAccount, org: LocalAccount, request_: GrantRequest
) -> None:
    for who in (stranger, org):
        with pytest.raises(ContractRevert) as exc:
            consents.grant(who, request_)
        assert exc.value.name == "ConsentUnauthorized"
        assert exc.value.arguments == {"identity": request_.subject, "caller": who.address}


def test_grant__by_valid_sigauth_delegate_succeeds(
    consents: ConsentRegistry,
    subject: LocalAccount,
    delegate: LocalAccount,
    request_: GrantRequest,
    add_delegate: Callable[..., None],
) -> None:
    add_delegate(subject, delegate.address, 3600)
    rc = consents.grant(delegate, request_)
    assert rc.granted_by == delegate.address
    assert consents.is_authorized(request_.subject, request_.grantee, HEALTH, UNDERWRITING)
    consents.revoke(delegate, rc.consent_id)
    assert not consents.is_live(rc.consent_id)


def test_grant__by_expired_or_other_type_delegate_reverts(
    chain: Chain,
    consents: ConsentRegistry,
    identities: Contract,
    subject: LocalAccount,
    delegate: LocalAccount,
    request_: GrantRequest,
    add_delegate: Callable[..., None],
) -> None:
    veri_key = b"veriKey".ljust(32, b"\x00")
    chain.transact(identities.functions.addDelegate(subject.address, veri_key, delegate.address, 3600), subject)
    with pytest.raises(ContractRevert) as exc:
        consents.grant(delegate, request_)
    assert exc.value.name == "ConsentUnauthorized"
    add_delegate(subject, delegate.address, 10)
    chain.increase_time(11)
    with pytest.raises(ContractRevert) as exc:
        consents.grant(delegate, request_)
    assert exc.value.name == "ConsentUnauthorized"


def test_grant__by_new_owner_after_owner_change(
    chain: Chain,
    consents: ConsentRegistry,
    identities: Contract,
    subject: LocalAccount,
    delegate: LocalAccount,
    request_: GrantRequest,
) -> None:
    chain.transact(identities.functions.changeOwner(subject.address, delegate.address), subject)
    with pytest.raises(ContractRevert) as exc:
        consents.grant(subject, request_)
    assert exc.value.name == "ConsentUnauthorized"
    consents.grant(delegate, request_)


def test_grant__rejects_zero_identities_and_bad_windows(
    chain: Chain, consents: ConsentRegistry, subject: LocalAccount, request_: GrantRequest
) -> None:
    now = chain.timestamp()
    with pytest.raises(ContractRevert) as exc:
        consents.grant(subject, replace(request_, grantee="0x" + "00" * 20))
    assert exc.value.name == "ConsentZeroIdentity"
    for frm, until in ((now + 100, now + 50), (0, now - 1)):
        with pytest.raises(ContractRevert) as exc:
            consents.grant(subject, replace(request_, valid_from=frm, valid_until=until))
        assert exc.value.name == "ConsentInvalidWindow"


def test_grant__supersedes_the_unrevoked_consent_of_the_same_tuple(
    consents: ConsentRegistry, subject: LocalAccount, request_: GrantRequest
) -> None:
    old = consents.grant(subject, request_)
    new = consents.grant(subject, replace(request_, max_uses=3))
    assert consents.get(old.consent_id).revocation_time != 0
    revoked = consents.events(new.receipt, "ConsentRevoked")  # type: ignore[arg-type]
    assert [bytes(e["id"]) for e in revoked] == [old.consent_id]
    assert consents.current_consent(request_.subject, request_.grantee, HEALTH, UNDERWRITING) == new.consent_id
    assert consents.is_live(new.consent_id) and not consents.is_live(old.consent_id)


def test_revoke__is_final_and_only_by_the_subject(
    consents: ConsentRegistry,
    subject: LocalAccount,
    org: LocalAccount,
    stranger: LocalAccount,
    request_: GrantRequest,
) -> None:
    rc = consents.grant(subject, request_)
    for who in (stranger, org):
        with pytest.raises(ContractRevert) as exc:
            consents.revoke(who, rc.consent_id)
        assert exc.value.name == "ConsentUnauthorized"
    consents.revoke(subject, rc.consent_id)
    assert not consents.is_authorized(request_.subject, request_.grantee, HEALTH, UNDERWRITING)
    with pytest.raises(ContractRevert) as exc:
        consents.revoke(subject, rc.consent_id)
    assert exc.value.name == "ConsentRevokedAlready"
    with pytest.raises(ConsentNotFound, match="no consent 0x0101"):
        consents.revoke(subject, b"\x01" * 32)


def test_revoke__names_one_consent_so_a_later_grant_is_never_revoked_by_mistake(
    consents: ConsentRegistry, subject: LocalAccount, request_: GrantRequest
) -> None:
    old = consents.grant(subject, request_)
    new = consents.grant(subject, request_)
    with pytest.raises(ContractRevert) as exc:
        consents.revoke(subject, old.consent_id)
    assert exc.value.name == "ConsentNotCurrent"
    assert exc.value.arguments == {"id": old.consent_id, "current": new.consent_id}
    assert consents.is_live(new.consent_id) and not consents.is_live(old.consent_id)
    with pytest.raises(ContractRevert) as exc:  # a tuple that never had a consent
        consents._send(subject, "revoke", replace(request_, scope=TAX).key.as_tuple(), old.consent_id)
    assert exc.value.name == "ConsentNotGranted"


def test_deactivated_subject__has_no_live_consent_and_cannot_grant(
    chain: Chain,
    consents: ConsentRegistry,
    identities: Contract,
    subject: LocalAccount,
    org: LocalAccount,
    request_: GrantRequest,
) -> None:
    rc = consents.grant(subject, request_)
    chain.transact(identities.functions.deactivate(subject.address), subject)
    assert not consents.is_live(rc.consent_id)
    with pytest.raises(ContractRevert) as exc:
        consents.record_use(org, rc.consent_id, b"\x00" * 32)
    assert exc.value.name == "ConsentSubjectDeactivated"
    with pytest.raises(ContractRevert) as exc:
        consents.grant(subject, request_)
    assert exc.value.name == "ConsentUnauthorized"


def test_deactivated_grantee__is_not_authorised_and_its_consent_is_not_live(
    chain: Chain,
    consents: ConsentRegistry,
    identities: Contract,
    subject: LocalAccount,
    org: LocalAccount,
    request_: GrantRequest,
) -> None:
    rc = consents.grant(subject, request_)
    tuple_ = (subject.address, org.address, request_.scope, request_.purpose)
    assert consents.is_authorized(*tuple_) and consents.is_live(rc.consent_id)
    chain.transact(identities.functions.deactivate(org.address), org)
    assert not consents.is_authorized(*tuple_)
    assert not consents.is_live(rc.consent_id)
    with pytest.raises(ContractRevert) as exc:
        consents.record_use(org, rc.consent_id, b"\x00" * 32)
    assert exc.value.name == "ConsentUnauthorized"


def test_acts_for_and_version(consents: ConsentRegistry, subject: LocalAccount, stranger: LocalAccount) -> None:
    assert consents.acts_for(subject.address, subject.address)
    assert not consents.acts_for(subject.address, stranger.address)
    assert consents.version() == "2.0.0"
