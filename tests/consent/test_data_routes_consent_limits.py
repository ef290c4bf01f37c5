"""Data routes respect the consent they rest on (issue 13, scenario 3), tried as an admitted
organisation and a stranger would: each publication and link consumes one use, a route or link
stops reading as live when its consent goes, and the subject or the organisation can undo either.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount

from tests.consent.conftest import ACCOUNT_LINK, HEALTH, ROUTE
from thekey.chain import Chain
from thekey.consent import (
    ConsentKey,
    ConsentRegistry,
    DataRoutes,
    GrantRequest,
    RouteRequest,
    account_key,
    route_digest,
)
from thekey.errors import ContractRevert

SECRET = b"department-secret-key-32-bytes!!"


def _req(chain: Chain, org: LocalAccount, subject: LocalAccount, n: int = 0) -> RouteRequest:
    digest = route_digest(b"record%d" % n, b"s" * 16)
    return RouteRequest(org.address, subject.address, HEALTH, digest, chain.timestamp())


def _revert(call: object, *args: object) -> ContractRevert:
    with pytest.raises(ContractRevert) as exc:
        call(*args)  # type: ignore[operator]
    return exc.value


def test_one_use_consent__allows_exactly_one_publication(
    chain: Chain, consents: ConsentRegistry, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount
) -> None:
    cid = consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, ROUTE, max_uses=1)).consent_id
    rc = routes.publish(admitted, _req(chain, admitted, subject))
    (used,) = routes.events(rc, "RouteConsentUsed")
    assert (bytes(used["consentId"]), used["use"]) == (cid, 1)
    assert routes.consent_uses(subject.address, admitted.address, HEALTH) == (cid, 1)
    chain.increase_time(5)
    err = _revert(routes.publish, admitted, _req(chain, admitted, subject, 1))
    assert err.name == "RoutesConsentExhausted"
    assert err.arguments == {"consentId": cid, "maxUses": 1}
    assert routes.consent_uses(subject.address, admitted.address, HEALTH) == (cid, 1)
    # the route it paid for stays live: a use is not a window
    assert routes.get_route(subject.address, admitted.address, HEALTH).live  # type: ignore[union-attr]


def test_one_use_consent__allows_exactly_one_link(
    consents: ConsentRegistry, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount
) -> None:
    consents.grant(subject, GrantRequest(subject.address, admitted.address, ACCOUNT_LINK, ROUTE, max_uses=1))
    routes.link_account(admitted, admitted.address, account_key(SECRET, "A-1"), subject.address)
    err = _revert(routes.link_account, admitted, admitted.address, account_key(SECRET, "A-2"), subject.address)
    assert err.name == "RoutesConsentExhausted"
    assert routes.account_subject(admitted.address, account_key(SECRET, "A-2")) is None


def test_route_consent__uses_cannot_be_recorded_in_the_consent_registry(
    consents: ConsentRegistry, subject: LocalAccount, admitted: LocalAccount
) -> None:
    """Else the organisation would spend the uses twice (one book per consent)."""
    cid = consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, ROUTE, max_uses=1)).consent_id
    err = _revert(consents.record_use, admitted, cid, b"\x01" * 32)
    assert err.name == "ConsentRouteUse"
    assert consents.get(cid).uses == 0


def test_revoked_consent__routes_and_links_stop_being_live_and_cannot_be_renewed(
    chain: Chain, consents: ConsentRegistry, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount
) -> None:
    route_cid = consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, ROUTE)).consent_id
    link_cid = consents.grant(subject, GrantRequest(subject.address, admitted.address, ACCOUNT_LINK, ROUTE)).consent_id
    key = account_key(SECRET, "A-1")
    routes.publish(admitted, _req(chain, admitted, subject))
    routes.link_account(admitted, admitted.address, key, subject.address)
    assert (
        routes.is_route_live(subject.address, admitted.address, HEALTH)
        and routes.account_subject(admitted.address, key) == subject.address
    )

    consents.revoke(subject, route_cid)
    consents.revoke(subject, link_cid)
    assert not routes.is_route_live(subject.address, admitted.address, HEALTH)
    (route,) = routes.routes(subject.address)
    assert not route.live and route.consent_id == route_cid
    assert routes.account_subject(admitted.address, key) is None
    chain.increase_time(5)
    assert _revert(routes.publish, admitted, _req(chain, admitted, subject, 1)).name == "RoutesNoConsent"
    other = account_key(SECRET, "A-2")
    assert _revert(routes.link_account, admitted, admitted.address, other, subject.address).name == "RoutesNoConsent"

    # a fresh consent revives nothing by itself; the next publication rests on it
    fresh = consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, ROUTE)).consent_id
    assert not routes.is_route_live(subject.address, admitted.address, HEALTH)
    routes.publish(admitted, _req(chain, admitted, subject, 2))
    assert routes.is_route_live(subject.address, admitted.address, HEALTH)
    assert routes.get_route(subject.address, admitted.address, HEALTH).consent_id == fresh  # type: ignore[union-attr]


def test_expired_consent__route_is_not_live(
    chain: Chain, consents: ConsentRegistry, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount
) -> None:
    now = chain.timestamp()
    consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, ROUTE, valid_until=now + 100))
    routes.publish(admitted, _req(chain, admitted, subject))
    assert routes.is_route_live(subject.address, admitted.address, HEALTH)
    chain.increase_time(200)
    assert not routes.is_route_live(subject.address, admitted.address, HEALTH)


def test_withdraw_route__by_subject_or_organisation_never_a_stranger(
    chain: Chain,
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    admitted: LocalAccount,
    stranger: LocalAccount,
) -> None:
    consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, ROUTE))
    req = _req(chain, admitted, subject)
    routes.publish(admitted, req)
    rid = routes.route_id(subject.address, admitted.address, HEALTH)
    # a route's id is the key of the consent tuple it rests on
    assert rid == ConsentKey(subject.address, admitted.address, HEALTH, ROUTE).hash

    err = _revert(routes.withdraw_route, stranger, subject.address, admitted.address, HEALTH)
    assert err.name == "RoutesNotAParty"
    assert err.arguments == {"subject": subject.address, "organisation": admitted.address, "caller": stranger.address}
    assert routes.is_route_live(subject.address, admitted.address, HEALTH)

    rc = routes.withdraw_route(subject, subject.address, admitted.address, HEALTH)
    (ev,) = routes.events(rc, "RouteWithdrawn")
    assert (bytes(ev["routeId"]), ev["subject"], ev["organisation"], ev["by"]) == (
        rid,
        subject.address,
        admitted.address,
        subject.address,
    )
    (route,) = routes.routes(subject.address)
    assert route.withdrawn and not route.live
    err = _revert(routes.withdraw_route, admitted, subject.address, admitted.address, HEALTH)
    assert err.name == "RoutesNoRoute"
    assert err.arguments == {"routeId": rid}

    # the organisation republishes (the consent still stands), then withdraws it itself
    chain.increase_time(5)
    routes.publish(admitted, replace(req, updated_at=chain.timestamp()))
    assert routes.is_route_live(subject.address, admitted.address, HEALTH)
    routes.withdraw_route(admitted, subject.address, admitted.address, HEALTH)
    assert not routes.is_route_live(subject.address, admitted.address, HEALTH)
    assert len(routes.routes(subject.address)) == 1


def test_unlink_account__by_subject_or_organisation_then_relinkable(
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    admitted: LocalAccount,
    stranger: LocalAccount,
) -> None:
    consents.grant(subject, GrantRequest(subject.address, admitted.address, ACCOUNT_LINK, ROUTE))
    key = account_key(SECRET, "A-1")
    err = _revert(routes.unlink_account, admitted, admitted.address, key)
    assert err.name == "RoutesAccountNotLinked"
    assert err.arguments == {"organisation": admitted.address, "accountKey": key}
    routes.link_account(admitted, admitted.address, key, subject.address)

    assert _revert(routes.unlink_account, stranger, admitted.address, key).name == "RoutesNotAParty"
    rc = routes.unlink_account(subject, admitted.address, key)
    (ev,) = routes.events(rc, "AccountUnlinked")
    assert (ev["organisation"], bytes(ev["accountKey"]), ev["subject"], ev["by"]) == (
        admitted.address,
        key,
        subject.address,
        subject.address,
    )
    assert routes.account_subject(admitted.address, key) is None

    routes.link_account(admitted, admitted.address, key, subject.address)  # re-linkable after an unlink
    routes.unlink_account(admitted, admitted.address, key)
    assert routes.account_subject(admitted.address, key) is None
