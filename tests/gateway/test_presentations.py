"""``POST /presentations/verify`` over real HTTP: the W3C VC API shape around
``verify_presentation`` — the same checks for a valid presentation, one carrying a revoked
credential, a tampered one, one made for another challenge or domain, and a foreign document;
4xx problems when challenge or domain is missing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.credentials.conftest import Env
from tests.gateway.conftest import Gateway
from thekey.credentials import IssuedCredential
from thekey.credentials.presentation import create_presentation, verify_presentation
from thekey.deploy import Deployment
from thekey.identity.registry import EIDRegistry

VERIFIER = "https://employer.example"
PROBLEM = "application/problem+json"


def _present(env: Env, vc: dict[str, Any], challenge: str = "c-1", domain: str = VERIFIER) -> dict[str, Any]:
    return create_presentation([vc], env.holder, chain_id=env.chain.chain_id, challenge=challenge, domain=domain)


def test_verify_presentation__agrees_with_the_library_on_valid_revoked_tampered_retargeted_and_foreign(
    gateway: Gateway, env: Env, deployment: Deployment, anchored: Callable[..., IssuedCredential]
) -> None:
    valid = _present(env, anchored().credential)
    revoked_item = anchored()
    env.registry.revoke(env.issuer, revoked_item.hash, b"\x01" * 32)
    tampered = copy.deepcopy(valid)
    tampered["holder"] = tampered["holder"].replace("0x7a69", "0x7A69")
    cases = {
        "valid": valid,
        "revoked": _present(env, revoked_item.credential),
        "tampered": tampered,
        "other challenge": _present(env, anchored().credential, challenge="c-2"),
        "other domain": _present(env, anchored().credential, domain="https://other.example"),
        "foreign": {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]},
    }
    identities = EIDRegistry.from_deployment(deployment)
    answers: dict[str, Any] = {}
    for name, vp in cases.items():
        body = {"verifiablePresentation": vp, "options": {"challenge": "c-1", "domain": VERIFIER}}
        response = gateway.post("/presentations/verify", json=body)
        assert response.status_code == 200, (name, response.text)
        answer = response.json()
        reference = verify_presentation(env.registry, identities, vp, challenge="c-1", domain=VERIFIER)
        assert answer["verified"] is reference.valid is (name == "valid"), (name, answer["errors"])
        assert answer["results"] == reference.as_json(), name
        assert answer["checks"] == [c.name for c in reference.checks if c.ok], name
        assert answer["errors"] == [f"{c.name}: {c.reason}" for c in reference.failures], name
        answers[name] = answer
    assert [e.split(":")[0] for e in answers["revoked"]["errors"]] == ["credentials"]
    assert "challenge" in [e.split(":")[0] for e in answers["other challenge"]["errors"]]
    assert "domain" in [e.split(":")[0] for e in answers["other domain"]["errors"]]


@pytest.mark.parametrize(
    "body",
    [
        {"verifiablePresentation": {}},
        {"verifiablePresentation": {}, "options": {"challenge": "c-1"}},
        {"verifiablePresentation": {}, "options": {"domain": VERIFIER}},
        {"verifiablePresentation": {}, "options": {"challenge": "", "domain": VERIFIER}},
        {"verifiablePresentation": {}, "options": {"challenge": "c-1", "domain": VERIFIER, "proofPurpose": "x"}},
        {"verifiablePresentation": [], "options": {"challenge": "c-1", "domain": VERIFIER}},
        {"presentation": {}, "options": {"challenge": "c-1", "domain": VERIFIER}},
    ],
)
def test_verify_presentation__bad_bodies_are_400_problems(gateway: Gateway, body: dict[str, Any]) -> None:
    response = gateway.post("/presentations/verify", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/invalid-request")
