"""Status lists over real HTTP: each issuer's on-chain list served at the URL its credentials carry,
as a W3C BitstringStatusListCredential signed by the gateway's status key, which the issuer
authorised in its DID (and which has no power on chain); ETag revalidation; 4xx problems."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from tests.credentials.conftest import CLAIMS, DEGREE, YEAR, Env
from tests.gateway.conftest import Gateway, serve
from thekey.chain import Anvil
from thekey.chain.accounts import write_keystore
from thekey.cli.main import main
from thekey.cli.serve import load_status_key
from thekey.credentials import IssuedCredential, anchor_credential, issue_credential
from thekey.credentials.issuance import next_status_indexes
from thekey.credentials.proof import recover_signer
from thekey.credentials.status import bit_at, decode_list, encode_list, list_url, parse_list_url, status_pointer
from thekey.deploy import Deployment
from thekey.errors import BadInput, ContractRevert
from thekey.gateway.app import GatewayConfig
from thekey.gateway.status_lists import KEY_ATTRIBUTE, StatusListConfig, public_key_hex
from thekey.identity.did_document import DIDResolver
from thekey.identity.registry import EIDRegistry

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def status_key(accounts: list[LocalAccount]) -> LocalAccount:
    return accounts[12]


@pytest.fixture(scope="module")
def lists_gateway(deployment: Deployment, status_key: LocalAccount) -> Iterator[Gateway]:
    """A gateway with a status key that re-reads the chain on every request (tests revert it)."""
    status = StatusListConfig(key=status_key, refresh_seconds=0)
    with serve(deployment, GatewayConfig(rate_per_second=10_000, burst=10_000, status=status)) as gw:
        yield gw


def authorise(deployment: Deployment, issuer: LocalAccount, key: LocalAccount) -> None:
    """The issuer publishes the gateway's status key in its DID (an ERC-1056 attribute)."""
    value = bytes.fromhex(public_key_hex(key)[2:])
    EIDRegistry.from_deployment(deployment).set_attribute(issuer, issuer.address, KEY_ATTRIBUTE, value, YEAR)


def issue_at(env: Env, base: str) -> IssuedCredential:
    """A credential whose statusListCredential points at the gateway ``base``, anchored."""
    now = env.chain.timestamp()
    index = next_status_indexes(env.registry, env.issuer.address, 1)[0]
    item = issue_credential(
        env.registry, env.issuer, subject=env.holder_did, credential_type=DEGREE, claims=CLAIMS,
        schema_id=env.schema_id, valid_from=now, valid_until=now + YEAR, status_index=index, status_base=base,
    )  # fmt: skip
    anchor_credential(env.registry, env.issuer, item)
    return item


def fetch(gw: Gateway, url: str, **headers: str) -> Any:
    assert url.startswith(gw.url + "/status-lists/"), url
    return gw.get(url[len(gw.url) :], headers=headers)


def test_status_list__is_the_chains_bits_signed_with_the_authorised_key(
    lists_gateway: Gateway, env: Env, deployment: Deployment, status_key: LocalAccount
) -> None:
    authorise(deployment, env.issuer, status_key)
    live, revoked, suspended = (issue_at(env, lists_gateway.url) for _ in range(3))
    env.registry.revoke(env.issuer, revoked.hash, b"\x01" * 32)
    env.registry.suspend(env.issuer, suspended.hash, b"\x02" * 32)
    entries = {e["statusPurpose"]: e for e in live.credential["credentialStatus"]}
    for purpose, flagged in (("revocation", revoked), ("suspension", suspended)):
        response = fetch(lists_gateway, entries[purpose]["statusListCredential"])
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/vc+ld+json"
        assert response.headers["cache-control"] == "public, max-age=60"
        slc = response.json()
        assert slc["id"] == entries[purpose]["statusListCredential"]
        assert slc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert slc["issuer"] == live.credential["issuer"]
        subject = slc["credentialSubject"]
        assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == purpose
        assert subject["ttl"] == 60_000
        bits = decode_list(subject["encodedList"])
        assert len(bits) * 8 >= 131_072
        marked = [i for i in (live.status_index, revoked.status_index, suspended.status_index) if bit_at(bits, i)]
        assert marked == [flagged.status_index], purpose
        # the proof: EIP-712 by the status key, named as the issuer's assertion method
        assert recover_signer(slc) == status_key.address
        method = slc["proof"]["verificationMethod"]
        document = DIDResolver.from_deployment(deployment).resolve(slc["issuer"]).did_document or {}
        assert method in document["assertionMethod"]
        (vm,) = [m for m in document["verificationMethod"] if m["id"] == method]
        assert "0x" + vm["publicKeyHex"] == public_key_hex(status_key)


def test_status_list__new_credentials_point_at_the_gateway_and_the_sdk_still_reads_the_chain(
    lists_gateway: Gateway, env: Env
) -> None:
    item = issue_at(env, lists_gateway.url + "/")
    pointer = status_pointer(item.credential)
    assert (pointer.chain_id, pointer.registry, pointer.issuer, pointer.index) == (
        env.chain.chain_id, env.registry.address, env.issuer.address, item.status_index,
    )  # fmt: skip
    urls = [e["statusListCredential"] for e in item.credential["credentialStatus"]]
    base = f"{lists_gateway.url}/status-lists/{env.chain.chain_id}/{env.registry.address}/{env.issuer.address}"
    assert urls == [f"{base}/revocation", f"{base}/suspension"]
    response = lists_gateway.post("/credentials/verify", json={"verifiableCredential": item.credential})
    assert response.json()["verified"] is True, response.json()["errors"]


def test_status_list__etag_is_stable_until_the_bits_change_and_a_withdrawn_key_stops_the_list(
    lists_gateway: Gateway, env: Env, deployment: Deployment, status_key: LocalAccount
) -> None:
    authorise(deployment, env.issuer, status_key)
    item = issue_at(env, lists_gateway.url)
    url = item.credential["credentialStatus"][0]["statusListCredential"]
    first = fetch(lists_gateway, url)
    etag = first.headers["etag"]
    again = fetch(lists_gateway, url, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    env.registry.revoke(env.issuer, item.hash, b"\x01" * 32)
    changed = fetch(lists_gateway, url, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert bit_at(decode_list(changed.json()["credentialSubject"]["encodedList"]), item.status_index)
    # the issuer withdraws the key: the gateway stops serving the list at its next read
    value = bytes.fromhex(public_key_hex(status_key)[2:])
    EIDRegistry.from_deployment(deployment).revoke_attribute(env.issuer, env.issuer.address, KEY_ATTRIBUTE, value)
    _problem(fetch(lists_gateway, url), 404, "status-key-not-authorised")


def test_status_list__the_status_key_has_no_power_on_chain(
    env: Env, deployment: Deployment, status_key: LocalAccount
) -> None:
    authorise(deployment, env.issuer, status_key)
    item = env.issue()
    with pytest.raises(ContractRevert, match="CredentialUnauthorisedCaller"):
        env.registry.anchor(status_key, item.hash, env.schema_id, 1, 0, item.status_index, issuer=env.issuer.address)


REG, ISS = "0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_list_url__gateway_urls_round_trip_and_other_forms_are_refused() -> None:
    url = list_url(31337, REG.lower(), ISS, "revocation", "https://status.example/thekey/")
    assert url == f"https://status.example/thekey/status-lists/31337/{REG}/{ISS}/revocation"
    assert parse_list_url(url) == (31337, REG, ISS, "revocation")
    for bad in [
        url.replace("status-lists", "lists"),
        url + "?x=1",
        url + "#frag",
        url.replace("/31337/", "/x/"),
        url.replace("revocation", "expiry"),
        f"https://status.example/status-lists/{REG}/{ISS}/revocation",
        f"ftp://status.example/status-lists/31337/{REG}/{ISS}/revocation",
        f"https://[::1/status-lists/31337/{REG}/{ISS}/revocation",
    ]:
        with pytest.raises(BadInput, match="not a TheKey status list URI"):
            parse_list_url(bad)
    for base in ["status.example", "ftp://status.example", "https://status.example/?q=1", "https://", "http://[::1"]:
        with pytest.raises(BadInput, match="base URL"):
            list_url(31337, REG, ISS, "revocation", base)


def _problem(response: Any, status: int, kind: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + kind)


def test_status_list__refusals_are_4xx_problems(
    lists_gateway: Gateway, env: Env, deployment: Deployment, stranger: LocalAccount
) -> None:
    chain, reg, issuer = env.chain.chain_id, env.registry.address, env.issuer.address
    other_reg = deployment.address("identity")
    cases = [
        (f"/status-lists/{chain}/{reg}/{issuer}/revocation", 404, "status-key-not-authorised"),
        (f"/status-lists/{chain}/{reg}/{stranger.address}/revocation", 404, "unknown-issuer"),
        (f"/status-lists/{chain + 1}/{reg}/{issuer}/revocation", 404, "no-such-list"),
        (f"/status-lists/{chain}/{other_reg}/{issuer}/revocation", 404, "no-such-list"),
        (f"/status-lists/{chain}/{reg}/{issuer}/expiry", 404, "no-such-list"),
        (f"/status-lists/{chain}/{reg}/0x12/revocation", 400, "invalid-request"),
    ]
    for path, status, kind in cases:
        _problem(lists_gateway.get(path), status, kind)


def test_status_list__a_gateway_without_a_status_key_serves_none(gateway: Gateway, env: Env) -> None:
    path = f"/status-lists/{env.chain.chain_id}/{env.registry.address}/{env.issuer.address}/revocation"
    _problem(gateway.get(path), 404, "no-status-key")


# -- interop: @digitalbazaar/vc-bitstring-status-list, list credential verification on ----------

SCRIPT = Path(__file__).parents[1] / "support" / "bitstring_status.mjs"


def reference_check(anvil: Anvil, deployment: Deployment, credentials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``checkStatus`` of the npm reference on each credential, fetching lists over HTTP."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    if not (SCRIPT.parents[2] / "node_modules" / "@digitalbazaar" / "vc-bitstring-status-list").is_dir():
        pytest.skip("@digitalbazaar/vc-bitstring-status-list is not installed (npm ci)")
    config = {"rpcUrl": anvil.url, "registry": deployment.address("identity"), "chainId": deployment.chain.chain_id,
              "credentials": credentials}  # fmt: skip
    out = subprocess.run([shutil.which("node") or "node", str(SCRIPT), json.dumps(config)], capture_output=True,
                         text=True, timeout=120, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr
    result: list[dict[str, Any]] = json.loads(out.stdout)
    return result


@contextmanager
def serving_bytes(body: bytes) -> Iterator[str]:
    """A plain HTTP server answering every GET with ``body`` (a list credential someone altered)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/vc+ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_interop__the_reference_checks_live_revoked_and_suspended_through_our_urls(
    lists_gateway: Gateway, env: Env, anvil: Anvil, deployment: Deployment, status_key: LocalAccount
) -> None:
    authorise(deployment, env.issuer, status_key)
    live, revoked, suspended = (issue_at(env, lists_gateway.url) for _ in range(3))
    env.registry.revoke(env.issuer, revoked.hash, b"\x01" * 32)
    env.registry.suspend(env.issuer, suspended.hash, b"\x02" * 32)
    results = reference_check(anvil, deployment, [live.credential, revoked.credential, suspended.credential])
    assert [r["error"] for r in results] == [None, None, None], results
    assert [r["verified"] for r in results] == [True, True, True]
    assert [r["statuses"] for r in results] == [
        {"revocation": False, "suspension": False},
        {"revocation": True, "suspension": False},
        {"revocation": False, "suspension": True},
    ]


def _pointing_at(credential: dict[str, Any], url: str) -> dict[str, Any]:
    """``credential`` with only its revocation entry, pointing at ``url``."""
    out = copy.deepcopy(credential)
    (entry,) = [e for e in out["credentialStatus"] if e["statusPurpose"] == "revocation"]
    out["credentialStatus"] = [{**entry, "statusListCredential": url}]
    return out


def test_interop__the_reference_refuses_an_altered_list_and_a_withdrawn_key(
    lists_gateway: Gateway, env: Env, anvil: Anvil, deployment: Deployment, status_key: LocalAccount
) -> None:
    authorise(deployment, env.issuer, status_key)
    item = issue_at(env, lists_gateway.url)
    env.registry.revoke(env.issuer, item.hash, b"\x01" * 32)
    honest = fetch(lists_gateway, item.credential["credentialStatus"][0]["statusListCredential"])
    altered = honest.json()
    altered["credentialSubject"]["encodedList"] = encode_list(bytes(131_072 // 8))  # "nothing is revoked"
    with serving_bytes(json.dumps(altered).encode()) as forger, serving_bytes(honest.content) as replay:
        before = reference_check(
            anvil, deployment, [_pointing_at(item.credential, u + "/list") for u in (replay, forger)]
        )
        # the issuer withdraws the key: a copy signed before no longer verifies anywhere
        EIDRegistry.from_deployment(deployment).revoke_attribute(
            env.issuer, env.issuer.address, KEY_ATTRIBUTE, bytes.fromhex(public_key_hex(status_key)[2:])
        )
        (after,) = reference_check(anvil, deployment, [_pointing_at(item.credential, replay + "/list")])
    assert before[0]["verified"] is True and before[0]["statuses"] == {"revocation": True}, before
    assert before[1]["verified"] is False and after["verified"] is False, (before, after)
    assert '"BitstringStatusListCredential" not verified' in before[1]["error"]
    assert '"BitstringStatusListCredential" not verified' in after["error"]


def test_status_list__a_clients_host_header_does_not_name_the_list(
    lists_gateway: Gateway, env: Env, deployment: Deployment, status_key: LocalAccount
) -> None:
    authorise(deployment, env.issuer, status_key)
    path = f"/status-lists/{env.chain.chain_id}/{env.registry.address}/{env.issuer.address}/revocation"
    slc = lists_gateway.get(path, headers={"Host": "evil.example"}).json()
    assert slc["id"] == lists_gateway.url + path


def test_status_list__ids_use_the_configured_public_url(
    deployment: Deployment, env: Env, status_key: LocalAccount
) -> None:
    authorise(deployment, env.issuer, status_key)
    status = StatusListConfig(key=status_key, refresh_seconds=0)
    config = GatewayConfig(public_url="https://status.example/thekey/", status=status)
    path = f"/status-lists/{env.chain.chain_id}/{env.registry.address}/{env.issuer.address}/suspension"
    with serve(deployment, config) as gw:
        slc = gw.get(path).json()
    assert slc["id"] == "https://status.example/thekey" + path
    assert slc["credentialSubject"]["id"] == slc["id"] + "#list"


@pytest.mark.parametrize("url", ["ftp://status.example", "http://status.example/[/b]?q"])
def test_serve__a_bad_public_url_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], url: str) -> None:
    assert main(["serve", "--public-url", url]) == 2  # bad input
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: a status list base URL is an http(s) URL") and url in err and "\n" not in err


def test_serve__the_status_key_comes_from_a_keystore_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, status_key: LocalAccount
) -> None:
    monkeypatch.delenv("THEKEY_STATUS_KEY", raising=False)
    assert load_status_key(None) is None
    monkeypatch.setenv("THEKEY_STATUS_KEY", "0x" + bytes(status_key.key).hex())
    assert load_status_key(None).address == status_key.address  # type: ignore[union-attr]
    path = write_keystore(status_key, tmp_path / "status-key.json", "pw")
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", "pw")
    monkeypatch.delenv("THEKEY_STATUS_KEY")
    assert load_status_key(path).address == status_key.address  # type: ignore[union-attr]
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", "wrong")
    with pytest.raises(BadInput, match="wrong password"):
        load_status_key(path)
