"""Escrow: create+fund (by permit, both acceptances relayed), complete, settle for 2, 4 and 8
payees (the verifier and the user count as payees: plans with 0, 2 and 6 extra payees), and
withdraw — each against the analytic floor of the same number of plain ERC-20 transfers, one
transaction each (what paying those parties directly would cost at the very least).

Steady state: a first agreement is created beforehand, so one-time writes (the agreement
counter, the signers' first nonces, the escrow's first token balance) are not counted.
"""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from benchmarks.floors import TRANSFER, TRANSFER_LOG, Floor, LogShape, event_topic, shapes_of
from benchmarks.harness import Bench, Tx, row
from benchmarks.model import GasRow, Target

SECTION = "Escrow"
TKY = 10**18
PRICE = 1_000 * TKY + 7
HOUR = 3_600
TERMS_HASH = keccak(text="bench:terms")
EVIDENCE = keccak(text="bench:evidence")
PAYEES = (2, 4, 8)
# issue 17's bounds on ours / floor
CREATE_TARGET, COMPLETE_TARGET, SETTLE_TARGET, WITHDRAW_TARGET = (
    (Target("floor", b),) for b in (1.60, 1.10, 1.30, 1.10)
)
CREATED = event_topic(
    "AgreementCreated(uint256,address,address,address,address,uint96,uint64,uint32,bytes32,address[],uint16[],bool,bool)"
)
COMPLETED = event_topic("AgreementCompleted(uint256,bytes32,uint64)")
SETTLED = event_topic("AgreementSettled(uint256,uint256)")


def plain_transfer_floor(bench: Bench, fresh: bool) -> int:
    """The floor of one plain TKY ``transfer`` to an existing (or a fresh) holder."""
    token = bench.require_deployment("token").contract("token")
    data = bytes.fromhex(token.functions.transfer(bench.deployer.address, PRICE)._encode_transaction_data()[2:])
    return Floor(new=int(fresh), updates=2 - int(fresh), logs=(TRANSFER_LOG,)).gas(data)


def _logs(tx: Tx, topic: bytes) -> tuple[LogShape, ...]:
    return shapes_of(tx.receipt.raw, topic)[:1]


def run(bench: Bench) -> list[GasRow]:
    from thekey.payments.escrow import Escrow, Plan, Terms
    from thekey.token.tky import Token

    deployment = bench.require_deployment("escrow")
    escrow = Escrow.from_deployment(deployment)
    token = Token.from_deployment(deployment)
    chain = bench.chain
    provider, verifier, user, arbiter, keeper = (bench.fresh_account() for _ in range(5))
    token.transfer(bench.deployer, provider.address, 100_000 * TKY)

    def terms(extra: list[str]) -> Terms:
        each = 2_000 // len(extra) if extra else 0
        plan = Plan.of(10_000 - 2_000 - each * len(extra), 2_000, {p: each for p in extra})
        return Terms(provider.address, verifier.address, user.address, arbiter.address, PRICE,
                     chain.timestamp() + 2 * 86_400, HOUR, TERMS_HASH, plan)  # fmt: skip

    def open_(t: Terms) -> tuple[int, Tx]:
        deadline = chain.timestamp() + HOUR
        va = escrow.sign_acceptance(verifier, t, deadline)
        ua = escrow.sign_acceptance(user, t, deadline)
        agreement, receipt = escrow.create_and_fund(provider, t, va, ua)
        return agreement, bench.measured(receipt)

    warm_up, _ = open_(terms([]))  # one-time writes; settled below so the verifier and user hold credit
    escrow.complete(verifier, warm_up, EVIDENCE)
    rows: list[GasRow] = []
    t0 = terms([])
    first, create = open_(t0)
    create_floor = Floor(new=1, updates=5, logs=(TRANSFER_LOG, *_logs(create, CREATED)))
    rows.append(row(SECTION, "create+fund (permit, 2 acceptances relayed)", create,
                    reference_name="1 plain transfer (floor)", reference=plain_transfer_floor(bench, False),
                    floor=create_floor, targets=CREATE_TARGET))  # fmt: skip
    complete = bench.measured(escrow.complete(verifier, first, EVIDENCE))
    complete_floor = Floor(new=1, updates=1, logs=_logs(complete, COMPLETED))
    rows.append(row(SECTION, "complete", complete, floor=complete_floor, targets=COMPLETE_TARGET))

    # (payees, agreement, terms, an extra payee, whether every payee already holds credit)
    settles: list[tuple[int, int, Terms, LocalAccount | None, bool]] = []
    for n in PAYEES:
        extra = [bench.fresh_account(eth=0) for _ in range(n - 2)]
        t = terms([a.address for a in extra])
        for again in (True,) if n == 2 else (False, True):
            agreement = open_(t)[0]
            escrow.complete(verifier, agreement, EVIDENCE)
            settles.append((n, agreement, t, extra[0] if extra else None, again))
    chain.increase_time(HOUR + 1)
    escrow.settle(keeper, warm_up, t0)
    payee_to_withdraw: LocalAccount | None = None
    for n, agreement, t, payee, again in settles:
        tx = bench.measured(escrow.settle(keeper, agreement, t))
        # first settle of these payees: the extra payees' credits are new; the verifier's and the user's are not
        new = 0 if again else n - 2
        floor = Floor(new=new, updates=1 + n - new, logs=_logs(tx, SETTLED))
        kind = "all credited before" if again else f"{n - 2} first credits"
        transfers = plain_transfer_floor(bench, False) * (n - new) + plain_transfer_floor(bench, True) * new
        rows.append(row(SECTION, f"settle, {n} payees ({kind})", tx,
                        reference_name=f"{n} plain transfers (floor)", reference=transfers, floor=floor,
                        targets=SETTLE_TARGET))  # fmt: skip
        payee_to_withdraw = payee or payee_to_withdraw
    if payee_to_withdraw is not None:
        chain.send_eth(payee_to_withdraw.address, TKY, bench.deployer)
        tx = bench.measured(escrow.withdraw(payee_to_withdraw))
        floor = Floor(new=1, updates=1, clears=1, logs=(*shapes_of(tx.receipt.raw, TRANSFER)[:1],))
        rows.append(row(SECTION, "withdraw (first, to a fresh holder)", tx,
                        reference_name="1 plain transfer (floor)", reference=plain_transfer_floor(bench, True),
                        floor=floor, targets=WITHDRAW_TARGET))  # fmt: skip
    return rows
