"""Token: transfer (to a fresh and to an existing holder), approve, permit, transferFrom —
TKY against a plain OpenZeppelin 5 ERC-20 (+Permit) and a Solady ERC-20, same amounts,
same storage situation (every slot cold, the sender's balance already non-zero)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from benchmarks.floors import APPROVAL_LOG, TRANSFER_LOG, Floor
from benchmarks.harness import Bench, Tx, row
from benchmarks.model import GasRow, Target
from thekey.eip712 import Domain, domain_of, sign_typed_data, split_signature
from thekey.token.tky import permit_document

SECTION = "Token"
UNIT = 10**18
DEADLINE = 2**40

FLOORS = {
    "transfer → fresh holder": Floor(new=1, updates=1, logs=(TRANSFER_LOG,)),
    "transfer → existing holder": Floor(updates=2, logs=(TRANSFER_LOG,)),
    "approve": Floor(new=1, logs=(APPROVAL_LOG,)),
    "permit (first)": Floor(new=2, logs=(APPROVAL_LOG,)),
    "transferFrom": Floor(updates=3, logs=(TRANSFER_LOG,)),
}
TARGETED = {"transfer → fresh holder", "transfer → existing holder"}


@dataclass(frozen=True)
class Parties:
    """The same accounts act on every token, so the calldata is byte-for-byte the same."""

    holder: LocalAccount
    existing: LocalAccount
    spender: LocalAccount
    signer: LocalAccount
    fresh: str


def measure(bench: Bench, token: Contract, domain: Domain, p: Parties) -> dict[str, Tx]:
    """The five operations on ``token`` (the deployer holds its supply)."""
    f = token.functions
    holder, existing, spender, signer = p.holder, p.existing, p.spender, p.signer
    chain, deployer = bench.chain, bench.deployer
    chain.transact(f.transfer(holder.address, 1_000 * UNIT), deployer)
    chain.transact(f.transfer(existing.address, 1_000 * UNIT), deployer)
    out = {
        "transfer → fresh holder": bench.send(f.transfer(p.fresh, 1 * UNIT), holder),
        "transfer → existing holder": bench.send(f.transfer(existing.address, 1 * UNIT), holder),
        "approve": bench.send(f.approve(spender.address, 100 * UNIT), holder),
    }
    document = permit_document(domain, signer.address, spender.address, 100 * UNIT, 0, DEADLINE)
    v, r, s = split_signature(sign_typed_data(signer, document))
    out["permit (first)"] = bench.send(f.permit(signer.address, spender.address, 100 * UNIT, DEADLINE, v, r, s),
                                       spender)  # fmt: skip
    out["transferFrom"] = bench.send(f.transferFrom(holder.address, existing.address, 10 * UNIT), spender)
    return out


def run(bench: Bench) -> list[GasRow]:
    deployment = bench.require_deployment("token")
    tky = deployment.contract("token")
    refs = bench.references
    solady_domain = Domain("BenchSolady", "1", bench.chain.chain_id, refs.solady_token.address)
    holder, existing, spender, signer = (bench.fresh_account() for _ in range(4))
    parties = Parties(holder, existing, spender, signer, bench.fresh_address())
    ours = measure(bench, tky, domain_of(tky), parties)
    oz = measure(bench, refs.oz_token, domain_of(refs.oz_token), parties)
    solady = measure(bench, refs.solady_token, solady_domain, parties)
    rows = []
    for op, tx in ours.items():
        targets = (Target("reference", 1.00),) if op in TARGETED else ()
        rows.append(row(SECTION, op, tx, reference_name="OpenZeppelin ERC20", reference=oz[op], floor=FLOORS[op],
                        targets=targets))  # fmt: skip
        rows.append(row(SECTION, op, tx, reference_name="Solady ERC20", reference=solady[op], floor=FLOORS[op]))
    return rows
