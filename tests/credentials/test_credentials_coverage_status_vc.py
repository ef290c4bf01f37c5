"""The credential format helpers a verifier relies on: status-list URIs and entries parse only in
their one form, reserved indexes are never handed out, a bitstring round-trips through its W3C
encoding; a malformed credential is a typed BadInput (or a failed "format" check when verifying a
batch); a tampered proof, a foreign status registry or an issuer DID of another chain fail
verification with the check that names the problem."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from thekey.credentials import IssuedCredential
from thekey.credentials.proof import ProofError, recover_signer
from thekey.credentials.status import (
    ENTRIES_PER_WORD,
    MIN_LIST_BITS,
    allocate,
    bit_at,
    decode_list,
    encode_list,
    list_url,
    parse_list_url,
    status_entries,
    status_pointer,
    words_to_bits,
)
from thekey.credentials.vc import build_credential, view
from thekey.credentials.verify import verify_credentials
from thekey.errors import BadInput

from .conftest import Env

REG = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ISS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
DID = f"did:ethr:0x7a69:{ISS}"


# ---------------------------------------------------------------------------- status lists


def test_allocate__skips_reserved_indexes_and_needs_a_count() -> None:
    assert allocate(ENTRIES_PER_WORD - 1, 3) == [ENTRIES_PER_WORD - 1, ENTRIES_PER_WORD + 1, ENTRIES_PER_WORD + 2]
    with pytest.raises(BadInput, match="at least one"):
        allocate(1, 0)


def test_list_url__round_trips_and_refuses_other_forms() -> None:
    url = list_url(31337, REG.lower(), ISS, "suspension")
    assert parse_list_url(url) == (31337, REG, ISS, "suspension")
    for bad in [
        url.replace("suspension", "fun"),
        url.replace("urn:thekey", "urn:other"),
        url + ":extra",
        url.replace(":31337:", ":x:"),
        url.replace(REG, "0x12"),
    ]:
        with pytest.raises(BadInput, match="not a TheKey status list URI"):
            parse_list_url(bad)


def test_status_entries__reserved_index_refused() -> None:
    with pytest.raises(BadInput, match="status index 0 is reserved"):
        status_entries(31337, REG, ISS, 0)
    with pytest.raises(BadInput, match="is reserved"):
        status_entries(31337, REG, ISS, ENTRIES_PER_WORD)


def test_status_pointer__single_entry_object_and_refusals() -> None:
    revocation, suspension = status_entries(31337, REG, ISS, 5)
    assert status_pointer({"credentialStatus": revocation}).index == 5
    assert status_pointer({"credentialStatus": [revocation, suspension]}).issuer == ISS
    other = status_entries(31337, REG, ISS, 6)[1]
    cases: list[tuple[Any, str]] = [
        (None, "no credentialStatus"),
        ([], "no credentialStatus"),
        ([{"statusListIndex": "5"}], "malformed credentialStatus entry"),
        ([{**revocation, "statusListIndex": "five"}], "malformed credentialStatus entry"),
        ([revocation, other], "entries disagree"),
    ]
    for entries, message in cases:
        with pytest.raises(BadInput, match=message):
            status_pointer({"credentialStatus": entries})


def test_bitstring__round_trips_each_purpose_and_keeps_the_minimum_size() -> None:
    word = (1 << (2 * 3)) | (1 << (2 * 7 + 1))  # entry 3 revoked, entry 7 suspended
    revoked = decode_list(encode_list(words_to_bits([word], "revocation")))
    suspended = decode_list(encode_list(words_to_bits([word], "suspension")))
    assert len(revoked) * 8 == MIN_LIST_BITS
    assert bit_at(revoked, 3) and not bit_at(revoked, 7)
    assert bit_at(suspended, 7) and not bit_at(suspended, 3)
    with pytest.raises(BadInput):  # beyond the list: unknown, never "not revoked"
        bit_at(revoked, MIN_LIST_BITS + 100)


@pytest.mark.parametrize(("encoded", "message"), [("H4sI", "prefix 'u'"), ("uAAAAAAAA", "not a GZIP base64url")])
def test_decode_list__refuses_other_encodings(encoded: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        decode_list(encoded)


# ---------------------------------------------------------------------------- credentials


def _vc(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "issuer": DID,
        "subject": "did:ethr:0x7a69:0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        "credential_type": "UniversityDegreeCredential",
        "claims": {"degree": "BSc"},
        "schema_id": b"\x01" * 32,
        "valid_from": 1_800_000_000,
        "valid_until": None,
        "status": status_entries(31337, REG, ISS, 1),
    }
    return build_credential(**{**args, **overrides})


def test_build_credential__refuses_an_id_claim_and_an_inverted_period() -> None:
    with pytest.raises(BadInput, match="may not contain 'id'"):
        _vc(claims={"id": "x"})
    with pytest.raises(BadInput, match="validUntil is before validFrom"):
        _vc(valid_until=1_700_000_000)
    assert "validUntil" not in _vc() and _vc(valid_until=1_900_000_000)["validUntil"].startswith("2030")


def test_view__issuer_object_schema_list_and_refusals() -> None:
    vc = _vc()
    vc["issuer"] = {"id": DID, "name": "Example University"}
    vc["credentialSchema"] = [vc["credentialSchema"]]
    v = view(vc)
    assert v.issuer.address == ISS and v.schema_id == b"\x01" * 32 and v.valid_until is None
    with pytest.raises(BadInput, match="unknown credentialSchema id"):
        view({**_vc(), "credentialSchema": {"id": "https://example.com/schema"}})
    with pytest.raises(BadInput, match="not a TheKey verifiable credential"):
        view({k: v for k, v in _vc().items() if k != "validFrom"})


def test_proof__missing_or_foreign_proofs_have_no_signer() -> None:
    vc = _vc()
    with pytest.raises(ProofError, match=r"^no proof$"):
        recover_signer(vc)
    vc["proof"] = {
        "type": "Ed25519Signature2020",
        "eip712": {"domain": {"name": "n", "version": "1", "chainId": 1, "verifyingContract": REG}},
    }
    with pytest.raises(ProofError, match=r"^unsupported proof type Ed25519Signature2020$"):
        recover_signer(vc)


def test_verify_batch__malformed_tampered_and_foreign_credentials_fail_by_name(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    good = anchored().credential
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["degree"] = "PhD"
    foreign_registry = copy.deepcopy(good)
    for entry in foreign_registry["credentialStatus"]:
        for key in ("id", "statusListCredential"):
            entry[key] = entry[key].replace(env.registry.address, REG if env.registry.address != REG else ISS)
    unsigned = {k: v for k, v in good.items() if k != "proof"}
    results = verify_credentials(env.registry, [good, {"type": []}, tampered, foreign_registry, unsigned])
    assert results[0].valid
    assert results[1].failed == {"format"} and results[1].credential_hash is None
    assert "signature" in results[2].failed or "anchor" in results[2].failed
    assert not results[3].valid
    assert not results[4].valid and "signature" in results[4].failed
    assert results[4].check("signature") is not None
