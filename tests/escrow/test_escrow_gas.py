"""Gas of the main escrow operations, and pull credits against direct transfers.

The figures are printed (``pytest -s``) and the README quotes them; the assertions are loose
ceilings that only catch a regression by a wide margin, and the relations the design relies on.
"""

from __future__ import annotations

from collections.abc import Callable

from eth_account import Account
from eth_account.signers.local import LocalAccount

from tests.escrow.conftest import EVIDENCE, HOUR, Cast
from thekey.chain import Chain
from thekey.payments.escrow import Escrow, Plan, Terms
from thekey.token.tky import Token


def _fresh(n: int) -> list[str]:
    return [Account.create().address for _ in range(n)]


def _plan(payees: list[str]) -> Plan:
    """Verifier 60 %, user 20 %, the rest shared by the extra payees (to the verifier when none)."""
    each = 2000 // len(payees) if payees else 0
    return Plan.of(10_000 - 2000 - each * len(payees), 2000, {p: each for p in payees})


def test_gas__of_the_main_operations(
    escrow: Escrow, token: Token, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    gas: dict[str, int] = {}
    terms = make_terms()
    deadline = chain.timestamp() + HOUR
    # warm-up: the first agreement ever also pays the one-time zero-to-nonzero writes (agreement
    # counter, both signers' nonces, the escrow's token balance, the provider's permit nonce)
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    gas["create+fund by permit, very first agreement"] = escrow.create_and_fund(cast.provider, terms, va, ua)[
        1
    ].gas_used
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    a1, r = escrow.create_and_fund(cast.provider, terms, va, ua)
    gas["create+fund by permit, 2 acceptances relayed"] = r.gas_used
    r = token.approve(cast.provider, escrow.address, terms.price)
    gas["approve (separate tx)"] = r.gas_used
    va = escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = escrow.sign_acceptance(cast.user, terms, deadline)
    a2, r = escrow.create(cast.provider, terms, va, ua)
    gas["create+fund from approval, 2 acceptances relayed"] = r.gas_used
    token.approve(cast.provider, escrow.address, terms.price)
    a3, r = escrow.create(cast.provider, terms)
    gas["create+fund from approval, no acceptance"] = r.gas_used
    gas["accept (on chain, first)"] = escrow.accept(cast.verifier, a3).gas_used
    gas["accept (on chain, binding)"] = escrow.accept(cast.user, a3).gas_used
    gas["complete"] = escrow.complete(cast.verifier, a1, EVIDENCE).gas_used
    escrow.complete(cast.verifier, a2, EVIDENCE)
    gas["confirm (settles, 4 payees)"] = escrow.confirm(cast.provider, a1, terms).gas_used
    gas["dispute"] = escrow.dispute(cast.provider, a2, b"\x01" * 32).gas_used
    gas["resolve (refund + 2 recipients)"] = escrow.resolve(
        cast.arbiter, a2, 1, {cast.verifier.address: terms.price - 2, cast.user.address: 1}, terms=terms
    ).gas_used
    gas["withdraw (verifier)"] = escrow.withdraw(cast.verifier).gas_used
    chain.set_next_block_timestamp(terms.service_deadline + 1)
    gas["reclaim (direct transfer)"] = escrow.reclaim(cast.provider, a3).gas_used

    for extra in (0, 2, 4, 8):
        payees = _fresh(extra)
        t = make_terms(plan=_plan(payees), service_deadline=chain.timestamp() + 2 * 86_400)
        ids = []
        for _ in range(2):
            va = escrow.sign_acceptance(cast.verifier, t, chain.timestamp() + HOUR)
            ua = escrow.sign_acceptance(cast.user, t, chain.timestamp() + HOUR)
            ids.append(escrow.create_and_fund(cast.provider, t, va, ua)[0])
            escrow.complete(cast.verifier, ids[-1], EVIDENCE)
        chain.increase_time(HOUR)
        first = escrow.settle(cast.keeper, ids[0], t).gas_used
        again = escrow.settle(cast.keeper, ids[1], t).gas_used
        gas[f"settle, {extra + 2} payees ({extra} new payees: first credit)"] = first
        gas[f"settle, {extra + 2} payees (every payee already holds credit)"] = again

    width = max(map(len, gas))
    print("\nPaymentEscrow gasUsed")
    for k, v in gas.items():
        print(f"  {k:<{width}}  {v:>9,}")
    assert gas["create+fund by permit, 2 acceptances relayed"] < 260_000
    assert gas["settle, 10 payees (8 new payees: first credit)"] < 300_000
    assert gas["withdraw (verifier)"] < 70_000


def test_gas__pull_credits_against_direct_transfers(
    token: Token, chain: Chain, deployer: LocalAccount, cast: Cast
) -> None:
    bench, _ = chain.deploy("EscrowPayoutBench", token.address, sender=deployer)
    token.transfer(deployer, bench.address, 10**24)
    print("\npayout of one agreement: pull credits vs direct transfers (gasUsed)")
    columns = ("payees", "credit new", "credit held", "transfer new", "transfer held")
    print("  " + "  ".join(f"{c:>13}" for c in columns))
    for n in (2, 4, 6, 10):
        payees, amounts = _fresh(n), [10**18 + i for i in range(n)]
        credit_new = chain.transact(bench.functions.payByCredit(1, payees, amounts), deployer).gas_used
        credit_held = chain.transact(bench.functions.payByCredit(2, payees, amounts), deployer).gas_used
        others = _fresh(n)
        transfer_new = chain.transact(bench.functions.payByTransfer(others, amounts), deployer).gas_used
        transfer_held = chain.transact(bench.functions.payByTransfer(others, amounts), deployer).gas_used
        print("  " + "  ".join(f"{v:>13,}" for v in (n, credit_new, credit_held, transfer_new, transfer_held)))
        assert credit_held < transfer_held
    chain.transact(bench.functions.payByCredit(3, [cast.user.address], [5]), deployer)
    withdraw = chain.transact(bench.functions.withdraw(), cast.user).gas_used
    print(f"  one withdraw, any number of agreements: {withdraw:,}")
