"""The read API over real HTTP: consents (a record, and ``isAuthorized``) and escrow agreements
read from the chain, equal to the library's view; 4xx problems for every malformed input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from tests.escrow.conftest import Cast, cast, escrow, make_terms, open_agreement, token  # noqa: F401
from tests.gateway.conftest import Gateway
from thekey.chain import Chain
from thekey.consent import ConsentRegistry, GrantRequest, purpose_id, scope_id
from thekey.deploy import Deployment
from thekey.identity.did import did_for
from thekey.payments.escrow import Escrow, Terms

PROBLEM = "application/problem+json"
HEALTH, UNDERWRITING = "health.record", "insurance-underwriting"


def _authorized(gw: Gateway, subject: str, grantee: str, scope: str = HEALTH, purpose: str = UNDERWRITING) -> Any:
    params = {"subject": subject, "grantee": grantee, "scope": scope, "purpose": purpose}
    response = gw.get("/consents/authorized", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_consents__record_and_is_authorized_follow_grant_and_revoke(
    gateway: Gateway, deployment: Deployment, chain: Chain, accounts: list[LocalAccount]
) -> None:
    consents = ConsentRegistry.from_deployment(deployment)
    subject, org = accounts[1], accounts[2]
    assert _authorized(gateway, subject.address, org.address) == {"authorized": False, "consentId": None}
    receipt = consents.grant(subject, GrantRequest(subject.address, org.address, scope_id(HEALTH),
                                                   purpose_id(UNDERWRITING), max_uses=3))  # fmt: skip
    cid = "0x" + receipt.consent_id.hex()
    by_did = _authorized(gateway, did_for(chain.chain_id, subject.address), did_for(chain.chain_id, org.address))
    assert by_did == {"authorized": True, "consentId": cid}
    record = gateway.get(f"/consents/{cid}")
    assert record.status_code == 200
    body = record.json()
    assert body == {**consents.get(receipt.consent_id).as_json(chain.chain_id), "status": "live"}
    assert body["scope"] == HEALTH and body["maxUses"] == 3
    consents.revoke(subject, receipt.consent_id)
    assert gateway.get(f"/consents/{cid}").json()["status"] == "revoked"
    assert _authorized(gateway, subject.address, org.address) == {"authorized": False, "consentId": cid}


def test_agreements__the_chains_state_and_terms(
    gateway: Gateway, escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms],  # noqa: F811
    open_agreement: Callable[[Terms], int], chain: Chain,  # noqa: F811
) -> None:  # fmt: skip
    terms = make_terms()
    agreement_id = open_agreement(terms)
    response = gateway.get(f"/agreements/{agreement_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "active" and body["provider"] == cast.provider.address
    assert body["price"] == str(terms.price) and body["termsHash"] == "0x" + terms.terms_hash.hex()
    expected = escrow.agreement(agreement_id).to_json(chain.timestamp())
    assert {k: v for k, v in body.items() if k not in ("termsHash", "createdInBlock")} == expected


@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [
        ("/consents/0x1234", 400, "invalid-request"),
        ("/consents/0x" + "00" * 32, 404, "not-found"),
        ("/agreements/0", 400, "invalid-request"),
        ("/agreements/-1", 400, "invalid-request"),
        ("/agreements/abc", 400, "invalid-request"),
        ("/agreements/999999", 404, "not-found"),
        ("/consents/authorized?subject=0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 400, "invalid-request"),
        ("/consents/authorized?subject=0x12&grantee=0x12&scope=health.record&purpose=audit", 400, "invalid-request"),
        ("/consents/authorized?subject=did:ethr:0x5:0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
         "&grantee=0x70997970C51812dc3A010C7d01b50e0d17dc79C8&scope=health.record&purpose=audit", 400, "wrong-chain"),
        ("/consents/authorized?subject=0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
         "&grantee=0x70997970C51812dc3A010C7d01b50e0d17dc79C8&scope=helth.record&purpose=audit", 400,
         "invalid-request"),
    ],
)  # fmt: skip
def test_reads__bad_input_is_a_4xx_problem(gateway: Gateway, path: str, status: int, kind: str) -> None:
    response = gateway.get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + kind)
