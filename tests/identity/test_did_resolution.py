"""DID resolution: our Python documents for owner changes, delegates (veriKey / sigAuth),
attributes (public keys, services), expired and revoked entries and deactivated DIDs — and
the same documents from the real npm ethr-did-resolver run against our registry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_keys import keys

from tests.support.ethr_resolver import npm_resolve, require_npm_resolver
from thekey.chain import Chain
from thekey.identity.did import did_for
from thekey.identity.did_document import DIDResolver, Resolution
from thekey.identity.registry import EIDRegistry

DAY = 86_400
SECP_KEY = bytes.fromhex("02" + "11" * 32)
ED_KEY = bytes(range(32))
X_KEY = bytes(range(100, 132))
HUB = b"https://hub.example.com/.identity/"
MESSAGING = json.dumps({"uri": "https://msg.example.com", "accept": ["didcomm/v2"]}).encode()


def _did(chain: Chain, address: str) -> str:
    return did_for(chain.chain_id, address)


def _history(chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]) -> dict[str, str]:
    """Build the shared history; returns the DIDs by role."""
    alice, new_owner, bob, carol, relayer = accounts[1], accounts[2], accounts[3], accounts[4], accounts[9]
    d1, d2, d3 = accounts[6].address, accounts[7].address, accounts[8].address
    a = alice.address
    # entries that will be expired at resolution time
    registry.add_delegate(alice, a, "veriKey", d3, 10)
    registry.set_attribute(alice, a, "did/svc/Expired", b"https://old.example.com", 10)
    chain.increase_time(100)
    chain.mine()
    registry.add_delegate(alice, a, "veriKey", d1, DAY)
    registry.add_delegate(alice, a, "sigAuth", d2, DAY)
    registry.add_delegate(alice, a, "veriKey", d2, DAY)
    registry.revoke_delegate(alice, a, "veriKey", d2)
    registry.set_attribute(alice, a, "did/pub/Secp256k1/veriKey/hex", SECP_KEY, DAY)
    registry.set_attribute(alice, a, "did/pub/Ed25519/veriKey/base58", ED_KEY, DAY)
    registry.set_attribute(alice, a, "did/pub/X25519/enc/base64", X_KEY, DAY)
    registry.set_attribute(alice, a, "did/svc/HubService", HUB, DAY)
    registry.set_attribute(alice, a, "did/svc/Messaging", MESSAGING, DAY)
    registry.set_attribute(alice, a, "did/svc/Gone", b"https://gone.example.com", DAY)
    registry.revoke_attribute(alice, a, "did/svc/Gone", b"https://gone.example.com")
    registry.change_owner(alice, a, new_owner.address)
    deadline = chain.timestamp() + 3600
    signed = registry.sign(
        new_owner,
        "SetAttribute",
        a,
        deadline,
        name="did/pub/Secp256k1/sigAuth/hex",
        value=bytes.fromhex("03" + "22" * 32),
        validity=DAY,
    )
    registry.relay(relayer, signed)
    # bob: a delegate, then deactivated
    registry.add_delegate(bob, bob.address, "sigAuth", d1, DAY)
    registry.deactivate(bob, bob.address)
    # carol: a public-key DID with no history
    carol_key = keys.PrivateKey(carol.key).public_key.to_compressed_bytes()
    return {
        "alice": _did(chain, a),
        "bob": _did(chain, bob.address),
        "fresh": _did(chain, accounts[5].address),
        "carol_pubkey": f"did:ethr:{hex(chain.chain_id)}:0x{carol_key.hex()}",
    }


@pytest.fixture
def history(chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]) -> dict[str, str]:
    return _history(chain, registry, accounts)


@pytest.fixture
def resolver(chain: Chain, registry: EIDRegistry) -> DIDResolver:
    return DIDResolver(chain, registry.address)


def test_resolve__owner_change_delegates_attributes_and_expiry(
    chain: Chain, resolver: DIDResolver, history: dict[str, str], accounts: list[LocalAccount]
) -> None:
    did = history["alice"]
    doc = resolver.resolve(did).did_document
    assert doc is not None
    methods = {m["id"].split("#")[1]: m for m in doc["verificationMethod"]}
    assert methods["controller"]["blockchainAccountId"] == f"eip155:{chain.chain_id}:{accounts[2].address}"
    accounts_listed = {m.get("blockchainAccountId") for m in doc["verificationMethod"]}
    assert f"eip155:{chain.chain_id}:{accounts[6].address}" in accounts_listed  # veriKey delegate d1
    assert f"eip155:{chain.chain_id}:{accounts[7].address}" in accounts_listed  # sigAuth delegate d2
    assert f"eip155:{chain.chain_id}:{accounts[8].address}" not in accounts_listed  # expired veriKey d3
    sig_auth = next(
        m["id"] for m in doc["verificationMethod"] if m.get("blockchainAccountId", "").endswith(accounts[7].address)
    )
    assert sig_auth in doc["authentication"] and sig_auth in doc["assertionMethod"]
    hexes = {m.get("publicKeyHex") for m in doc["verificationMethod"]}
    assert SECP_KEY.hex() in hexes and "03" + "22" * 32 in hexes
    assert any(m.get("publicKeyBase64") for m in doc["verificationMethod"])
    assert doc["keyAgreement"] and any(m.get("publicKeyBase58") for m in doc["verificationMethod"])
    services = {s["type"]: s["serviceEndpoint"] for s in doc["service"]}
    assert services == {
        "HubService": HUB.decode(),
        "Messaging": json.loads(MESSAGING),
    }  # Expired, Gone excluded
    assert doc["@context"][0] == "https://www.w3.org/ns/did/v1"


def test_resolve__deactivated_did_has_an_empty_document(resolver: DIDResolver, history: dict[str, str]) -> None:
    result = resolver.resolve(history["bob"])
    assert result.deactivated
    assert result.did_document is not None
    assert result.did_document["verificationMethod"] == [] and result.did_document["authentication"] == []
    assert "versionId" in result.did_document_metadata


def test_resolve__fresh_did_has_only_its_controller(
    chain: Chain, resolver: DIDResolver, history: dict[str, str]
) -> None:
    result = resolver.resolve(history["fresh"])
    assert result.did_document_metadata == {}
    assert result.did_document is not None
    assert [m["id"] for m in result.did_document["verificationMethod"]] == [history["fresh"] + "#controller"]
    pub = resolver.resolve(history["carol_pubkey"]).did_document
    assert pub is not None
    assert [m["id"].split("#")[1] for m in pub["verificationMethod"]] == ["controller", "controllerKey"]


def test_resolve__reads_the_history_with_one_get_logs_filtered_on_the_identity(
    chain: Chain, resolver: DIDResolver, history: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    original = chain.rpc

    def spy(method: str, params: list[Any] | None = None) -> Any:
        if method == "eth_getLogs":
            assert params is not None
            calls.append(params[0])
        return original(method, params)

    monkeypatch.setattr(chain, "rpc", spy)
    address = history["alice"].rsplit(":", 1)[1]
    events = resolver.change_log(address)
    assert len(calls) == 1 and calls[0]["fromBlock"] == "0x0"
    assert int(calls[0]["toBlock"], 16) == resolver.changed(address) == events[-1].block_number
    assert calls[0]["topics"][1] == "0x" + "00" * 12 + address[2:].lower()


def test_resolve__unknown_network_and_bad_did(resolver: DIDResolver, history: dict[str, str]) -> None:
    address = history["alice"].rsplit(":", 1)[1]
    assert resolver.resolve(f"did:ethr:0x1:{address}").did_resolution_metadata["error"] == "unknownNetwork"
    assert resolver.resolve("did:ethr:0x7a69:0x1234").did_resolution_metadata["error"] == "invalidDid"
    assert resolver.resolve(f"did:ethr:localhost:{address}").did_document is not None


def test_resolve__matches_the_npm_ethr_did_resolver_field_by_field(
    chain: Chain, anvil: Any, registry: EIDRegistry, resolver: DIDResolver, history: dict[str, str]
) -> None:
    require_npm_resolver()
    now = chain.timestamp()
    dids = list(history.values())
    # a historical version too: alice before her owner change
    alice_events = resolver.change_log(history["alice"].rsplit(":", 1)[1])
    owner_block = next(e.block_number for e in alice_events if e.name == "DIDOwnerChanged")
    dids.append(f"{history['alice']}?versionId={owner_block - 1}")
    theirs = npm_resolve(anvil.url, registry.address, chain.chain_id, now, dids)
    ours: list[Resolution] = [resolver.resolve(d, now=now) for d in dids]
    for did, mine, reference in zip(dids, ours, theirs, strict=True):
        assert mine.as_dict() == reference, did
