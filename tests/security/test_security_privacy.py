"""Privacy audit: no personal data on chain — not in calldata, not in logs.

The real demo (:func:`thekey.workflow.demo.run_demo`: enrolment with KYC binding, the happy path
with consent, escrow, evidence and the hospital's health-record credential, the identity-mismatch
path, the audit) runs with the known resident of the story; every transaction's calldata and every
log of every block it produced is then scanned for that resident's data — the values of
``RESIDENT`` and ``HEALTH_RECORD`` and the biometric template — in UTF-8, hex, ABI-encoded and
unsalted-hash forms. A brute-force test enumerates a million candidate document numbers with the
public parts of the commitment formula and must find no match without the pepper (and, as a
control, must find it with the pepper).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import asdict
from typing import Any

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from thekey.chain import Chain
from thekey.credentials.canonical import canonical_json
from thekey.deploy import Deployment
from thekey.identity.commitment import commit, commitment_message, normalise_document
from thekey.workflow.demo import HEALTH_RECORD, RESIDENT, run_demo
from thekey.workflow.identity_check import capture, synthetic_template

NATIONAL_ID = RESIDENT.document_number  # an 18-digit national-ID number: an enumerable space
MIN_LENGTH = 6  # shorter values ("CN", "A+") occur by chance in any 32-byte hash
PUBLIC = {RESIDENT.document_type}  # a document category, the same for every resident: not personal


def _text_values() -> dict[str, str]:
    """Every personal text value of the story, 6 characters or more."""
    values: dict[str, str] = {f"resident {k}": str(v) for k, v in asdict(RESIDENT).items()}
    for key, value in HEALTH_RECORD.items():
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            values[f"health record {key}[{i}]"] = str(item)
    values["health record (canonical JSON)"] = canonical_json(HEALTH_RECORD).decode()
    return {k: v for k, v in values.items() if len(v) >= MIN_LENGTH and v not in PUBLIC}


def _biometric_values() -> dict[str, bytes]:
    """The enrolled template and the live scan of the demo, as the bytes a leak would carry."""
    template = synthetic_template(RESIDENT.biometric_seed, "fingerprint")
    scan = capture(template, "fingerprint", seed="scan-1").features
    out: dict[str, bytes] = {}
    for name, vector in (("template", template), ("scan", scan)):
        out[f"{name} (float64 BE)"] = struct.pack(f">{len(vector)}d", *vector)
        out[f"{name} (float64 LE)"] = struct.pack(f"<{len(vector)}d", *vector)
        out[f"{name} (float32 BE)"] = struct.pack(f">{len(vector)}f", *vector)
        out[f"{name} (first value as text)"] = repr(vector[0]).encode()
        out[f"{name} (modality-prefixed, as BiometricSample.digest hashes it)"] = (
            b"fingerprint" + out[f"{name} (float64 BE)"]
        )
    return out


def _forms(value: bytes) -> dict[str, bytes]:
    """The byte patterns a leak would take: raw, hex text, ABI string/bytes, keccak/sha256, padded."""
    forms = {
        "utf8": value,
        "hex-text": value.hex().encode(),
        "HEX-text": value.hex().upper().encode(),
        "abi-bytes": encode(["bytes"], [value])[32:],  # length word + padded data
        "keccak": keccak(value),  # an unsalted hash is as good as the value for a known space
        "sha256": hashlib.sha256(value).digest(),
    }
    if len(value) < 32:
        forms["abi-bytes32"] = value.ljust(32, b"\x00")
    if value.isdigit() and len(value) < 78:
        forms["abi-uint256"] = int(value).to_bytes(32, "big")
    # fragments of long values (a record's field, a vector's first values): the first 32 bytes
    if len(value) > 64:
        forms["prefix"] = value[:32]
    return forms


def _needles() -> list[tuple[str, str, bytes]]:
    values = {k: v.encode() for k, v in _text_values().items()} | _biometric_values()
    return [(what, form, pattern) for what, value in values.items() for form, pattern in _forms(value).items()]


def _blobs(chain: Chain, first_block: int) -> list[tuple[str, bytes]]:
    """Every calldata and every log (topics + data) of the blocks since ``first_block``."""
    out: list[tuple[str, bytes]] = []
    for n in range(first_block, chain.block_number() + 1):
        block: dict[str, Any] = chain.rpc("eth_getBlockByNumber", [hex(n), True])
        for tx in block["transactions"]:
            out.append((f"calldata of {tx['hash']}", bytes.fromhex(tx["input"][2:])))
            receipt = chain.rpc("eth_getTransactionReceipt", [tx["hash"]])
            for log in receipt["logs"]:
                raw = b"".join(bytes.fromhex(t[2:]) for t in log["topics"]) + bytes.fromhex(log["data"][2:])
                out.append((f"log of {tx['hash']}", raw))
    return out


def _leaks(needles: list[tuple[str, str, bytes]], blobs: list[tuple[str, bytes]]) -> list[str]:
    """Each needle found in a blob, byte-aligned or shifted by half a byte (hex of the blob)."""
    found = []
    for where, blob in blobs:
        blob_hex = blob.hex().encode()
        for what, form, pattern in needles:
            if pattern in blob or pattern.hex().encode() in blob_hex:
                found.append(f"{what} ({form}) in {where}")
    return found


def test_privacy__the_demo_puts_no_personal_data_in_calldata_or_logs(
    chain: Chain, deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    start = chain.block_number() + 1
    transcript = run_demo(deployment, accounts)
    assert transcript.cases["happy path"] == "settled"
    blobs = _blobs(chain, start)
    assert len(blobs) > 40, "the demo produced transactions and logs to scan"
    needles = _needles()
    assert {what.split(" (")[0] for what, _, _ in needles} >= {
        "resident name", "resident document_number", "resident device_id", "resident biometric_seed",
        "health record conditions[0]", "health record allergies[0]", "health record lastExamination[0]",
        "template", "scan",
    }  # fmt: skip
    assert _leaks(needles, blobs) == []
    # the scan sees what is there: the user's address is in the calldata and logs it scanned
    user = bytes.fromhex(transcript.actors["user"][2:])
    assert any(user in blob for _, blob in blobs)


def test_privacy__the_scanner_finds_each_form_of_a_planted_value() -> None:
    """A self-test of the scan: every form of a personal value hidden in a blob is reported."""
    needles = [n for n in _needles() if n[0] == "resident document_number"]
    assert {form for _, form, _ in needles} >= {"utf8", "hex-text", "abi-bytes", "keccak", "sha256", "abi-uint256"}
    for what, form, pattern in needles:
        blob = os.urandom(45) + pattern + os.urandom(13)
        assert _leaks([(what, form, pattern)], [("planted", blob)]) == [f"{what} ({form}) in planted"]
        shifted = bytes.fromhex("a" + pattern.hex() + "b")  # half a byte off alignment
        assert _leaks([(what, form, pattern)], [("shifted", shifted)]) != []
    assert _leaks(needles, [("clean", os.urandom(4096))]) == []


def test_privacy__a_million_document_numbers_do_not_reveal_a_commitment_without_the_pepper() -> None:
    chain_id, registry = 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    pepper = os.urandom(32)
    target = commit(pepper, chain_id, registry, "ID_CARD", "CN", NATIONAL_ID)
    prefix = commitment_message(chain_id, registry, normalise_document("ID_CARD", "CN", "0"))[:-1]
    base = int(NATIONAL_ID) - 654_321  # the true number is inside the enumerated range
    candidates = [str(base + i).encode() for i in range(1_000_000)]

    # the attacker knows every public part (tag, chain id, registry, type, country): each hash
    # family it can compute without the pepper finds nothing
    plain = hashlib.sha256(prefix)
    empty_key = hmac.new(b"", prefix, hashlib.sha256)
    zero_key = hmac.new(b"\x00" * 32, prefix, hashlib.sha256)
    for state in (plain, empty_key, zero_key):
        hits = 0
        for c in candidates:
            h = state.copy()
            h.update(c)
            hits += h.digest() == target
        assert hits == 0

    # control: with the pepper the same enumeration does find it (the search itself works)
    keyed = hmac.new(pepper, prefix, hashlib.sha256)
    found = []
    for c in candidates:
        h = keyed.copy()
        h.update(c)
        if h.digest() == target:
            found.append(c)
    assert found == [NATIONAL_ID.encode()]
