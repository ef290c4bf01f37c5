"""Conservation: the TKY the escrow holds always equals what it owes — the prices of agreements
that have not ended plus every unwithdrawn credit — across interleaved agreements on every path."""

from __future__ import annotations

from collections.abc import Callable

from tests.escrow.conftest import EVIDENCE, HOUR, PRICE, Cast, Ledger
from thekey.chain import Chain
from thekey.payments.escrow import Escrow, Plan, Status, Terms
from thekey.token.tky import Token


def test_conservation__holds_after_every_step_of_interleaved_agreements(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    chain: Chain,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    many = Plan.of(1, 3, {p.address: (9996 // 8) + (4 if i == 0 else 0) for i, p in enumerate(cast.payees)})
    prices = [PRICE, 1, 9_999, 10**18 + 1, 3 * PRICE]
    terms = [make_terms(price=p, plan=many if i % 2 else make_terms().plan) for i, p in enumerate(prices)]
    ids = [open_agreement(t) for t in terms]
    token.approve(cast.provider, escrow.address, 123)
    proposed, _ = escrow.create(cast.provider, make_terms(price=123))
    ledger.check()
    steps: list[Callable[[], object]] = [
        lambda: escrow.complete(cast.verifier, ids[0], EVIDENCE),
        lambda: escrow.complete(cast.verifier, ids[1], EVIDENCE),
        lambda: escrow.complete(cast.verifier, ids[2], EVIDENCE),
        lambda: escrow.confirm(cast.provider, ids[1]),
        lambda: escrow.dispute(cast.provider, ids[2], b"\x03" * 32),
        lambda: escrow.resolve(cast.arbiter, ids[2], 1_000, {cast.user.address: 8_999}),
        lambda: escrow.reclaim(cast.provider, proposed),
        lambda: escrow.withdraw(cast.user),
        lambda: chain.increase_time(HOUR),
        lambda: escrow.settle(cast.keeper, ids[0]),
        lambda: escrow.withdraw(cast.payees[0]),
        lambda: escrow.complete(cast.verifier, ids[3], EVIDENCE),
        lambda: escrow.withdraw(cast.verifier),
        lambda: escrow.withdraw(cast.provider),
        lambda: chain.set_next_block_timestamp(terms[4].service_deadline + 1),
        lambda: escrow.reclaim(cast.provider, ids[4]),
        lambda: escrow.confirm(cast.provider, ids[3]),
    ]
    for step in steps:
        step()
        ledger.check()
    assert [escrow.agreement(i).status for i in (*ids, proposed)] == [
        Status.SETTLED,
        Status.SETTLED,
        Status.RESOLVED,
        Status.SETTLED,
        Status.REFUNDED,
        Status.REFUNDED,
    ]
    for account in {cast.verifier, cast.user, cast.provider, *cast.payees}:
        if escrow.credit_of(account.address):
            escrow.withdraw(account)
            ledger.check()
    assert token.balance_of(escrow.address) == 0
