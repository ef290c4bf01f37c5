"""VC 2.0 documents: RFC 8785 + keccak-256 golden vectors, status export (the proof: test_credentials_proof)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from thekey.credentials.canonical import canonical_json, credential_hash
from thekey.credentials.status import (
    allocate,
    bit_at,
    decode_list,
    encode_list,
    status_list_credential,
    status_pointer,
    words_to_bits,
)
from thekey.errors import BadInput

VECTORS = json.loads((Path(__file__).parent / "canonical_vectors.json").read_text())
RFC8785_EXAMPLE = r"""{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
 "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}"""


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_canonical_hash__golden_vectors(vector: dict[str, Any]) -> None:
    assert canonical_json(vector["input"]).decode() == vector["canonical"]
    assert "0x" + credential_hash(vector["input"]).hex() == vector["keccak256"]


def test_canonical_json__rfc8785_section_3_2_2_example() -> None:
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(json.loads(RFC8785_EXAMPLE)).decode() == expected


def test_canonical_hash__any_single_change_changes_the_hash_but_not_key_order_or_proof() -> None:
    vc = VECTORS[2]["input"]
    h = credential_hash(vc)
    reordered = dict(reversed(list(vc.items())))
    assert credential_hash(reordered) == h
    assert credential_hash({**vc, "proof": {"anything": 1}}) == h
    for path, value in (
        (("credentialSubject", "gpa"), 3.8),
        (("credentialSubject", "degree"), "BSc"),
        (("issuer",), "did:ethr:0x7a69:0x0000000000000000000000000000000000000001"),
        (("validUntil",), "2030-01-01T00:00:00Z"),
        (("credentialSchema", "id"), "urn:x"),
        (("credentialStatus", 0, "statusListIndex"), "2"),
    ):
        changed = copy.deepcopy(vc)
        target = changed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert credential_hash(changed) != h, path


def test_canonical_json__rejects_non_json() -> None:
    with pytest.raises(BadInput):
        canonical_json({"x": float("nan")})


def test_status__allocation_skips_reserved_and_pointer_round_trips() -> None:
    assert allocate(126, 4) == [126, 127, 129, 130]
    vc = VECTORS[2]["input"]
    p = status_pointer(vc)
    assert (p.chain_id, p.index, p.issuer) == (31337, 1, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")


def test_status__bitstring_status_list_credential_export() -> None:
    # word 0: entry 0 reserved (sentinel), entry 1 revoked, entry 2 suspended; word 1: entry 5 revoked
    words = [1 | (1 << 2) | (1 << 5), 1 | (1 << 10)]
    rev = words_to_bits(words, "revocation")
    assert len(rev) * 8 == 131_072
    assert [i for i in range(256) if bit_at(rev, i)] == [1, 133]
    sus = words_to_bits(words, "suspension")
    assert [i for i in range(256) if bit_at(sus, i)] == [2]
    vc = status_list_credential(
        31337,
        "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "revocation",
        words,
        "2026-01-01T00:00:00Z",
    )
    subject = vc["credentialSubject"]
    assert vc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u") and "=" not in subject["encodedList"]
    assert decode_list(subject["encodedList"]) == bytes(rev)
    assert decode_list(encode_list(b"\x80")) == b"\x80"


@pytest.mark.parametrize("encoded", ["u!!!!", "u", "u" + "A" * 8, "uH4sI"])
def test_status_list__garbage_is_an_error_not_an_empty_list(encoded: str) -> None:
    with pytest.raises(BadInput):
        decode_list(encoded)


def test_status_list__an_index_outside_the_list_is_an_error() -> None:
    bits = decode_list(encode_list(b"\x80"))
    assert bit_at(bits, 0) and not bit_at(bits, 7)
    with pytest.raises(BadInput):
        bit_at(bits, 8)
