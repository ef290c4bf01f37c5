"""Issuing credentials: build, sign, allocate status entries, anchor singly or as a batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.credentials.anchoring import BATCH_LEAF_ENCODING, CredentialRegistry
from thekey.credentials.canonical import credential_hash
from thekey.credentials.merkle import StandardMerkleTree
from thekey.credentials.proof import UNSIGNED_PROOF_MEMBERS, proof_parameters, sign
from thekey.credentials.status import allocate, status_entries, status_pointer
from thekey.credentials.store import CredentialStore
from thekey.credentials.vc import build_credential, sign_credential, view
from thekey.errors import BadInput
from thekey.identity.did import did_for
from thekey.ids import HexFields

BATCH_EVIDENCE_TYPE = "TheKeyMerkleBatchAnchor"


@dataclass(frozen=True)
class IssuedCredential(HexFields):
    credential: dict[str, Any]
    hash: bytes
    status_index: int


def next_status_indexes(
    registry: CredentialRegistry, issuer: str, count: int, store: CredentialStore | None = None
) -> list[int]:
    """``count`` fresh indexes of ``issuer``'s list: past every index its anchors used (read from
    the chain's events) and past anything the local store handed out but did not anchor yet."""
    start = registry.highest_status_index(issuer) + 1
    if store is not None:
        local = store.max_status_index(issuer)
        if local is not None:
            start = max(start, local + 1)
    return allocate(start, count)


def reserve_status_index(registry: CredentialRegistry, issuer: str) -> int:
    """The next free index of ``issuer``'s list (``next_status_indexes``), also past every index this
    ``registry`` client reserved before: two credentials issued in a row, before either is anchored,
    never share an index. Processes issuing for one issuer share a ``CredentialStore`` instead."""
    reservations = registry.status_reservations
    with reservations.lock:
        index = next_status_indexes(registry, issuer, 1)[0]
        after = reservations.top.get(issuer.lower())
        if after is not None and index <= after:
            index = allocate(after + 1, 1)[0]
        reservations.top[issuer.lower()] = index
    return index


def issue_credential(
    registry: CredentialRegistry,
    issuer: LocalAccount,
    *,
    subject: str,
    credential_type: str,
    claims: Mapping[str, Any],
    schema_id: bytes,
    valid_from: int,
    valid_until: int | None,
    status_index: int | None = None,
    created: int | None = None,
    credential_id: str | None = None,
    status_base: str | None = None,
) -> IssuedCredential:
    """Build and sign a credential (nothing is sent). Its status index is the next free one of the
    issuer's list (``reserve_status_index``) unless the caller passes ``status_index``. With
    ``status_base`` (a gateway's public URL) ``statusListCredential`` is the URL the gateway serves
    the list at. Selective disclosure is the SD-JWT VC format (``thekey.credentials.sdjwt``)."""
    chain_id = registry.chain.chain_id
    if status_index is None:
        status_index = reserve_status_index(registry, issuer.address)
    vc = build_credential(
        issuer=did_for(chain_id, issuer.address),
        subject=subject,
        credential_type=credential_type,
        claims=dict(claims),
        schema_id=schema_id,
        valid_from=valid_from,
        valid_until=valid_until,
        status=status_entries(chain_id, registry.address, issuer.address, status_index, status_base),
        credential_id=credential_id,
    )
    signed = sign_credential(vc, issuer, chain_id, created if created is not None else valid_from)
    return IssuedCredential(signed, credential_hash(signed), status_index)


def anchor_credential(registry: CredentialRegistry, issuer: LocalAccount, issued: IssuedCredential) -> Receipt:
    v = view(issued.credential)
    return registry.anchor(issuer, issued.hash, v.schema_id, v.valid_from, v.valid_until or 0, issued.status_index)


def batch_tree(items: Sequence[IssuedCredential]) -> StandardMerkleTree:
    return StandardMerkleTree.of([(i.hash, i.status_index) for i in items], BATCH_LEAF_ENCODING)


def batch_window(items: Sequence[IssuedCredential]) -> tuple[bytes, int, int, int, int]:
    """(schema id, validFrom, validUntil, first status index, count) shared by a batch."""
    if not items:
        raise BadInput("an empty batch")
    views = [view(i.credential) for i in items]
    if len({(v.schema_id, v.valid_from, v.valid_until) for v in views}) != 1:
        raise BadInput("a batch shares one schema and one validity window")
    indexes = sorted(i.status_index for i in items)
    if len(set(indexes)) != len(indexes):
        raise BadInput("two credentials of the batch share a status index")
    v = views[0]
    return v.schema_id, v.valid_from, v.valid_until or 0, indexes[0], indexes[-1] - indexes[0] + 1


def with_batch_evidence(
    items: Sequence[IssuedCredential], tree: StandardMerkleTree, issuer: LocalAccount
) -> list[IssuedCredential]:
    """Each credential with the root and Merkle path that prove it is in the batch in its proof
    (``proof.anchor``), re-signed by ``issuer``: the EthereumEip712Signature2021 proof covers
    every proof member but ``proofValue``, so the evidence is signed too. The proof is outside
    the credential hash, so this changes no hash. A one-credential batch has no path."""
    out = []
    for n, item in enumerate(items):
        if view(item.credential).issuer.address != issuer.address:
            raise BadInput(f"a credential of the batch is not issued by {issuer.address}")
        proof = item.credential["proof"]
        options = {k: v for k, v in proof.items() if k not in UNSIGNED_PROOF_MEMBERS and k != "anchor"}
        path = ["0x" + p.hex() for p in tree.proof(n)]
        options["anchor"] = {
            "type": BATCH_EVIDENCE_TYPE,
            "root": "0x" + tree.root.hex(),
            **({"path": path} if path else {}),
        }
        chain_id = int(proof_parameters(item.credential)["domain"]["chainId"])
        out.append(replace(item, credential=sign(item.credential, bytes(issuer.key), options, chain_id)))
    return out


def anchor_batch(
    registry: CredentialRegistry, issuer: LocalAccount, items: Sequence[IssuedCredential]
) -> tuple[bytes, Receipt, list[IssuedCredential]]:
    """Anchor ``items`` under one Merkle root; returns the root, the receipt and the credentials
    with their batch evidence attached."""
    schema_id, valid_from, valid_until, first, count = batch_window(items)
    tree = batch_tree(items)
    receipt = registry.anchor_batch(issuer, tree.root, schema_id, valid_from, valid_until, first, count)
    return tree.root, receipt, with_batch_evidence(items, tree, issuer)


def batch_evidence(credential: dict[str, Any]) -> tuple[bytes, list[bytes]] | None:
    """(root, path) when the credential carries batch evidence, else None."""
    proof = credential.get("proof")
    anchor = proof.get("anchor") if isinstance(proof, dict) else None
    if not isinstance(anchor, dict) or anchor.get("type") != BATCH_EVIDENCE_TYPE:
        return None
    try:
        root = bytes.fromhex(str(anchor["root"]).removeprefix("0x"))
        return root, [bytes.fromhex(str(p).removeprefix("0x")) for p in anchor.get("path", [])]
    except (KeyError, TypeError, ValueError):
        raise BadInput("malformed batch evidence in the credential's proof") from None


def status_index_of(credential: dict[str, Any]) -> int:
    return status_pointer(credential).index
