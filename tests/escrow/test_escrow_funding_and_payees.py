"""Funding credits exactly what arrived (permit, approval, front-run permit, a token that
delivers less); hostile payees (reverting on receipt, re-entering) block and drain nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from tests.escrow.conftest import EVIDENCE, HOUR, PRICE, Cast, Ledger
from thekey.chain import Chain
from thekey.errors import ContractRevert
from thekey.payments.escrow import Escrow, Plan, Status, Terms, credits_of
from thekey.token.tky import Token

SUPPLY = 10**9 * 10**18


def _escrow_for(chain: Chain, deployer: LocalAccount, token_artifact: str, holder: str) -> tuple[Escrow, Token]:
    """A second escrow instance bound to a harness token (the token address is immutable)."""
    harness, _ = chain.deploy(token_artifact, holder, SUPPLY, sender=deployer)
    contract, _ = chain.deploy("PaymentEscrow", harness.address, sender=deployer)
    return Escrow(chain, contract.address), Token(chain, harness.address)


def test_create_with_permit__leaves_no_standing_allowance(
    escrow: Escrow, token: Token, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    before = token.balance_of(escrow.address)
    escrow.create_and_fund(cast.provider, terms)
    assert token.balance_of(escrow.address) - before == PRICE
    assert token.allowance(cast.provider.address, escrow.address) == 0


def test_create_with_permit__survives_a_front_run_permit(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    chain: Chain,
    stranger: LocalAccount,
    make_terms: Callable[..., Terms],
) -> None:
    terms = make_terms()
    permit = token.sign_permit(cast.provider, escrow.address, terms.price, chain.timestamp() + HOUR)
    token.permit(stranger, permit)  # someone copies the permit from the mempool and submits it first
    agreement_id, _ = escrow.create_with_permit(cast.provider, terms, permit)
    assert escrow.agreement(agreement_id).status is Status.PROPOSED
    assert token.allowance(cast.provider.address, escrow.address) == 0


def test_create__from_a_prior_approval(
    escrow: Escrow, token: Token, cast: Cast, ledger: Ledger, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    token.approve(cast.provider, escrow.address, terms.price)
    agreement_id, _ = escrow.create(cast.provider, terms)
    assert escrow.agreement(agreement_id).price == terms.price
    ledger.check()


def test_create__rejects_a_token_that_delivers_less(
    chain: Chain, deployer: LocalAccount, cast: Cast, make_terms: Callable[..., Terms]
) -> None:
    fee_escrow, fee_token = _escrow_for(chain, deployer, "EscrowFeeToken", cast.provider.address)
    terms = make_terms()
    fee_token.approve(cast.provider, fee_escrow.address, terms.price)
    with pytest.raises(ContractRevert) as exc:
        fee_escrow.create(cast.provider, terms)
    assert exc.value.name == "EscrowFundingMismatch"
    assert exc.value.arguments == {"expected": terms.price, "received": terms.price - terms.price // 100}
    with pytest.raises(ContractRevert) as exc:  # by permit too
        fee_escrow.create_and_fund(cast.provider, terms)
    assert exc.value.name == "EscrowFundingMismatch"
    assert fee_token.balance_of(fee_escrow.address) == 0


def _actor(chain: Chain, deployer: LocalAccount, owner: LocalAccount) -> Contract:
    actor, _ = chain.deploy("EscrowActor", owner.address, sender=deployer)
    return actor


def _via(chain: Chain, actor: Contract, owner: LocalAccount, escrow: Escrow, fn: str, *args: Any) -> None:
    data = escrow.contract.encode_abi(fn, args=list(args))
    chain.transact(actor.functions.execute(escrow.address, data), owner)


REVERT, REENTER = 1, 2


def test_hostile_payees__cannot_block_settlement_or_others_nor_take_more_than_their_share(
    chain: Chain,
    deployer: LocalAccount,
    cast: Cast,
    accounts: list[LocalAccount],
    make_terms: Callable[..., Terms],
) -> None:
    hook_escrow, hook_token = _escrow_for(chain, deployer, "EscrowHookToken", cast.provider.address)
    owner = accounts[14]
    refuser, reenterer = _actor(chain, deployer, owner), _actor(chain, deployer, owner)
    chain.transact(refuser.functions.configure(REVERT, hook_escrow.address, b""), owner)
    withdraw_call = hook_escrow.contract.encode_abi("withdraw", args=[])
    chain.transact(reenterer.functions.configure(REENTER, hook_escrow.address, withdraw_call), owner)
    plan = Plan.of(6000, 2000, {refuser.address: 1000, reenterer.address: 1000})
    terms = make_terms(plan=plan)
    ledger = Ledger(hook_escrow, hook_token, {a.address for a in accounts} | {refuser.address, reenterer.address})
    deadline = chain.timestamp() + HOUR
    va = hook_escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = hook_escrow.sign_acceptance(cast.user, terms, deadline)
    ids = [hook_escrow.create_and_fund(cast.provider, terms, va, ua)[0]]
    va = hook_escrow.sign_acceptance(cast.verifier, terms, deadline)
    ua = hook_escrow.sign_acceptance(cast.user, terms, deadline)
    ids.append(hook_escrow.create_and_fund(cast.provider, terms, va, ua)[0])
    for i in ids:
        hook_escrow.complete(cast.verifier, i, EVIDENCE)
    chain.increase_time(HOUR)
    for i in ids:  # settlement makes no external call: a hostile payee cannot stop it
        hook_escrow.settle(cast.keeper, i, terms)
    ledger.check()
    expected = credits_of(terms)

    # the refusing payee's withdrawal fails for it alone; its credit stays intact
    with pytest.raises(ContractRevert) as exc:
        _via(chain, refuser, owner, hook_escrow, "withdraw")
    assert exc.value.name == "EscrowActorRefused"
    assert hook_escrow.credit_of(refuser.address) == 2 * expected[refuser.address]
    for party in (cast.verifier, cast.user):
        before = hook_token.balance_of(party.address)
        hook_escrow.withdraw(party)
        assert hook_token.balance_of(party.address) - before == 2 * expected[party.address]
    ledger.check()

    # the re-entering payee gets exactly its credit; its nested withdraw is refused
    _via(chain, reenterer, owner, hook_escrow, "withdraw")
    assert hook_token.balance_of(reenterer.address) == 2 * expected[reenterer.address]
    assert reenterer.functions.reentryAttempts().call() == 1
    assert reenterer.functions.reentrySuccesses().call() == 0
    assert hook_escrow.credit_of(reenterer.address) == 0
    ledger.check()

    # the refuser can still collect later (e.g. to another address of its own)
    _via(chain, refuser, owner, hook_escrow, "withdrawTo", owner.address)
    assert hook_token.balance_of(owner.address) == 2 * expected[refuser.address]
    assert hook_token.balance_of(hook_escrow.address) == 0
    ledger.check()


def test_reentrant_settle__is_refused_during_a_withdrawal(
    chain: Chain,
    deployer: LocalAccount,
    cast: Cast,
    accounts: list[LocalAccount],
    make_terms: Callable[..., Terms],
) -> None:
    hook_escrow, _ = _escrow_for(chain, deployer, "EscrowHookToken", cast.provider.address)
    owner = accounts[14]
    reenterer = _actor(chain, deployer, owner)
    terms = make_terms(plan=Plan.of(5000, 4000, {reenterer.address: 1000}))
    deadline = chain.timestamp() + HOUR
    ids = []
    for _ in range(2):
        va = hook_escrow.sign_acceptance(cast.verifier, terms, deadline)
        ua = hook_escrow.sign_acceptance(cast.user, terms, deadline)
        ids.append(hook_escrow.create_and_fund(cast.provider, terms, va, ua)[0])
        hook_escrow.complete(cast.verifier, ids[-1], EVIDENCE)
    chain.increase_time(HOUR)
    hook_escrow.settle(cast.keeper, ids[0])
    settle_call = hook_escrow.contract.encode_abi("settle", args=[ids[1], terms.as_arg()])
    chain.transact(reenterer.functions.configure(REENTER, hook_escrow.address, settle_call), owner)
    _via(chain, reenterer, owner, hook_escrow, "withdraw")
    assert reenterer.functions.reentrySuccesses().call() == 0
    assert hook_escrow.agreement(ids[1]).status is Status.COMPLETED  # the nested settle did not happen
    hook_escrow.settle(cast.keeper, ids[1])  # and it still settles normally afterwards
    assert hook_escrow.agreement(ids[1]).status is Status.SETTLED
