"""Data routes: governance admits organisations; publication and account linking need the
subject's live consent; anyone reads which organisations hold which categories."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount

from tests.consent.conftest import ACCOUNT_LINK, HEALTH, ROUTE, TAX
from thekey.chain import Chain
from thekey.consent import ConsentRegistry, DataRoutes, GrantRequest, RouteRequest, account_key, route_digest
from thekey.errors import BadInput, ContractRevert

SECRET = b"department-secret-key-32-bytes!!"


@pytest.fixture
def route_consent(consents: ConsentRegistry, subject: LocalAccount, admitted: LocalAccount) -> bytes:
    """The subject's consent for ``admitted`` to publish its health-record route."""
    return consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, ROUTE)).consent_id


def _req(chain: Chain, org: LocalAccount, subject: LocalAccount, category: bytes = HEALTH) -> RouteRequest:
    return RouteRequest(org.address, subject.address, category, route_digest(b"record", b"s" * 16), chain.timestamp())


def test_publish__with_consent_is_readable_by_anyone(
    chain: Chain, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount, route_consent: bytes
) -> None:
    req = _req(chain, admitted, subject)
    rc = routes.publish(admitted, req)
    (ev,) = routes.events(rc, "RoutePublished")
    assert bytes(ev["routeId"]) == routes.route_id(subject.address, admitted.address, HEALTH)
    (route,) = routes.routes(subject.address)
    assert (route.organisation, route.category, route.digest, route.updated_at) == (
        admitted.address,
        HEALTH,
        req.digest,
        req.updated_at,
    )
    assert route.as_json()["category"] == "health.record"


def test_publish__update_keeps_one_entry_and_time_never_goes_back(
    chain: Chain, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount, route_consent: bytes
) -> None:
    req = _req(chain, admitted, subject)
    routes.publish(admitted, req)
    chain.increase_time(10)
    newer = replace(req, digest=b"\x22" * 32, updated_at=chain.timestamp())
    routes.publish(admitted, newer)
    assert routes.routes(subject.address) == [routes.get_route(subject.address, admitted.address, HEALTH)]
    assert routes.routes(subject.address)[0].digest == b"\x22" * 32
    for bad in (req.updated_at, 0, chain.timestamp() + 1000):
        with pytest.raises(ContractRevert) as exc:
            routes.publish(admitted, replace(newer, updated_at=bad))
        assert exc.value.name == "RoutesInvalidUpdateTime"


def test_publish__without_consent_reverts(
    chain: Chain, consents: ConsentRegistry, routes: DataRoutes, subject: LocalAccount, admitted: LocalAccount
) -> None:
    # a consent for another purpose does not count
    consents.grant(subject, GrantRequest(subject.address, admitted.address, HEALTH, b"\x01" * 32))
    with pytest.raises(ContractRevert) as exc:
        routes.publish(admitted, _req(chain, admitted, subject))
    assert exc.value.name == "RoutesNoConsent"
    assert exc.value.arguments == {
        "subject": subject.address,
        "organisation": admitted.address,
        "scope": HEALTH,
    }


def test_publish__after_revocation_reverts(
    chain: Chain,
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    admitted: LocalAccount,
    route_consent: bytes,
) -> None:
    consents.revoke(subject, route_consent)
    with pytest.raises(ContractRevert) as exc:
        routes.publish(admitted, _req(chain, admitted, subject))
    assert exc.value.name == "RoutesNoConsent"


def test_publish__by_unregistered_organisation_reverts(
    chain: Chain,
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    other_org: LocalAccount,
) -> None:
    consents.grant(subject, GrantRequest(subject.address, other_org.address, HEALTH, ROUTE))
    with pytest.raises(ContractRevert) as exc:
        routes.publish(other_org, _req(chain, other_org, subject))
    assert exc.value.name == "RoutesUnregisteredOrganisation"
    assert exc.value.arguments == {"organisation": other_org.address}


def test_publish__for_an_organisation_by_a_non_actor_reverts(
    chain: Chain,
    routes: DataRoutes,
    subject: LocalAccount,
    admitted: LocalAccount,
    stranger: LocalAccount,
    route_consent: bytes,
) -> None:
    with pytest.raises(ContractRevert) as exc:
        routes.publish(stranger, _req(chain, admitted, subject))
    assert exc.value.name == "RoutesUnauthorized"


def test_governance__stranger_cannot_admit_or_remove(
    routes: DataRoutes, deployer: LocalAccount, stranger: LocalAccount, org: LocalAccount
) -> None:
    for call in (routes.admit, routes.remove):
        with pytest.raises(ContractRevert) as exc:
            call(stranger, org.address)
        assert exc.value.name == "AccessControlUnauthorizedAccount"
    routes.admit(deployer, org.address)
    assert routes.is_organisation(org.address)
    routes.remove(deployer, org.address)
    assert not routes.is_organisation(org.address)


def test_routes__list_categories_per_organisation(
    chain: Chain,
    consents: ConsentRegistry,
    routes: DataRoutes,
    deployer: LocalAccount,
    subject: LocalAccount,
    admitted: LocalAccount,
    other_org: LocalAccount,
    route_consent: bytes,
) -> None:
    routes.admit(deployer, other_org.address)
    consents.grant(subject, GrantRequest(subject.address, other_org.address, TAX, ROUTE))
    routes.publish(admitted, _req(chain, admitted, subject, HEALTH))
    routes.publish(other_org, _req(chain, other_org, subject, TAX))
    assert [(r.organisation, r.category) for r in routes.routes(subject.address)] == [
        (admitted.address, HEALTH),
        (other_org.address, TAX),
    ]


def test_link_account__needs_consent_and_links_once(
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    admitted: LocalAccount,
    stranger: LocalAccount,
) -> None:
    key = account_key(SECRET, "TAX-000123")
    with pytest.raises(ContractRevert) as exc:
        routes.link_account(admitted, admitted.address, key, subject.address)
    assert exc.value.name == "RoutesNoConsent"
    consents.grant(subject, GrantRequest(subject.address, admitted.address, ACCOUNT_LINK, ROUTE))
    with pytest.raises(ContractRevert) as exc:
        routes.link_account(stranger, admitted.address, key, subject.address)
    assert exc.value.name == "RoutesUnauthorized"
    routes.link_account(admitted, admitted.address, key, subject.address)
    assert routes.account_subject(admitted.address, key) == subject.address
    assert routes.account_subject(admitted.address, account_key(SECRET, "TAX-000124")) is None
    with pytest.raises(ContractRevert) as exc:
        routes.link_account(admitted, admitted.address, key, stranger.address)
    assert exc.value.name == "RoutesAccountAlreadyLinked"


def test_account_key__is_keyed_and_rejects_weak_secrets() -> None:
    assert account_key(SECRET, "A-1") != account_key(b"another-secret-key-of-32-bytes!!", "A-1")
    assert account_key(SECRET, "A-1") == account_key(SECRET, " A-1 ")
    with pytest.raises(BadInput):
        account_key(b"short", "A-1")
    with pytest.raises(BadInput):
        route_digest(b"data", b"salt")


def test_publish_with_consent__relays_the_subjects_signed_consent_and_publishes_in_one_transaction(
    chain: Chain,
    consents: ConsentRegistry,
    routes: DataRoutes,
    subject: LocalAccount,
    admitted: LocalAccount,
    stranger: LocalAccount,
) -> None:
    req = _req(chain, admitted, subject)
    grant = GrantRequest(subject.address, admitted.address, HEALTH, ROUTE, max_uses=1)
    signed = consents.sign_grant(subject, grant, chain.timestamp() + 600)

    # the consent relayed must be exactly the route's: here, the wrong scope
    wrong = consents.sign_grant(subject, replace(grant, scope=TAX), chain.timestamp() + 600)
    with pytest.raises(ContractRevert) as exc:
        routes.publish_with_consent(admitted, req, wrong)
    assert exc.value.name == "RoutesConsentMismatch"
    assert exc.value.arguments["scope"] == TAX
    # only an actor for the organisation publishes, whoever holds the signed consent
    with pytest.raises(ContractRevert) as exc:
        routes.publish_with_consent(stranger, req, signed)
    assert exc.value.name == "RoutesUnauthorized"

    rc = routes.publish_with_consent(admitted, req, signed)
    (granted,) = consents.events(rc, "ConsentGranted")
    (used,) = routes.events(rc, "RouteConsentUsed")
    (published,) = routes.events(rc, "RoutePublished")
    cid = bytes(granted["id"])
    assert (bytes(used["consentId"]), used["use"]) == (cid, 1)
    assert granted["by"] == subject.address  # the signer, not the relaying organisation
    route = routes.get_route(subject.address, admitted.address, HEALTH)
    assert route is not None and route.live and route.consent_id == cid and route.digest == bytes(published["digest"])
    # the signature is spent with the consent: relaying it again fails in the consent registry
    with pytest.raises(ContractRevert) as exc:
        routes.publish_with_consent(admitted, replace(req, digest=b"\x33" * 32), signed)
    assert exc.value.name == "ConsentGrantSuperseded"
