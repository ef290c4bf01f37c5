"""`thekey serve` over real HTTP: DIF driver DID resolution equal to ethr-did-resolver's, VC API
verification equal to the CLI's, RFC 9457 problems for every bad input, limits, and an OpenAPI
document that lists exactly the routes served."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from tests.credentials.conftest import Env
from tests.gateway.conftest import Gateway, serve
from tests.support.ethr_resolver import npm_resolve, require_npm_resolver
from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.credentials import IssuedCredential
from thekey.deploy import Deployment
from thekey.gateway.app import RESOLUTION_PROFILE, GatewayConfig
from thekey.identity.did import did_for
from thekey.identity.registry import EIDRegistry

DAY = 86_400
PROBLEM = "application/problem+json"


@pytest.fixture
def dids(chain: Chain, deployment: Deployment, accounts: list[LocalAccount]) -> dict[str, str]:
    """alice: delegate + service + new owner; bob: deactivated; fresh: no history."""
    eid = EIDRegistry.from_deployment(deployment)
    alice, bob = accounts[5], accounts[6]
    eid.add_delegate(alice, alice.address, "veriKey", accounts[7].address, DAY)
    eid.set_attribute(alice, alice.address, "did/svc/HubService", b"https://hub.example.com/", DAY)
    eid.change_owner(alice, alice.address, accounts[8].address)
    eid.deactivate(bob, bob.address)
    return {
        "alice": did_for(chain.chain_id, alice.address),
        "bob": did_for(chain.chain_id, bob.address),
        "fresh": did_for(chain.chain_id, accounts[9].address),
    }


def test_resolve__equals_the_npm_ethr_did_resolver(
    gateway: Gateway, chain: Chain, anvil: Anvil, deployment: Deployment, dids: dict[str, str]
) -> None:
    require_npm_resolver()
    names = list(dids)
    theirs = npm_resolve(anvil.url, deployment.address("identity"), chain.chain_id, chain.timestamp(),
                         [dids[n] for n in names])  # fmt: skip
    for name, reference in zip(names, theirs, strict=True):
        response = gateway.get(f"/1.0/identifiers/{dids[name]}")
        assert response.status_code == (410 if name == "bob" else 200), name
        assert response.headers["content-type"] == RESOLUTION_PROFILE
        body = response.json()
        assert body["didDocument"] == reference["didDocument"], name
        assert body["didDocumentMetadata"] == reference["didDocumentMetadata"], name
        assert body["didResolutionMetadata"]["contentType"] == "application/did+ld+json"


@pytest.mark.parametrize(
    ("accept", "media", "has_context"),
    [
        ("application/did+ld+json", "application/did+ld+json", True),
        ("application/did+json", "application/did+json", False),
        ("application/did", "application/did", True),
        ("text/html;q=0.9, application/did+json", "application/did+json", False),
    ],
)
def test_resolve__document_representations_follow_accept(
    gateway: Gateway, dids: dict[str, str], accept: str, media: str, has_context: bool
) -> None:
    response = gateway.get(f"/1.0/identifiers/{dids['alice']}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    document = response.json()
    assert document["id"] == dids["alice"]
    assert ("@context" in document) is has_context


def test_resolve__the_resolution_media_type_is_echoed(gateway: Gateway, dids: dict[str, str]) -> None:
    response = gateway.get(f"/1.0/identifiers/{dids['fresh']}", headers={"Accept": "application/did-resolution"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did-resolution"
    assert response.json()["didDocument"]["id"] == dids["fresh"]


@pytest.mark.parametrize(
    ("did", "accept", "status", "error"),
    [
        ("did:ethr:0x7a69:0x1234", None, 400, "invalidDid"),
        ("not-a-did", None, 400, "invalidDid"),
        ("did:web:example.com", None, 501, "methodNotSupported"),
        ("did:ethr:0x5:0x70997970C51812dc3A010C7d01b50e0d17dc79C8", None, 404, "notFound"),
        ("did:ethr:0x7a69:0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "text/html", 406, "representationNotSupported"),
    ],
)
def test_resolve__errors_carry_the_did_resolution_code_and_http_status(
    gateway: Gateway, did: str, accept: str | None, status: int, error: str
) -> None:
    response = gateway.get(f"/1.0/identifiers/{did}", headers={"Accept": accept} if accept else {})
    assert response.status_code == status
    body = response.json()
    assert body["didDocument"] is None
    assert body["didResolutionMetadata"]["error"] == error
    assert body["didResolutionMetadata"]["errorMessage"]


def test_resolve__etag_revalidation_is_304_until_the_did_changes(
    gateway: Gateway, deployment: Deployment, accounts: list[LocalAccount], dids: dict[str, str]
) -> None:
    path = f"/1.0/identifiers/{dids['fresh']}"
    first = gateway.get(path)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = gateway.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    fresh = accounts[9]
    EIDRegistry.from_deployment(deployment).add_delegate(fresh, fresh.address, "veriKey", accounts[10].address, DAY)
    changed = gateway.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


@pytest.fixture
def cli_verify(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Callable[[dict[str, Any]], dict[str, Any]]:  # fmt: skip
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)

    def verify(credential: dict[str, Any]) -> dict[str, Any]:
        path = tmp_path / "vc.json"
        path.write_text(json.dumps(credential))
        code = main(["credential", "verify", str(path), "--json", "--rpc-url", anvil.url])
        out, _ = capsys.readouterr()
        result: dict[str, Any] = json.loads(out)
        assert code == (0 if result["valid"] else 1)
        return result

    return verify


def test_verify__agrees_with_the_cli_on_valid_revoked_tampered_and_foreign(
    gateway: Gateway,
    env: Env,
    anchored: Callable[..., IssuedCredential],
    cli_verify: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    valid = anchored().credential
    revoked_item = anchored()
    env.registry.revoke(env.issuer, revoked_item.hash, b"\x01" * 32)
    tampered = copy.deepcopy(valid)
    tampered["credentialSubject"]["gpa"] = 400
    foreign = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    cases = {"valid": valid, "revoked": revoked_item.credential, "tampered": tampered, "foreign": foreign}
    for name, credential in cases.items():
        response = gateway.post("/credentials/verify", json={"verifiableCredential": credential})
        assert response.status_code == 200, name
        body = response.json()
        cli = cli_verify(credential)
        assert body["verified"] is cli["valid"] is (name == "valid"), name
        assert body["results"] == cli["checks"], name
        assert body["credentialHash"] == cli["credentialHash"], name
        assert body["checks"] == [c["name"] for c in cli["checks"] if c["ok"]], name
        assert body["errors"] == [f"{c['name']}: {c['reason']}" for c in cli["checks"] if not c["ok"]], name


def test_anchor__reads_the_record_by_did_or_address(
    gateway: Gateway, env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    item = anchored()
    by_address = gateway.get(f"/anchors/{env.issuer.address}/0x{item.hash.hex()}").json()
    by_did = gateway.get(f"/anchors/{did_for(env.chain.chain_id, env.issuer.address)}/0x{item.hash.hex()}").json()
    assert by_address == by_did
    assert by_address["validity"] == "VALID" and by_address["revoked"] is False
    unknown = gateway.get(f"/anchors/{env.stranger.address}/0x{item.hash.hex()}").json()
    assert unknown["validity"] != "VALID" and unknown["anchoredAt"] == 0


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize(
    ("kwargs", "status", "kind"),
    [
        ({"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "invalid-json"),
        ({"data": b"\xff\xfe", "headers": {"Content-Type": "application/json"}}, 400, "invalid-json"),
        ({"json": [1, 2]}, 400, "invalid-request"),
        ({"json": {"credential": {}}}, 400, "invalid-request"),
        ({"json": {"verifiableCredential": {}, "options": {"challenge": "x"}}}, 400, "invalid-request"),
        ({"data": b"a=b", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 415,
         "unsupported-media-type"),
    ],
)  # fmt: skip
def test_verify__bad_bodies_are_4xx_problems(gateway: Gateway, kwargs: dict[str, Any], status: int, kind: str) -> None:
    body = _problem(gateway.post("/credentials/verify", **kwargs), status)
    assert body["type"].endswith("/" + kind)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/anchors/0x12/0x" + "00" * 32, 400),
        ("/anchors/0x70997970C51812dc3A010C7d01b50e0d17dc79C8/0x1234", 400),
        ("/anchors/did:ethr:0x5:0x70997970C51812dc3A010C7d01b50e0d17dc79C8/0x" + "00" * 32, 400),
        ("/no/such/route", 404),
    ],
)
def test_reads__bad_paths_are_4xx_problems(gateway: Gateway, path: str, status: int) -> None:
    _problem(gateway.get(path), status)


def test_wrong_method_is_a_405_problem(gateway: Gateway) -> None:
    _problem(gateway.get("/credentials/verify"), 405)


def test_body_over_the_limit_is_413_and_requests_over_the_rate_are_429(deployment: Deployment) -> None:
    with serve(deployment, GatewayConfig(max_body_bytes=1024, rate_per_second=0.01, burst=2)) as small:
        body = _problem(small.post("/credentials/verify", json={"verifiableCredential": {"x": "y" * 2000}}), 413)
        assert body["type"].endswith("/body-too-large")
        assert small.get("/health").status_code == 200
        limited = _problem(small.get("/health"), 429)
        assert limited["detail"].startswith("too many requests")


def test_probes__health_and_ready(gateway: Gateway, chain: Chain) -> None:
    assert gateway.get("/health").json() == {"status": "ok"}
    ready = gateway.get("/ready").json()
    assert ready["status"] == "ready" and ready["chainId"] == chain.chain_id


def test_openapi__documents_exactly_the_routes_served(gateway: Gateway) -> None:
    document = gateway.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    served = {
        ("/health", "get"), ("/ready", "get"), ("/1.0/identifiers/{identifier}", "get"),
        ("/credentials/verify", "post"), ("/anchors/{issuer}/{hash}", "get"), ("/openapi.json", "get"),
        ("/status-lists/{chain}/{registry}/{issuer}/{purpose}", "get"), ("/consents/authorized", "get"),
        ("/consents/{id}", "get"), ("/agreements/{id}", "get"), ("/presentations/verify", "post"),
    }  # fmt: skip
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == served
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op.get("summary") and op.get("responses"), (path, method)


def test_serve__a_taken_port_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port)])
    assert code == 1
    assert (
        capsys.readouterr().err.strip()
        == f"error: port {port} on 127.0.0.1 is already in use: choose another with --port"
    )
