"""EthereumEip712Signature2021: the spec's types generation, the direct encoder against
eth-account's ``encode_typed_data``, signing, recovery, and tampering with any signed member."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from thekey.credentials.proof import (
    PROOF_TYPE,
    ProofError,
    generate_types,
    recover_signer,
    sign,
    signing_message,
    typed_data_digest,
)
from thekey.credentials.vc import sign_credential
from thekey.hashing import keccak

VECTOR = json.loads((Path(__file__).parent / "canonical_vectors.json").read_text())[2]["input"]
ISSUER = Account.from_key("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")  # anvil #1
PROOF_OPTIONS = {"verificationMethod": "did:fake#controller", "created": "date: fake",
                 "proofPurpose": "assertionMethod", "type": PROOF_TYPE}  # fmt: skip


def _credential() -> dict[str, Any]:
    """The golden vector (issuer = anvil #1) with an integer gpa (EIP-712 has no fractions)."""
    vc = copy.deepcopy(VECTOR)
    vc["credentialSubject"]["gpa"] = 370
    return vc


def _signed() -> dict[str, Any]:
    return sign_credential(_credential(), ISSUER, 31337, 1790000000)


def _eth_account_digest(types: Any, primary: str, domain: Any, message: Any) -> bytes:
    msg = encode_typed_data(full_message={"types": types, "primaryType": primary, "domain": domain, "message": message})
    return keccak(b"\x19" + msg.version + msg.header + msg.body)


# -- types generation: the examples of eip-712-types-generation (Veramo's generator) -------------


def test_types__the_spec_example() -> None:
    doc = {
        "@context": ["https://schema.org", "https://w3id.org/security/v2"],
        "@type": "Person",
        "name": {"first": "Jane", "last": "Doe"},
        "otherData": {"jobTitle": "Professor", "school": "University of ExampleLand"},
        "telephone": "(425) 123-4567",
        "email": "jane.doe@example.com",
        "proof": PROOF_OPTIONS,
    }
    s = "string"
    expected = {
        "EIP712Domain": [{"name": "name", "type": s}, {"name": "version", "type": s},
                         {"name": "chainId", "type": "uint256"}],
        "Name": [{"name": "first", "type": s}, {"name": "last", "type": s}],
        "OtherData": [{"name": "jobTitle", "type": s}, {"name": "school", "type": s}],
        "Proof": [{"name": "created", "type": s}, {"name": "proofPurpose", "type": s}, {"name": "type", "type": s},
                  {"name": "verificationMethod", "type": s}],
        "Document": [{"name": "@context", "type": "string[]"}, {"name": "@type", "type": s},
                     {"name": "email", "type": s}, {"name": "name", "type": "Name"},
                     {"name": "otherData", "type": "OtherData"}, {"name": "proof", "type": "Proof"},
                     {"name": "telephone", "type": s}],
    }  # fmt: skip
    types = generate_types(doc, "Document")
    assert types == expected and list(types) == list(expected)  # EIP712Domain first, then as Veramo inserts


def test_types__social_media_profile_linkage_example_and_json_kinds() -> None:
    doc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", "SocialMediaProfileLinkage"],
        "issuer": "did:fake",
        "issuanceDate": "date: fake",
        "credentialSubject": {"socialMediaProfileUrl": "profile fake", "id": "did:fake", "ok": True, "n": 7},
        "credentialSchema": {"id": "https://example.com/schema.json", "type": "JsonSchemaValidator2018"},
        "proof": PROOF_OPTIONS,
    }
    types = generate_types(doc)
    assert [f["name"] for f in types["VerifiableCredential"]] == [
        "@context", "credentialSchema", "credentialSubject", "issuanceDate", "issuer", "proof", "type"
    ]  # fmt: skip
    assert types["CredentialSubject"] == [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "uint256"},
        {"name": "ok", "type": "bool"},
        {"name": "socialMediaProfileUrl", "type": "string"},
    ]


def test_types__struct_arrays_and_deep_nesting() -> None:
    types = generate_types(_signed() | {"proof": PROOF_OPTIONS})
    fields = dict((f["name"], f["type"]) for f in types["VerifiableCredential"])
    assert fields["credentialStatus"] == "CredentialStatus[]" and fields["@context"] == "string[]"
    nested = generate_types({"a": {"b": {"c": ["x"]}}, "proof": PROOF_OPTIONS})
    assert nested["B"] == [{"name": "c", "type": "string[]"}] and nested["A"] == [{"name": "b", "type": "B"}]


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"gpa": 3.7}, "credentialSubject.gpa: EIP-712 has no type for the value 3.7"),
        ({"debt": -1}, "credentialSubject.debt: EIP-712 has no type for the value -1"),
        ({"middle": None}, "credentialSubject.middle: EIP-712 has no type for null"),
        ({"tags": []}, "credentialSubject.tags: EIP-712 has no type for an empty array"),
        ({"tags": ["a", 1]}, "credentialSubject.tags: an EIP-712 array holds one type"),
        ({"jobs": [{"a": "x"}, {"b": "y"}]}, "credentialSubject.jobs: an EIP-712 array holds one struct type"),
        ({"proof": {"x": "y"}}, "another object of a different shape is also EIP-712 type Proof"),
        ({"bad-name": {"x": "y"}}, "cannot name an EIP-712 struct type"),
    ],
)
def test_types__untypeable_values_are_refused_with_their_path(claims: dict[str, Any], message: str) -> None:
    vc = _credential()
    vc["credentialSubject"].update(claims)
    with pytest.raises(ProofError, match=message.replace("[", r"\[").replace(".", r"\.")):
        sign_credential(vc, ISSUER, 31337, 0)


# -- the encoder against eth-account ----------------------------------------------------------

_text = st.text(max_size=12)
_key = st.text(alphabet="abcdefgh", min_size=1, max_size=6)
_leaf = st.one_of(_text, st.booleans(), st.integers(min_value=0, max_value=2**256 - 1))
_array = st.one_of(st.lists(_text, min_size=1, max_size=3), st.lists(st.booleans(), min_size=1, max_size=3),
                   st.lists(st.integers(0, 2**64), min_size=1, max_size=3))  # fmt: skip


@st.composite
def _documents(draw: st.DrawFn) -> dict[str, Any]:
    """Documents with nested objects (each member name used once, so struct names never clash),
    arrays of strings/booleans/integers and arrays of same-shaped objects."""
    used: set[str] = {"proof"}

    def obj(depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in draw(st.lists(_key, min_size=1, max_size=4, unique=True)):
            if name in used:
                continue
            used.add(name)
            kind = draw(st.integers(0, 3 if depth < 2 else 1))
            if kind == 0:
                out[name] = draw(_leaf)
            elif kind == 1:
                out[name] = draw(_array)
            elif kind == 2:
                out[name] = obj(depth + 1)
            else:
                one = obj(depth + 1)
                out[name] = [one, copy.deepcopy(one)] if one else draw(_leaf)
        return out

    return {**obj(0), "proof": dict(PROOF_OPTIONS)}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(doc=_documents(), chain_id=st.integers(1, 2**64))
def test_digest__equals_eth_account_encode_typed_data(doc: dict[str, Any], chain_id: int) -> None:
    types = generate_types(doc)
    domain = {"name": "VerifiableCredential", "version": "1", "chainId": chain_id}
    ours = typed_data_digest(types, "VerifiableCredential", domain, doc)
    assert ours == _eth_account_digest(types, "VerifiableCredential", domain, doc)


def test_digest__equals_eth_account_for_a_signed_credential_and_a_contract_domain() -> None:
    signed = _signed()
    e = signed["proof"]["eip712"]
    message = signing_message(signed)
    assert typed_data_digest(e["types"], e["primaryType"], e["domain"], message) == _eth_account_digest(
        e["types"], e["primaryType"], e["domain"], message
    )
    types = {
        **e["types"],
        "EIP712Domain": [*e["types"]["EIP712Domain"], {"name": "verifyingContract", "type": "address"}],
    }
    domain = {**e["domain"], "verifyingContract": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}
    assert typed_data_digest(types, e["primaryType"], domain, message) == _eth_account_digest(
        types, e["primaryType"], domain, message
    )


# -- signing and recovery ---------------------------------------------------------------------


def test_proof__shape_and_recovery_by_eth_account() -> None:
    signed = _signed()
    proof = signed["proof"]
    assert proof["type"] == PROOF_TYPE and proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == f"did:ethr:0x7a69:{ISSUER.address}#controller"
    assert proof["eip712"]["domain"] == {"name": "VerifiableCredential", "version": "1", "chainId": 31337}
    assert proof["eip712"]["primaryType"] == "VerifiableCredential"
    assert next(iter(proof["eip712"]["types"])) == "EIP712Domain"
    assert recover_signer(signed) == ISSUER.address
    # an outside verifier: the message is the credential with proof minus proofValue and eip712
    e = proof["eip712"]
    message = {**{k: v for k, v in signed.items() if k != "proof"},
               "proof": {k: v for k, v in proof.items() if k not in ("proofValue", "eip712")}}  # fmt: skip
    full = {"types": e["types"], "primaryType": e["primaryType"], "domain": e["domain"], "message": message}
    assert (
        Account.recover_message(encode_typed_data(full_message=full), signature=proof["proofValue"]) == ISSUER.address
    )


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(doc)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "gpa"), 400),
        (("credentialSubject", "degree"), "BSc"),
        (("credentialSubject", "year"), _DELETE),
        (("validFrom",), "2020-01-01T00:00:00Z"),
        (("validUntil",), "2099-01-01T00:00:00Z"),
        (("issuer",), "did:ethr:0x7a69:0x0000000000000000000000000000000000000001"),
        (("@context",), ["https://www.w3.org/ns/credentials/v2", "https://example.com"]),
        (("type", 1), "OtherCredential"),
        (("credentialStatus", 0, "statusListIndex"), "2"),
        (("credentialSchema", "id"), "urn:x"),
        (("proof", "created"), "2030-01-01T00:00:00Z"),
        (("proof", "proofPurpose"), "authentication"),
        (("proof", "verificationMethod"), "did:ethr:0x7a69:0x0000000000000000000000000000000000000001#controller"),
        (("proof", "eip712", "domain", "name"), "Other"),
        (("proof", "eip712", "domain", "version"), "2"),
        (("proof", "eip712", "domain", "chainId"), 1),
        (("proof", "eip712", "types", "Proof", 0, "type"), "bytes32"),
        (("proof", "eip712", "primaryType"), "CredentialSchema"),
    ],
    ids=lambda v: ".".join(map(str, v)) if isinstance(v, tuple) else None,
)
def test_proof__any_change_to_a_signed_member_fails(path: tuple[Any, ...], value: Any) -> None:
    tampered = _set(_signed(), path, value)
    with contextlib.suppress(ProofError):  # refused outright, or recovers someone else
        assert recover_signer(tampered) != ISSUER.address


def test_proof__a_member_the_types_do_not_cover_is_refused() -> None:
    signed = _signed()
    for added in (
        _set(signed, ("evidence",), "x"),
        _set(signed, ("credentialSubject", "extra"), "x"),
        _set(signed, ("proof", "challenge"), "x"),
        _set(signed, ("proof", "eip712", "domain", "salt"), "0x" + "00" * 32),
    ):
        with pytest.raises(ProofError, match="does not cover the member"):
            recover_signer(added)


@pytest.mark.parametrize("kind", ["JwtProof2020", "DataIntegrityProof", "Ed25519Signature2020", None])
def test_proof__foreign_proof_types_are_named(kind: str | None) -> None:
    vc = {**_credential(), "proof": {"type": kind, "jwt": "x.y.z"}}
    with pytest.raises(ProofError, match=f"^unsupported proof type {kind}$"):
        recover_signer(vc)


@pytest.mark.parametrize(
    ("proof_value", "message"),
    [(None, "no proofValue"), ("0x1234", "not a 65-byte"), ("zz", "not hex")],
)
def test_proof__malformed_signatures_are_one_line_reasons(proof_value: Any, message: str) -> None:
    with pytest.raises(ProofError, match=message):
        recover_signer(_set(_signed(), ("proof", "proofValue"), proof_value))


def test_proof__sign_takes_any_options_and_replaces_an_old_proof() -> None:
    again = sign(_signed(), bytes(ISSUER.key), {"created": "x", "proofPurpose": "assertionMethod",
                                                "verificationMethod": "did:x#k"}, 31337)  # fmt: skip
    assert recover_signer(again) == ISSUER.address and again["proof"]["created"] == "x"
