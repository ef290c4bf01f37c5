"""Privacy audit: no personal data on chain — not in calldata, not in logs, not in storage.

A flow through the domain clients (KYC binding of a passport, consent to share the health
record, the hospital's data route to it, TKY payment) is run with known personal data; every
transaction's calldata and every log of every block it produced is then scanned for that data
in UTF-8, hex and ABI-encoded forms. A brute-force test enumerates a million candidate document
numbers with the public parts of the commitment formula and must find no match without the
pepper (and, as a control, must find it with the pepper).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from thekey.chain import Chain
from thekey.commitment import commit, commitment_message, normalise_document
from thekey.consent import ConsentRegistry, DataRoutes, GrantRequest, purpose_id, scope_id
from thekey.consent.routes import RouteRequest, route_digest
from thekey.deploy import Deployment
from thekey.identity import REGISTRAR_ROLE, IdentityBinding
from thekey.token import Token

TKY = 10**18
PASSPORT = "E12345678"
NATIONAL_ID = "110101199003071234"  # an 18-digit national-ID number: an enumerable space
NAME = "Li Wei"
FINGERPRINT = bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90") * 4  # a biometric template
HEALTH_RECORD = b'{"patient":"Li Wei","dob":"1990-03-07","diagnosis":"type 2 diabetes","hba1c":7.9}'
PERSONAL: dict[str, bytes] = {
    "passport": PASSPORT.encode(),
    "national id": NATIONAL_ID.encode(),
    "name": NAME.encode(),
    "biometric": FINGERPRINT,
    "health record": HEALTH_RECORD,
    "diagnosis": b"type 2 diabetes",
    "date of birth": b"1990-03-07",
}


def _forms(value: bytes) -> dict[str, bytes]:
    """The byte patterns a leak would take: raw UTF-8, hex text, ABI string/bytes, keccak/sha256."""
    forms = {
        "utf8": value,
        "hex-text": value.hex().encode(),
        "abi-bytes": encode(["bytes"], [value])[32:],  # length word + padded data
        "keccak": keccak(value),  # an unsalted hash is as good as the value for a known space
        "sha256": hashlib.sha256(value).digest(),
    }
    if len(value) < 32:
        forms["abi-bytes32"] = value.ljust(32, b"\x00")
    return forms


def _blob(chain: Chain, first_block: int) -> list[tuple[str, bytes]]:
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


def test_privacy__a_full_flow_puts_no_personal_data_in_calldata_or_logs(
    chain: Chain, deployment: Deployment, accounts: list[LocalAccount], deployer: LocalAccount
) -> None:
    user, hospital, insurer, registrar = accounts[1], accounts[2], accounts[3], accounts[4]
    start = chain.block_number() + 1
    binding = IdentityBinding.from_deployment(deployment)
    consents = ConsentRegistry.from_deployment(deployment)
    routes = DataRoutes.from_deployment(deployment)
    token = Token.from_deployment(deployment)
    pepper = os.urandom(32)

    # KYC: the registrar binds the user's passport and national ID (as commitments) to the DID
    chain.transact(binding.contract.functions.grantRole(REGISTRAR_ROLE, registrar.address), deployer)
    for doc_type, number in (("PASSPORT", PASSPORT), ("ID_CARD", NATIONAL_ID)):
        binding.bind(registrar, commit(pepper, chain.chain_id, binding.address, doc_type, "CN", number), user.address)
    # the user consents: the insurer may read the health record; the hospital may publish a route
    health = scope_id("health.record")
    consents.grant(user, GrantRequest(user.address, insurer.address, health, purpose_id("insurance-underwriting")))
    consents.grant(user, GrantRequest(user.address, hospital.address, health, purpose_id("data-route")))
    # the hospital publishes a salted digest of the record it holds
    routes.admit(deployer, hospital.address)
    digest = route_digest(HEALTH_RECORD, os.urandom(32))
    routes.publish(hospital, RouteRequest(hospital.address, user.address, health, digest, chain.timestamp()))
    # and the insurer pays in TKY
    token.transfer(deployer, insurer.address, 10 * TKY)
    token.transfer(insurer, hospital.address, 3 * TKY)

    blobs = _blob(chain, start)
    assert len(blobs) >= 10, "the flow produced transactions and logs to scan"
    leaks = [
        f"{what} ({form}) in {where}"
        for what, value in PERSONAL.items()
        for form, pattern in _forms(value).items()
        for where, blob in blobs
        if pattern in blob
    ]
    assert not leaks, leaks
    # the scan can see a leak: the digest it published is found, the raw record is not
    assert any(digest in blob for _, blob in blobs)


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
