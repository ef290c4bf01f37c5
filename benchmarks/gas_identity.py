"""DID: the five ERC-1056 changes, first-time and repeat, direct and signed-and-relayed —
TheKey's EIDRegistry against the reference ``EthereumDIDRegistry`` (ethr-did-registry).

- first: the identity's very first change (its ``changed`` record is still zero, every slot cold);
- repeat: the same operation on an identity that has changed before (revocations revoke what
  an earlier change added; the owner change is the identity's second one).
Signed variants: ours relays an EIP-712 signature (``*BySig``, nonce + deadline); the reference
relays its own ``*Signed`` (v, r, s over its ad-hoc hash, no chain id). The same accounts, names,
values and validities are used on both registries, so the calldata differs only by the
contracts' own encodings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_bytes
from web3.contract import Contract

from benchmarks.floors import Floor, LogShape, event_topic, shapes_of
from benchmarks.harness import Bench, Tx, row
from benchmarks.model import GasRow, Target

SECTION = "DID"
REFERENCE = "ERC-1056 EthereumDIDRegistry"
TARGET = (Target("reference", 1.00),)
VALIDITY = 86_400
OWNER_CHANGED = event_topic("DIDOwnerChanged(address,address,uint256)")
DELEGATE_CHANGED = event_topic("DIDDelegateChanged(address,bytes32,address,uint256,uint256)")
ATTRIBUTE_CHANGED = event_topic("DIDAttributeChanged(address,bytes32,bytes,uint256,uint256)")
EVENT_OF = {
    "changeOwner": OWNER_CHANGED,
    "setAttribute": ATTRIBUTE_CHANGED,
    "addDelegate": DELEGATE_CHANGED,
    "revokeDelegate": DELEGATE_CHANGED,
    "revokeAttribute": ATTRIBUTE_CHANGED,
}
# Unavoidable writes (the ERC-1056 event is mandatory: resolvers read it). The owner and the
# last-change block fit one slot; a delegation needs its own slot; revoking a delegation may
# clear it (refund); a signed change also consumes the signer's nonce.
FIRST_WRITES = {
    "changeOwner": Floor(new=1),
    "setAttribute": Floor(new=1),
    "addDelegate": Floor(new=2),
    "revokeDelegate": Floor(new=1),
    "revokeAttribute": Floor(new=1),
}
REPEAT_WRITES = {
    "changeOwner": Floor(updates=1),
    "setAttribute": Floor(updates=1),
    "addDelegate": Floor(new=1, updates=1),
    "revokeDelegate": Floor(updates=1, clears=1),
    "revokeAttribute": Floor(updates=1),
}


def b32(text: str) -> bytes:
    return text.encode().ljust(32, b"\x00")


@dataclass(frozen=True)
class Change:
    """One ERC-1056 change of ``identity`` (``actor`` is its current owner)."""

    op: str
    fields: dict[str, Any]


def _args(change: Change, identity: str) -> list[Any]:
    f = change.fields
    return {
        "changeOwner": lambda: [identity, f["new_owner"]],
        "setAttribute": lambda: [identity, b32(f["name"]), f["value"], VALIDITY],
        "addDelegate": lambda: [identity, b32(f["delegate_type"]), f["delegate"], VALIDITY],
        "revokeDelegate": lambda: [identity, b32(f["delegate_type"]), f["delegate"]],
        "revokeAttribute": lambda: [identity, b32(f["name"]), f["value"]],
    }[change.op]()


ACTION = {
    "changeOwner": "ChangeOwner",
    "setAttribute": "SetAttribute",
    "addDelegate": "AddDelegate",
    "revokeDelegate": "RevokeDelegate",
    "revokeAttribute": "RevokeAttribute",
}


class Ours:
    def __init__(self, bench: Bench) -> None:
        from thekey.identity.registry import EIDRegistry

        self.bench = bench
        self.client = EIDRegistry.from_deployment(bench.require_deployment("identity"))

    def direct(self, change: Change, identity: str, actor: LocalAccount) -> Tx:
        fn = getattr(self.client.contract.functions, change.op)(*_args(change, identity))
        return self.bench.send(fn, actor)

    def signed(self, change: Change, identity: str, actor: LocalAccount, relayer: LocalAccount) -> Tx:
        f = dict(change.fields)
        if "validity" not in f and change.op in ("setAttribute", "addDelegate"):
            f["validity"] = VALIDITY
        deadline = self.bench.chain.timestamp() + 3_600
        signed = self.client.sign(actor, ACTION[change.op], identity, deadline, **f)
        return self.bench.measured(self.client.relay(relayer, signed))


class Reference:
    def __init__(self, bench: Bench, contract: Contract) -> None:
        self.bench = bench
        self.contract = contract

    def direct(self, change: Change, identity: str, actor: LocalAccount) -> Tx:
        return self.bench.send(getattr(self.contract.functions, change.op)(*_args(change, identity)), actor)

    def signed(self, change: Change, identity: str, actor: LocalAccount, relayer: LocalAccount) -> Tx:
        f = self.contract.functions
        nonce = int(f.nonce(actor.address).call())
        args = _args(change, identity)[1:]
        packed = b"\x19\x00" + to_bytes(hexstr=self.contract.address) + nonce.to_bytes(32, "big")
        packed += to_bytes(hexstr=identity) + change.op.encode()
        for a in args:
            packed += to_bytes(hexstr=a) if isinstance(a, str) else a if isinstance(a, bytes) else a.to_bytes(32, "big")
        sig = Account.unsafe_sign_hash(keccak(packed), actor.key)
        fn = getattr(f, change.op + "Signed")(identity, sig.v, to_bytes(sig.r).rjust(32, b"\0"),
                                              to_bytes(sig.s).rjust(32, b"\0"), *args)  # fmt: skip
        return self.bench.send(fn, relayer)


def _floor(writes: Floor, tx: Tx, op: str, signed: bool, first: bool) -> Floor:
    logs: tuple[LogShape, ...] = shapes_of(tx.receipt.raw, EVENT_OF[op])[:1]
    nonce = {"new": 1} if (signed and first) else {"updates": 1} if signed else {}
    return Floor(new=writes.new + nonce.get("new", 0), updates=writes.updates + nonce.get("updates", 0),
                 clears=writes.clears, logs=logs)  # fmt: skip


def _scenario(bench: Bench, impl: Ours | Reference, signed: bool, people: dict[str, LocalAccount]
              ) -> dict[tuple[str, bool], Tx]:  # fmt: skip
    """Every change first-time (each on a fresh identity) and repeated (on identity ``repeat``)."""
    p = people
    relayer = p["relayer"]
    changes = {
        "changeOwner": Change("changeOwner", {"new_owner": p["new_owner"].address}),
        "setAttribute": Change("setAttribute", {"name": "did/pub/Secp256k1/veriKey/hex",
                                                "value": bytes.fromhex("02" + "ab" * 32)}),
        "addDelegate": Change("addDelegate", {"delegate_type": "veriKey", "delegate": p["delegate"].address}),
        "revokeDelegate": Change("revokeDelegate", {"delegate_type": "veriKey", "delegate": p["delegate"].address}),
        "revokeAttribute": Change("revokeAttribute", {"name": "did/svc/HubService",
                                                      "value": b"https://hub.example/thekey"}),
    }  # fmt: skip

    def do(change: Change, identity: LocalAccount, actor: LocalAccount | None = None) -> Tx:
        actor = actor or identity
        if signed:
            return impl.signed(change, identity.address, actor, relayer)
        return impl.direct(change, identity.address, actor)

    out: dict[tuple[str, bool], Tx] = {}
    for op, change in changes.items():
        out[(op, True)] = do(change, p[f"first-{op}"])
    r, interim = p["repeat"], p["interim"]
    # Prepare: each later signer has changed an identity before (and, when signed, used a nonce).
    do(Change("setAttribute", {"name": "did/svc/HubService", "value": b"https://hub.example/thekey"}), r)
    do(Change("setAttribute", {"name": "did/svc/HubService", "value": b"https://hub.example/interim"}), interim)
    out[("setAttribute", False)] = do(changes["setAttribute"], r)
    out[("addDelegate", False)] = do(changes["addDelegate"], r)
    out[("revokeDelegate", False)] = do(changes["revokeDelegate"], r)
    out[("revokeAttribute", False)] = do(changes["revokeAttribute"], r)
    do(Change("changeOwner", {"new_owner": interim.address}), r)
    out[("changeOwner", False)] = do(changes["changeOwner"], r, interim)
    return out


def run(bench: Bench) -> list[GasRow]:
    ours = Ours(bench)
    reference = Reference(bench, bench.references.erc1056)
    rows: list[GasRow] = []
    for signed in (False, True):
        roles = ["relayer", "new_owner", "delegate", "repeat", "interim"] + [f"first-{op}" for op in ACTION]
        people = {role: bench.fresh_account() for role in roles}
        mine = _scenario(bench, ours, signed, people)
        theirs = _scenario(bench, reference, signed, people)
        for (op, first), tx in mine.items():
            writes = (FIRST_WRITES if first else REPEAT_WRITES)[op]
            name = f"{op}{' signed' if signed else ''} ({'first' if first else 'repeat'})"
            ref_name = REFERENCE + (f" ({op}Signed)" if signed else "")
            rows.append(row(SECTION, name, tx, reference_name=ref_name, reference=theirs[(op, first)],
                            floor=_floor(writes, tx, op, signed, first), targets=TARGET))  # fmt: skip
    return rows
