"""Credentials: register a schema, anchor one credential, revoke it, anchor one by an issuer's
signature relayed by anyone, and anchor batches of N = 1, 16, 256, 1024 under one Merkle root —
against EAS 1.9.0: SchemaRegistry.register, attest, revoke, attestByDelegation and multiAttest
(per attestation at the same N).

The same credential hash is anchored on both sides: ours with its schema, validity window and
status entry; EAS with ``data = abi.encode(credentialHash)``, the window's end as
``expirationTime``, revocable, the holder as recipient. Steady state on both sides: the issuer
(attester) has anchored (attested) before and, for the relayed rows, has used its first nonce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract

from benchmarks.floors import Floor, LogShape, event_topic, shapes_of
from benchmarks.harness import Bench, Tx, row
from benchmarks.model import GasRow, Target
from thekey.eip712 import Domain, sign_typed_data, split_signature, typed_data

SECTION = "Credentials"
EAS = "EAS 1.9.0"
YEAR = 365 * 86_400
ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x" + "00" * 20
CREDENTIAL_TYPE = "UniversityDegreeCredential"
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "University degree",
    "type": "object",
    "properties": {"degree": {"type": "string"}, "gpa": {"type": "number"}, "year": {"type": "integer"}},
    "required": ["degree"],
}
EAS_SCHEMA = "string degree,uint16 gpa,uint16 year"
EAS_ATTEST_TYPES = {
    "Attest": [
        ("attester", "address"), ("schema", "bytes32"), ("recipient", "address"), ("expirationTime", "uint64"),
        ("revocable", "bool"), ("refUID", "bytes32"), ("data", "bytes"), ("value", "uint256"),
        ("nonce", "uint256"), ("deadline", "uint64"),
    ]
}  # fmt: skip
ANCHORED = event_topic("CredentialAnchored(bytes32,address,bytes32,uint64)")
BATCH_ANCHORED = event_topic("BatchAnchored(bytes32,address,bytes32,uint64,uint32)")
STATUS_CHANGED = event_topic("CredentialStatusChanged(bytes32,address,uint8,bytes32)")
SCHEMA_REGISTERED = event_topic("SchemaRegistered(bytes32,address,bytes32,bytes32,uint32,bytes)")
BATCH_TARGET_N = 256
REASON = keccak(text="bench:revoked")


def _logs(tx: Tx, topic: bytes) -> tuple[LogShape, ...]:
    return shapes_of(tx.receipt.raw, topic)[:1]


@dataclass
class EasSide:
    """Drives the EAS reference with the same inputs."""

    bench: Bench
    eas: Contract
    registry: Contract
    attester: LocalAccount
    recipient: str
    schema: bytes = ZERO32

    def register(self, schema: str) -> Tx:
        tx = self.bench.send(self.registry.functions.register(schema, ZERO_ADDRESS, True), self.attester)
        self.schema = bytes(self.registry.events.Registered().process_receipt(tx.receipt.raw)[0]["args"]["uid"])
        return tx

    def data(self, credential_hash: bytes, expiration: int) -> tuple[Any, ...]:
        return (self.recipient, expiration, True, ZERO32, abi_encode(["bytes32"], [credential_hash]), 0)

    def attest(self, credential_hash: bytes, expiration: int) -> Tx:
        return self.bench.send(self.eas.functions.attest((self.schema, self.data(credential_hash, expiration))),
                               self.attester)  # fmt: skip

    def uid_of(self, tx: Tx) -> bytes:
        return bytes(self.eas.events.Attested().process_receipt(tx.receipt.raw)[0]["args"]["uid"])

    def revoke(self, uid: bytes) -> Tx:
        return self.bench.send(self.eas.functions.revoke((self.schema, (uid, 0))), self.attester)

    def attest_by_delegation(self, credential_hash: bytes, expiration: int, relayer: LocalAccount) -> Tx:
        chain = self.bench.chain
        nonce = int(self.eas.functions.getNonce(self.attester.address).call())
        deadline = chain.timestamp() + 3_600
        data = self.data(credential_hash, expiration)
        message = {"attester": self.attester.address, "schema": self.schema, "recipient": data[0],
                   "expirationTime": data[1], "revocable": data[2], "refUID": data[3], "data": data[4],
                   "value": data[5], "nonce": nonce, "deadline": deadline}  # fmt: skip
        domain = Domain("EAS", "1.4.0", chain.chain_id, self.eas.address)
        v, r, s = split_signature(sign_typed_data(self.attester, typed_data(domain, "Attest", EAS_ATTEST_TYPES,
                                                                            message)))  # fmt: skip
        request = (self.schema, data, (v, r, s), self.attester.address, deadline)
        return self.bench.send(self.eas.functions.attestByDelegation(request), relayer)

    def multi_attest(self, hashes: list[bytes], expiration: int) -> Tx:
        request = (self.schema, [self.data(h, expiration) for h in hashes])
        return self.bench.send(self.eas.functions.multiAttest([request]), self.attester)


def _hashes(tag: str, n: int) -> list[bytes]:
    return [keccak(text=f"bench:{tag}:{i}") for i in range(n)]


def run(bench: Bench) -> list[GasRow]:
    from thekey.credentials import CredentialRegistry
    from thekey.credentials.issuance import next_status_indexes
    from thekey.credentials.merkle import StandardMerkleTree
    from thekey.credentials.vc import type_hash

    registry = CredentialRegistry.from_deployment(bench.require_deployment("credentials"))
    issuer, relayer, holder = (bench.fresh_account() for _ in range(3))
    registry.add_issuer(bench.deployer, issuer.address, keccak(text="Bench University"), [type_hash(CREDENTIAL_TYPE)])
    eas = EasSide(bench, bench.references.eas, bench.references.schema_registry, issuer, holder.address)
    rows: list[GasRow] = []

    schema_id, receipt = registry.register_schema(issuer, SCHEMA, type_hash(CREDENTIAL_TYPE), 1)
    ours = bench.measured(receipt)
    rows.append(row(SECTION, "register schema", ours, reference_name=f"{EAS} SchemaRegistry.register",
                    reference=eas.register(EAS_SCHEMA), floor=Floor(new=1, logs=_logs(ours, SCHEMA_REGISTERED)),
                    note="ours publishes a JSON Schema in an event; EAS stores an ABI schema string"))  # fmt: skip

    now = bench.chain.timestamp()
    valid_from, valid_until = now, now + YEAR

    def indexes(n: int) -> list[int]:
        return next_status_indexes(registry, issuer.address, n)

    # warm-up: the issuer's (attester's) first anchor (attestation)
    warm = keccak(text="bench:warm-up")
    registry.anchor(issuer, warm, schema_id, valid_from, valid_until, indexes(1)[0])
    eas.attest(warm, valid_until)

    single = keccak(text="bench:single")
    ours = bench.measured(registry.anchor(issuer, single, schema_id, valid_from, valid_until, indexes(1)[0]))
    theirs = eas.attest(single, valid_until)
    rows.append(row(SECTION, "anchor (single)", ours, reference_name=f"{EAS} attest", reference=theirs,
                    floor=Floor(new=1, logs=_logs(ours, ANCHORED), authority_reads=1),
                    targets=(Target("reference", 0.30), Target("floor", 1.20))))  # fmt: skip

    ours = bench.measured(registry.revoke(issuer, single, REASON))
    rows.append(row(SECTION, "revoke", ours, reference_name=f"{EAS} revoke", reference=eas.revoke(eas.uid_of(theirs)),
                    floor=Floor(updates=1, logs=_logs(ours, STATUS_CHANGED), authority_reads=1),
                    targets=(Target("reference", 0.60),)))  # fmt: skip

    for label in ("first signature", "repeat"):
        h = keccak(text=f"bench:relayed:{label}")
        deadline = bench.chain.timestamp() + 3_600
        signed = registry.sign_anchor(issuer, h, schema_id, valid_from, valid_until, indexes(1)[0], deadline)
        ours = bench.measured(registry.relay_anchor(relayer, signed))
        theirs = eas.attest_by_delegation(h, valid_until, relayer)
        nonce = {"new": 2} if label == "first signature" else {"new": 1, "updates": 1}
        rows.append(row(SECTION, f"anchor by signature, relayed ({label})", ours,
                        reference_name=f"{EAS} attestByDelegation", reference=theirs,
                        floor=Floor(**nonce, logs=_logs(ours, ANCHORED), authority_reads=1)))  # fmt: skip

    for n in bench.sizes.batch_ns:
        hashes = _hashes(f"batch{n}", n)
        idx = indexes(n)
        tree = StandardMerkleTree.of(list(zip(hashes, idx, strict=True)), ("bytes32", "uint256"))
        ours = bench.measured(registry.anchor_batch(issuer, tree.root, schema_id, valid_from, valid_until, idx[0],
                                                    idx[-1] - idx[0] + 1))  # fmt: skip
        theirs = eas.multi_attest(hashes, valid_until)
        floor = Floor(new=1, logs=_logs(ours, BATCH_ANCHORED), authority_reads=1)
        targets = (Target("reference", 0.01),) if n == BATCH_TARGET_N else ()
        rows.append(_per(row(SECTION, f"batch anchor, N = {n} (per credential)", ours,
                             reference_name=f"{EAS} multiAttest (per attestation)", reference=theirs,
                             floor=floor, targets=targets), n))  # fmt: skip
    return rows


def _per(r: GasRow, n: int) -> GasRow:
    """Express a batch row per credential."""
    r.per = n
    r.ours = None if r.ours is None else round(r.ours / n)
    r.reference = None if r.reference is None else round(r.reference / n)
    r.floor = None if r.floor is None else round(r.floor / n)
    return r
