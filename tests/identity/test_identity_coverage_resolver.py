"""The DID resolver's less common answers, as ethr-did-resolver gives them: the plain JSON and an
unsupported accept format, malformed DIDs (bad chain id, bad public key), a public-key DID's
controllerKey, attribute encodings (base64, base58, pem, unknown, JSON service endpoints),
attribute names outside the DID spec skipped; and the pure DID parsers."""

from __future__ import annotations

import base64

import pytest
from eth_account.signers.local import LocalAccount
from eth_keys import keys

from thekey.chain import Chain
from thekey.errors import BadInput
from thekey.identity.did import did_for, parse_did, parse_did_or_address
from thekey.identity.did_document import DIDResolver, _base58
from thekey.identity.registry import EIDRegistry


@pytest.fixture
def resolver(chain: Chain, registry: EIDRegistry) -> DIDResolver:
    return DIDResolver(chain, registry.address)


def test_accept__plain_json_has_no_context_and_unknown_format_is_an_error(
    resolver: DIDResolver, accounts: list[LocalAccount], chain: Chain
) -> None:
    did = did_for(chain.chain_id, accounts[12].address)
    plain = resolver.resolve(did, accept="application/did+json")
    assert plain.did_document is not None and "@context" not in plain.did_document
    assert "@context" in (resolver.resolve(did).did_document or {})
    bad = resolver.resolve(did, accept="text/html")
    assert bad.did_document is None and bad.did_resolution_metadata["error"] == "unsupportedFormat"


@pytest.mark.parametrize(
    "did",
    [
        "did:ethr:0xZZ:0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "did:ethr:0x7a69:0x02" + "00" * 32,  # not a point on the curve
        "did:web:example.com",
    ],
)
def test_malformed_dids__resolve_to_invalid_did(resolver: DIDResolver, did: str) -> None:
    result = resolver.resolve(did)
    assert result.did_resolution_metadata["error"] == "invalidDid" and result.did_document is None


def test_public_key_did__lists_the_controller_key(resolver: DIDResolver, accounts: list[LocalAccount]) -> None:
    public = keys.PrivateKey(accounts[12].key).public_key
    did = f"did:ethr:0x7a69:0x{public.to_compressed_bytes().hex()}"
    doc = resolver.resolve(did).did_document
    assert doc is not None
    key = next(m for m in doc["verificationMethod"] if m["id"].endswith("#controllerKey"))
    assert key["publicKeyHex"] == public.to_compressed_bytes().hex()
    assert f"{did}#controllerKey" in doc["authentication"]
    assert parse_did(did).address == accounts[12].address


def test_attribute_encodings_and_services(
    resolver: DIDResolver, registry: EIDRegistry, accounts: list[LocalAccount], chain: Chain
) -> None:
    owner = accounts[12]
    key = bytes(range(1, 34))
    for name, value in [
        ("did/pub/Ed25519/veriKey/base64", key),
        ("did/pub/Ed25519/veriKey/base58", b"\x00" + key),
        ("did/pub/Secp256k1/sigAuth/pem", b"-----BEGIN PUBLIC KEY-----"),
        ("did/pub/Secp256k1/veriKey/pem", b"\xff\xfe"),  # not UTF-8: skipped
        ("did/pub/X25519/enc/raw", key),
        ("did/svc/MessagingService", b'{"uri": "https://m.example", "accept": ["didcomm/v2"]}'),
        ("did/svc/Broken", b"\xff"),  # not UTF-8: skipped
        ("did/svc/Plain", b"NaN"),  # JSON constants are not JSON: kept as text
        ("not/a/did/attribute", b"x"),  # outside the DID spec: skipped
    ]:
        registry.set_attribute(owner, owner.address, name, value, 3600)
    doc = resolver.resolve(did_for(chain.chain_id, owner.address)).did_document
    assert doc is not None
    methods = {m["id"].rsplit("#", 1)[1]: m for m in doc["verificationMethod"]}
    assert methods["delegate-1"]["publicKeyBase64"] == base64.b64encode(key).decode()
    assert methods["delegate-2"]["publicKeyBase58"].startswith("1") and methods["delegate-2"][
        "publicKeyBase58"
    ] == _base58(b"\x00" + key)
    assert methods["delegate-3"]["publicKeyPem"] == "-----BEGIN PUBLIC KEY-----"
    assert "delegate-4" not in methods
    assert methods["delegate-5"]["value"] == key.hex()
    assert doc["keyAgreement"] == [methods["delegate-5"]["id"]]
    assert methods["delegate-3"]["id"] in doc["authentication"]
    services = {s["type"]: s["serviceEndpoint"] for s in doc["service"]}
    assert services["MessagingService"] == {"uri": "https://m.example", "accept": ["didcomm/v2"]}
    assert services["Plain"] == "NaN" and "Broken" not in services


def test_base58__leading_zero_bytes_become_ones() -> None:
    assert _base58(b"\x00\x00\x01") == "112"
    assert _base58(b"") == ""


@pytest.mark.parametrize(
    ("text", "chain_id"),
    [
        ("did:ethr:0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 1),
        ("did:ethr:sepolia:0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 11155111),
        ("did:ethr:0x7a69:0x70997970c51812dc3a010c7d01b50e0d17dc79c8", 31337),
    ],
)
def test_parse_did__networks(text: str, chain_id: int) -> None:
    assert parse_did(text).chain_id == chain_id
    assert parse_did(text).address == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("did:ethr:0xZZ:0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "bad chain id"),
        ("did:ethr:atlantis:0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "unknown network 'atlantis'"),
        ("did:ethr:0x7a69:0x02" + "00" * 32, "not a valid compressed public key"),
    ],
)
def test_parse_did__refusals(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_did(text)


def test_parse_did__custom_network_names() -> None:
    did = parse_did("did:ethr:devnet:0x70997970C51812dc3A010C7d01b50e0d17dc79C8", {"devnet": 4242})
    assert did.chain_id == 4242 and did.network == "devnet"


def test_parse_did_or_address__address_takes_the_given_chain() -> None:
    did = parse_did_or_address(" 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 ", 31337)
    assert str(did) == "did:ethr:0x7a69:0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert parse_did_or_address("did:ethr:0x1:0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 31337).chain_id == 1
    with pytest.raises(BadInput, match="not a DID or an address"):
        parse_did_or_address("bob", 31337)
