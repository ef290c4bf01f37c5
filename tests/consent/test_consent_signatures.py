"""Every signed action (grant, revoke, publish route) against the full signature attack set:
valid (and exactly at the deadline), replayed, wrong signer, expired, other chain, other
contract, malleable s — and each typehash recomputed from its type string."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from tests.consent.conftest import HEALTH
from tests.support.signatures import malleate, other_chain, other_contract
from thekey.chain import Chain
from thekey.consent import ConsentRegistry, DataRoutes, GrantRequest, RouteRequest, purpose_id
from thekey.consent.registry import GRANT_TYPES, REVOKE_TYPES
from thekey.consent.routes import PUBLISH_TYPES
from thekey.eip712 import Domain, typehash
from thekey.errors import ContractRevert


@dataclass
class Action:
    """A signed action under test: ``sign(signer, deadline, domain)`` → signed object,
    ``submit(signed)`` relays it, ``tamper(signed, signature)`` swaps the signature,
    ``effect()`` says whether it took effect."""

    sign: Callable[[LocalAccount, int, Domain | None], Any]
    submit: Callable[[Any], Any]
    effect: Callable[[], bool]
    owner: LocalAccount
    signer_error: str  # error when a non-authorised key signs for itself
    replay_error: str  # error when a used message, or another message spending the same slot, is relayed


@pytest.fixture(params=["grant", "revoke", "publish"])
def action(
    request: pytest.FixtureRequest,
    chain: Chain,
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    org: LocalAccount,
    relayer: LocalAccount,
    deployer: LocalAccount,
    request_: GrantRequest,
) -> Action:
    if request.param == "grant":
        return Action(
            sign=lambda who, dl, dom: consents.sign_grant(who, request_, dl, domain=dom),
            submit=lambda s: consents.grant_by_sig(relayer, s),
            effect=lambda: consents.is_authorized(request_.subject, request_.grantee, HEALTH, request_.purpose),
            owner=subject,
            signer_error="ConsentUnauthorized",
            replay_error="ConsentGrantSuperseded",  # the signed serial was used
        )
    if request.param == "revoke":
        cid = consents.grant(subject, request_).consent_id
        return Action(
            sign=lambda who, dl, dom: consents.sign_revoke(who, cid, dl, domain=dom),
            submit=lambda s: consents.revoke_by_sig(relayer, s),
            effect=lambda: not consents.is_live(cid),
            owner=subject,
            signer_error="ConsentUnauthorized",
            replay_error="ConsentRevokedAlready",  # a consent is revoked once
        )
    routes.admit(deployer, org.address)
    consents.grant(subject, replace(request_, purpose=purpose_id("data-route")))
    req = RouteRequest(org.address, subject.address, HEALTH, b"\x11" * 32, chain.timestamp())
    return Action(
        sign=lambda who, dl, dom: routes.sign_publish(who, req, dl, domain=dom),
        submit=lambda s: routes.publish_by_sig(relayer, s),
        effect=lambda: routes.get_route(subject.address, org.address, HEALTH) is not None,
        owner=org,
        signer_error="RoutesUnauthorized",
        replay_error="InvalidAccountNonce",
    )


def _reverts(action: Action, signed: Any) -> str | None:
    with pytest.raises(ContractRevert) as exc:
        action.submit(signed)
    assert not action.effect()
    return exc.value.name


def test_signed__valid_relayed_by_anyone_takes_effect(chain: Chain, action: Action) -> None:
    signed = action.sign(action.owner, chain.timestamp() + 600, None)
    action.submit(signed)
    assert action.effect()


def test_signed__valid_exactly_at_the_deadline(chain: Chain, action: Action) -> None:
    deadline = chain.timestamp() + 50
    signed = action.sign(action.owner, deadline, None)
    chain.set_next_block_timestamp(deadline)
    action.submit(signed)
    assert action.effect()


def test_signed__expired_one_second_after_the_deadline_reverts(chain: Chain, action: Action) -> None:
    deadline = chain.timestamp() + 50
    signed = action.sign(action.owner, deadline, None)
    chain.set_next_block_timestamp(deadline + 1)
    chain.mine()
    assert _reverts(action, signed) in ("ConsentSignatureExpired", "RoutesSignatureExpired")


def test_signed__replay_reverts(chain: Chain, action: Action) -> None:
    signed = action.sign(action.owner, chain.timestamp() + 600, None)
    action.submit(signed)
    with pytest.raises(ContractRevert) as exc:
        action.submit(signed)
    assert exc.value.name == action.replay_error


def test_signed__a_second_message_for_a_used_slot_reverts(chain: Chain, action: Action) -> None:
    """Another message for the same grant serial, consent id or route nonce."""
    first = action.sign(action.owner, chain.timestamp() + 600, None)
    second = action.sign(action.owner, first.deadline - 1, None)
    action.submit(first)
    with pytest.raises(ContractRevert) as exc:
        action.submit(second)
    assert exc.value.name == action.replay_error


def test_signed__wrong_signer_reverts(chain: Chain, action: Action, stranger: LocalAccount) -> None:
    deadline = chain.timestamp() + 600
    by_stranger = action.sign(stranger, deadline, None)
    forged = replace(by_stranger, signer=action.owner.address)  # claims the owner signed
    assert _reverts(action, forged) in ("ConsentInvalidSignature", "RoutesInvalidSignature")
    assert _reverts(action, by_stranger) == action.signer_error  # signs as itself: no authority


def test_signed__other_chain_id_reverts(
    chain: Chain, action: Action, consents: ConsentRegistry, routes: DataRoutes
) -> None:
    domain = (consents if action.signer_error.startswith("Consent") else routes).domain
    signed = action.sign(action.owner, chain.timestamp() + 600, other_chain(domain))
    assert _reverts(action, signed) in ("ConsentInvalidSignature", "RoutesInvalidSignature")


def test_signed__other_contract_reverts(
    chain: Chain, action: Action, consents: ConsentRegistry, routes: DataRoutes
) -> None:
    domain = (consents if action.signer_error.startswith("Consent") else routes).domain
    signed = action.sign(action.owner, chain.timestamp() + 600, other_contract(domain))
    assert _reverts(action, signed) in ("ConsentInvalidSignature", "RoutesInvalidSignature")


def test_signed__malleable_s_reverts(chain: Chain, action: Action) -> None:
    signed = action.sign(action.owner, chain.timestamp() + 600, None)
    assert _reverts(action, replace(signed, signature=malleate(signed.signature))) in (
        "ConsentInvalidSignature",
        "RoutesInvalidSignature",
    )
    action.submit(signed)  # the original still works: nothing was consumed
    assert action.effect()


def test_signed_grant__by_delegate_and_wrong_serial(
    chain: Chain,
    consents: ConsentRegistry,
    subject: LocalAccount,
    delegate: LocalAccount,
    relayer: LocalAccount,
    request_: GrantRequest,
    add_delegate: Callable[..., None],
) -> None:
    deadline = chain.timestamp() + 600
    future = consents.sign_grant(subject, request_, deadline, serial=2)
    with pytest.raises(ContractRevert) as exc:
        consents.grant_by_sig(relayer, future)
    assert exc.value.name == "ConsentGrantSuperseded"
    assert exc.value.arguments == {"signedSerial": 2, "nextSerial": 1}
    add_delegate(subject, delegate.address, 3600)
    rc = consents.grant_by_sig(relayer, consents.sign_grant(delegate, request_, deadline))
    assert rc.granted_by == delegate.address
    assert consents.next_serial(request_.key) == 2
    stale = consents.sign_grant(subject, request_, deadline, serial=1)  # signed before the delegate's grant
    with pytest.raises(ContractRevert) as exc:
        consents.grant_by_sig(relayer, stale)
    assert exc.value.name == "ConsentGrantSuperseded"


def test_typehashes__match_the_contracts(consents: ConsentRegistry, routes: DataRoutes) -> None:
    assert typehash("Grant", GRANT_TYPES) == bytes(consents._call("GRANT_TYPEHASH"))
    assert typehash("Revoke", REVOKE_TYPES) == bytes(consents._call("REVOKE_TYPEHASH"))
    assert typehash("PublishRoute", PUBLISH_TYPES) == bytes(routes._call("PUBLISH_TYPEHASH"))
    assert consents.domain.name == "TheKey Consent" and routes.domain.name == "TheKey Data Routes"
