"""Every path of an agreement end to end, balances exact to the wei, conservation at each step."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from tests.escrow.conftest import DAY, EVIDENCE, HOUR, PRICE, Cast, Ledger, balances
from thekey.chain import Chain
from thekey.errors import ContractRevert
from thekey.payments.escrow import ARBITRATION_PERIOD, Escrow, Status, Terms, credits_of, payout
from thekey.token.tky import Token


def _complete(escrow: Escrow, cast: Cast, agreement_id: int) -> None:
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)


def _withdraw_all(escrow: Escrow, token: Token, cast: Cast, expected: dict[str, int]) -> None:
    """Each expected payee withdraws; its balance grows by exactly its credit."""
    signers = {a.address: a for a in [cast.provider, cast.verifier, cast.user, cast.arbiter, *cast.payees]}
    for who, amount in expected.items():
        before = token.balance_of(who)
        assert escrow.credit_of(who) == amount
        escrow.withdraw(signers[who])
        assert token.balance_of(who) - before == amount
        assert escrow.credit_of(who) == 0


def test_settle_after_window__pays_each_payee_its_share_and_dust_to_verifier(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    chain: Chain,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    provider_before = token.balance_of(cast.provider.address)
    agreement_id = open_agreement(terms)
    assert token.balance_of(cast.provider.address) == provider_before - PRICE
    assert token.allowance(cast.provider.address, escrow.address) == 0  # permit used exactly
    assert escrow.agreement(agreement_id).status is Status.ACTIVE
    ledger.check()
    _complete(escrow, cast, agreement_id)
    state = escrow.agreement(agreement_id)
    assert state.status is Status.COMPLETED and state.evidence_hash == EVIDENCE
    chain.increase_time(HOUR)
    receipt = escrow.settle(cast.keeper, agreement_id)
    ledger.check()
    verifier, user, payees, dust = payout(PRICE, terms.plan)
    # floors of 1000e18 + 7 at 60/25/10/5 %: +4.2, +1.75, +0.7, +0.35 wei → dust 2 to the verifier
    assert (verifier, user, payees) == (600 * 10**18 + 6, 250 * 10**18 + 1, [100 * 10**18, 50 * 10**18])
    assert dust == 2
    assert escrow.events(receipt, "AgreementSettled")[0]["dust"] == 2
    assert verifier + user + sum(payees) == PRICE
    expected = credits_of(terms)
    _withdraw_all(escrow, token, cast, expected)
    assert escrow.agreement(agreement_id).status is Status.SETTLED
    assert token.balance_of(escrow.address) == 0
    ledger.check()


def test_confirm__settles_at_once_inside_the_window(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    _complete(escrow, cast, agreement_id)
    receipt = escrow.confirm(cast.provider, agreement_id)
    assert escrow.events(receipt, "AgreementConfirmed") == [{"id": agreement_id}]
    assert escrow.agreement(agreement_id).status is Status.SETTLED
    ledger.check()
    _withdraw_all(escrow, token, cast, credits_of(terms))
    ledger.check()


def test_reclaim__refunds_the_provider_in_full_after_the_service_deadline(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    chain: Chain,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    before = token.balance_of(cast.provider.address)
    agreement_id = open_agreement(terms)
    chain.set_next_block_timestamp(terms.service_deadline)
    with pytest.raises(ContractRevert) as exc:  # exactly at the deadline the verifier may still complete
        escrow.reclaim(cast.provider, agreement_id)
    assert exc.value.name == "EscrowServiceDeadlineNotReached"
    chain.set_next_block_timestamp(terms.service_deadline + 1)
    receipt = escrow.reclaim(cast.provider, agreement_id)
    assert escrow.events(receipt, "AgreementReclaimed")[0]["amount"] == PRICE
    assert token.balance_of(cast.provider.address) == before
    assert escrow.agreement(agreement_id).status is Status.REFUNDED
    ledger.check()
    with pytest.raises(ContractRevert) as exc:
        escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    assert exc.value.name == "EscrowAgreementClosed"


def test_dispute_then_refund__returns_the_whole_price_to_the_provider(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    before = token.balance_of(cast.provider.address)
    agreement_id = open_agreement(terms)
    _complete(escrow, cast, agreement_id)
    escrow.dispute(cast.provider, agreement_id, b"\x01" * 32)
    assert escrow.agreement(agreement_id).status is Status.DISPUTED
    ledger.check()
    escrow.resolve(cast.arbiter, agreement_id, PRICE)
    assert escrow.agreement(agreement_id).status is Status.REFUNDED
    ledger.check()
    _withdraw_all(escrow, token, cast, {cast.provider.address: PRICE})
    assert token.balance_of(cast.provider.address) == before
    assert all(escrow.credit_of(p.address) == 0 for p in [cast.verifier, cast.user, *cast.payees])


def test_dispute_then_custom_split__pays_the_arbiters_amounts(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    _complete(escrow, cast, agreement_id)
    escrow.dispute(cast.provider, agreement_id, b"\x02" * 32)
    refund = 400 * 10**18
    split = {cast.verifier.address: 500 * 10**18, cast.payees[1].address: 100 * 10**18 + 7}
    receipt = escrow.resolve(cast.arbiter, agreement_id, refund, split)
    event = escrow.events(receipt, "AgreementResolved")[0]
    assert event["refund"] == refund and event["amounts"] == list(split.values())
    assert escrow.agreement(agreement_id).status is Status.RESOLVED
    ledger.check()
    _withdraw_all(escrow, token, cast, {cast.provider.address: refund, **split})
    assert escrow.credit_of(cast.user.address) == 0
    assert token.balance_of(escrow.address) == 0


def test_on_chain_acceptance__makes_the_agreement_binding_after_both_parties(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
) -> None:
    terms = make_terms()
    token.approve(cast.provider, escrow.address, terms.price)
    agreement_id, _ = escrow.create(cast.provider, terms)
    assert escrow.agreement(agreement_id).status is Status.PROPOSED
    with pytest.raises(ContractRevert) as exc:  # not binding yet: nothing to complete
        escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    assert exc.value.name == "EscrowWrongStatus"
    escrow.accept(cast.user, agreement_id)
    with pytest.raises(ContractRevert) as exc:
        escrow.accept(cast.user, agreement_id)
    assert exc.value.name == "EscrowAlreadyAccepted"
    receipt = escrow.accept(cast.verifier, agreement_id)
    assert escrow.events(receipt, "AgreementActivated") == [{"id": agreement_id}]
    state = escrow.agreement(agreement_id)
    assert state.status is Status.ACTIVE and state.verifier_accepted and state.user_accepted
    ledger.check()


def test_reclaim__withdraws_an_offer_that_is_not_binding_yet(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
) -> None:
    terms = make_terms()
    before = token.balance_of(cast.provider.address)
    va = escrow.sign_acceptance(cast.verifier, terms, terms.service_deadline)
    agreement_id, _ = escrow.create_and_fund(cast.provider, terms, verifier_acceptance=va)
    assert escrow.agreement(agreement_id).status is Status.PROPOSED
    escrow.reclaim(cast.provider, agreement_id)
    assert token.balance_of(cast.provider.address) == before
    ledger.check()
    with pytest.raises(ContractRevert) as exc:
        escrow.accept(cast.user, agreement_id)
    assert exc.value.name == "EscrowAgreementClosed"


def test_withdraw__collects_credits_of_many_agreements_in_one_transfer(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    chain: Chain,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    ids = [open_agreement(terms) for _ in range(3)]
    for i in ids:
        _complete(escrow, cast, i)
    chain.increase_time(HOUR)
    for i in ids:
        escrow.settle(cast.keeper, i)
    ledger.check()
    share = credits_of(terms)[cast.user.address]
    before = token.balance_of(cast.user.address)
    receipt = escrow.withdraw(cast.user)
    # one transfer, recorded by the token; `withdraw` adds no event of its own
    assert token.events(receipt, "Transfer") == [{"from": escrow.address, "to": cast.user.address, "value": 3 * share}]
    assert escrow.events(receipt, "Withdrawn") == []
    assert token.balance_of(cast.user.address) - before == 3 * share
    ledger.check()


def test_withdraw_to__records_the_payee_the_transfer_does_not_show(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    chain: Chain,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    _complete(escrow, cast, agreement_id)
    chain.increase_time(HOUR)
    escrow.settle(cast.keeper, agreement_id)
    share = credits_of(terms)[cast.user.address]
    receipt = escrow.withdraw(cast.user, to=cast.keeper.address)
    assert escrow.events(receipt, "Withdrawn") == [
        {"payee": cast.user.address, "to": cast.keeper.address, "amount": share}
    ]
    assert token.events(receipt, "Transfer") == [{"from": escrow.address, "to": cast.keeper.address, "value": share}]
    ledger.check()


def test_withdraw_to__sends_the_credit_elsewhere(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    accounts: list,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    _complete(escrow, cast, agreement_id)
    escrow.confirm(cast.provider, agreement_id)
    sink = accounts[15].address
    before = balances(token, [sink])[sink]
    escrow.withdraw(cast.user, to=sink)
    assert token.balance_of(sink) - before == credits_of(terms)[cast.user.address]
    ledger.check()


def test_terminal_states__allow_no_further_action(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    settled = open_agreement(terms)
    _complete(escrow, cast, settled)
    escrow.confirm(cast.provider, settled)
    for action in (
        lambda: escrow.settle(cast.keeper, settled),
        lambda: escrow.confirm(cast.provider, settled),
        lambda: escrow.dispute(cast.provider, settled, b"\x01" * 32),
        lambda: escrow.reclaim(cast.provider, settled),
        lambda: escrow.resolve(cast.arbiter, settled, PRICE),
        lambda: escrow.complete(cast.verifier, settled, EVIDENCE),
    ):
        with pytest.raises(ContractRevert) as exc:
            action()
        assert exc.value.name == "EscrowAgreementClosed"
        assert exc.value.arguments["status"] == Status.SETTLED
    assert escrow.agreement(settled).status is Status.SETTLED
    chain.increase_time(2 * DAY)


def test_decline__credits_the_provider_and_transfers_nothing(
    escrow: Escrow,
    token: Token,
    cast: Cast,
    ledger: Ledger,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    before = token.balance_of(cast.provider.address)
    agreement_id = open_agreement(terms)
    reason = keccak(text="salt:77|policy:scope-not-allowed")
    receipt = escrow.decline(cast.verifier, agreement_id, reason)
    assert escrow.events(receipt, "AgreementDeclined") == [{"id": agreement_id, "reasonHash": reason, "amount": PRICE}]
    assert token.events(receipt, "Transfer") == []
    assert token.balance_of(cast.provider.address) == before - PRICE
    assert escrow.credit_of(cast.provider.address) == PRICE
    assert escrow.agreement(agreement_id).status is Status.REFUNDED
    ledger.check()
    escrow.withdraw(cast.provider)
    assert token.balance_of(cast.provider.address) == before
    with pytest.raises(ContractRevert) as exc:
        escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    assert exc.value.name == "EscrowAgreementClosed"


def test_decline__only_the_verifier_and_only_before_completion(
    escrow: Escrow,
    cast: Cast,
    stranger: LocalAccount,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    agreement_id = open_agreement(make_terms())
    for caller in (cast.provider, cast.user, stranger):
        with pytest.raises(ContractRevert) as exc:
            escrow.decline(caller, agreement_id, b"\x01" * 32)
        assert exc.value.name == "EscrowUnauthorized"
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    with pytest.raises(ContractRevert) as exc:
        escrow.decline(cast.verifier, agreement_id, b"\x01" * 32)
    assert exc.value.name == "EscrowWrongStatus"


def test_dispute_with_a_silent_arbiter__anyone_settles_by_the_plan_after_the_arbitration_period(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    ledger: Ledger,
    stranger: LocalAccount,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    _complete(escrow, cast, agreement_id)
    escrow.dispute(cast.provider, agreement_id, b"\x03" * 32)
    state = escrow.agreement(agreement_id)
    lapse = state.disputed_at + ARBITRATION_PERIOD
    assert "the arbiter may rule until" in state.describe(chain.timestamp())
    chain.set_next_block_timestamp(lapse - 1)
    with pytest.raises(ContractRevert) as exc:
        escrow.settle(stranger, agreement_id)
    assert exc.value.name == "EscrowArbitrationPending"
    assert exc.value.arguments == {"id": agreement_id, "until": lapse}
    chain.set_next_block_timestamp(lapse)
    escrow.settle(stranger, agreement_id)
    assert escrow.agreement(agreement_id).status is Status.SETTLED
    ledger.check()
    _, _, payee_amounts, _ = payout(PRICE, terms.plan)
    assert escrow.credit_of(cast.payees[0].address) == payee_amounts[0]
    with pytest.raises(ContractRevert) as exc:
        escrow.resolve(cast.arbiter, agreement_id, PRICE)
    assert exc.value.name == "EscrowAgreementClosed"


def test_dispute__the_arbiter_may_still_rule_until_the_period_ends(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    agreement_id = open_agreement(make_terms())
    _complete(escrow, cast, agreement_id)
    escrow.dispute(cast.provider, agreement_id, b"\x04" * 32)
    chain.set_next_block_timestamp(escrow.agreement(agreement_id).disputed_at + ARBITRATION_PERIOD - 1)
    escrow.resolve(cast.arbiter, agreement_id, PRICE)
    assert escrow.agreement(agreement_id).status is Status.REFUNDED


def test_ids__are_sequential_from_one_and_count_follows(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms], open_agreement: Callable[[Terms], int]
) -> None:
    before = escrow.count()
    terms = make_terms()
    ids = [open_agreement(terms) for _ in range(2)]  # identical terms: two agreements, two keys
    assert ids == [before + 1, before + 2] and escrow.count() == before + 2
    assert escrow._call("agreementKey", ids[0], terms.as_arg()) != escrow._call("agreementKey", ids[1], terms.as_arg())
    escrow.decline(cast.verifier, ids[0], b"\x01" * 32)
    assert [escrow.agreement(i).status for i in ids] == [Status.REFUNDED, Status.ACTIVE]
