"""Every rule of the escrow reverts with its own custom error; privileged calls by strangers fail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from eth_account.signers.local import LocalAccount

from tests.escrow.conftest import EVIDENCE, HOUR, PRICE, Cast
from thekey.chain import Chain
from thekey.errors import BadInput, ContractRevert
from thekey.payments.escrow import MAX_PAYEES, Escrow, Plan, Status, Terms
from thekey.token.tky import Token

ZERO = "0x" + "00" * 20


def _create_error(escrow: Escrow, token: Token, cast: Cast, terms: Terms) -> ContractRevert:
    token.approve(cast.provider, escrow.address, 2**96)
    with pytest.raises(ContractRevert) as exc:
        escrow.create(cast.provider, terms)
    return exc.value


def test_create__reverts_when_shares_do_not_sum_to_10000(
    escrow: Escrow, token: Token, cast: Cast, make_terms: Callable[..., Terms]
) -> None:
    for shares in ((6000, 2500, 1000, 499), (6000, 2500, 1000, 501)):
        terms = make_terms(plan=Plan(make_terms().plan.payees, shares))
        err = _create_error(escrow, token, cast, terms)
        assert err.name == "EscrowSharesSum" and err.arguments["sum"] == sum(shares)


def test_create__reverts_on_zero_price(
    escrow: Escrow, token: Token, cast: Cast, make_terms: Callable[..., Terms]
) -> None:
    assert _create_error(escrow, token, cast, make_terms(price=0)).name == "EscrowZeroPrice"


def test_create__reverts_when_shares_and_payees_differ_in_length(
    escrow: Escrow, token: Token, cast: Cast, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms(plan=Plan((cast.payees[0].address,), (5000, 4000, 500, 500)))
    err = _create_error(escrow, token, cast, terms)
    assert err.name == "EscrowSharesLength" and err.arguments == {"payees": 1, "shares": 4}


def test_create__reverts_with_more_than_max_payees(
    escrow: Escrow, token: Token, cast: Cast, accounts: list[LocalAccount], make_terms: Callable[..., Terms]
) -> None:
    payees = tuple(a.address for a in accounts[5:14])
    terms = make_terms(plan=Plan(payees, (10000 - 9 * 100, 0, *([100] * 9))))
    err = _create_error(escrow, token, cast, terms)
    assert err.name == "EscrowTooManyPayees" and err.arguments == {"count": 9, "max": MAX_PAYEES}


def test_create__reverts_on_a_zero_address_party_or_payee(
    escrow: Escrow, token: Token, cast: Cast, make_terms: Callable[..., Terms]
) -> None:
    for terms in (
        make_terms(verifier=ZERO),
        make_terms(user=ZERO),
        make_terms(arbiter=ZERO),
        make_terms(plan=Plan((ZERO,), (5000, 4000, 1000))),
    ):
        assert _create_error(escrow, token, cast, terms).name == "EscrowZeroAddress"


def test_create__reverts_when_the_service_deadline_is_not_in_the_future(
    escrow: Escrow, token: Token, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    now = chain.timestamp()
    err = _create_error(escrow, token, cast, make_terms(service_deadline=now - 1))
    assert err.name == "EscrowDeadlineInPast"


def test_create__reverts_without_allowance_or_permit(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms]
) -> None:
    with pytest.raises(ContractRevert) as exc:
        escrow.create(cast.provider, make_terms())
    assert exc.value.name == "ERC20InsufficientAllowance"


def test_settle__reverts_before_the_window_and_succeeds_exactly_at_its_end(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    agreement_id = open_agreement(make_terms())
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    until = escrow.agreement(agreement_id).dispute_until
    assert until is not None
    with pytest.raises(ContractRevert) as exc:
        escrow.settle(cast.keeper, agreement_id)
    assert exc.value.name == "EscrowDisputeWindowOpen" and exc.value.arguments["disputeUntil"] == until
    chain.set_next_block_timestamp(until)
    escrow.settle(cast.keeper, agreement_id)


def test_settle__reverts_when_settled_twice(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    agreement_id = open_agreement(make_terms())
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    chain.increase_time(HOUR)
    escrow.settle(cast.keeper, agreement_id)
    with pytest.raises(ContractRevert) as exc:
        escrow.settle(cast.keeper, agreement_id)
    assert exc.value.name == "EscrowAgreementClosed"
    # the message names the enum member; the arguments keep the value
    assert f"EscrowAgreementClosed(id={agreement_id}, status=Settled)" in str(exc.value)
    assert exc.value.arguments["status"] == 5


def test_settle__reverts_with_terms_other_than_the_agreed_ones(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    # each term is committed by the storage key: changing any one finds no agreement
    terms = make_terms()
    agreement_id = open_agreement(terms)
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    chain.increase_time(HOUR)
    for changed in (
        replace(terms, price=terms.price + 1),
        replace(terms, verifier=cast.keeper.address),
        replace(terms, user=cast.keeper.address),
        replace(terms, provider=cast.keeper.address),
        replace(terms, dispute_window=0),
        replace(terms, plan=Plan(terms.plan.payees, (6000, 2500, 500, 1000))),
    ):
        with pytest.raises(ContractRevert) as exc:
            escrow.settle(cast.keeper, agreement_id, changed)
        assert exc.value.name == "EscrowTermsMismatch" and exc.value.arguments == {"id": agreement_id}
    escrow.settle(cast.keeper, agreement_id, terms)
    assert escrow.agreement(agreement_id).status is Status.SETTLED


def test_complete__reverts_for_a_stranger_naming_itself_the_verifier(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms], open_agreement: Callable[[Terms], int]
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    with pytest.raises(ContractRevert) as exc:
        escrow.complete(cast.keeper, agreement_id, EVIDENCE, replace(terms, verifier=cast.keeper.address))
    assert exc.value.name == "EscrowTermsMismatch"
    assert escrow.agreement(agreement_id).status is Status.ACTIVE


def test_create__reverts_when_the_terms_name_another_provider(
    escrow: Escrow, token: Token, cast: Cast, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms(provider=cast.keeper.address)
    token.approve(cast.provider, escrow.address, PRICE)
    with pytest.raises(ContractRevert) as exc:
        escrow.create(cast.provider, terms)
    assert exc.value.name == "EscrowUnauthorized"
    assert exc.value.arguments == {"id": 0, "caller": cast.provider.address}


def test_settle__reverts_with_a_plan_other_than_the_agreed_one(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    chain.increase_time(HOUR)
    greedy = Plan((cast.keeper.address, cast.payees[1].address), terms.plan.shares)
    with pytest.raises(ContractRevert) as exc:
        escrow.settle(cast.keeper, agreement_id, replace(terms, plan=greedy))
    assert exc.value.name == "EscrowTermsMismatch"


def test_withdraw__reverts_when_withdrawn_twice(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms], open_agreement: Callable[[Terms], int]
) -> None:
    agreement_id = open_agreement(make_terms())
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    escrow.confirm(cast.provider, agreement_id)
    escrow.withdraw(cast.verifier)
    with pytest.raises(ContractRevert) as exc:
        escrow.withdraw(cast.verifier)
    assert exc.value.name == "EscrowNothingToWithdraw"
    assert exc.value.arguments["account"] == cast.verifier.address


def test_reclaim__reverts_before_the_service_deadline(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms], open_agreement: Callable[[Terms], int]
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    with pytest.raises(ContractRevert) as exc:
        escrow.reclaim(cast.provider, agreement_id)
    assert exc.value.name == "EscrowServiceDeadlineNotReached"
    assert exc.value.arguments["serviceDeadline"] == terms.service_deadline


def test_reclaim__reverts_once_completed(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    chain.set_next_block_timestamp(terms.service_deadline + 1)
    with pytest.raises(ContractRevert) as exc:
        escrow.reclaim(cast.provider, agreement_id)
    assert exc.value.name == "EscrowWrongStatus"


def test_complete__reverts_after_the_service_deadline_and_on_empty_evidence(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    with pytest.raises(ContractRevert) as exc:
        escrow.complete(cast.verifier, agreement_id, b"\x00" * 32)
    assert exc.value.name == "EscrowEmptyEvidence"
    chain.set_next_block_timestamp(terms.service_deadline + 1)
    with pytest.raises(ContractRevert) as exc:
        escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    assert exc.value.name == "EscrowServiceDeadlinePassed"


def test_dispute__reverts_once_the_window_closed(
    escrow: Escrow,
    cast: Cast,
    chain: Chain,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    agreement_id = open_agreement(make_terms())
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    until = escrow.agreement(agreement_id).dispute_until
    assert until is not None
    chain.set_next_block_timestamp(until)
    with pytest.raises(ContractRevert) as exc:
        escrow.dispute(cast.provider, agreement_id, b"\x01" * 32)
    assert exc.value.name == "EscrowDisputeWindowClosed"


def test_resolve__reverts_on_an_unknown_payee(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms], open_agreement: Callable[[Terms], int]
) -> None:
    agreement_id = open_agreement(make_terms())
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    escrow.dispute(cast.provider, agreement_id, b"\x01" * 32)
    with pytest.raises(ContractRevert) as exc:
        escrow.resolve(cast.arbiter, agreement_id, 0, {cast.arbiter.address: PRICE})
    assert exc.value.name == "EscrowUnknownPayee"
    assert exc.value.arguments == {"id": agreement_id, "account": cast.arbiter.address}


def test_resolve__reverts_when_the_split_does_not_sum_to_the_price(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms], open_agreement: Callable[[Terms], int]
) -> None:
    agreement_id = open_agreement(make_terms())
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    escrow.dispute(cast.provider, agreement_id, b"\x01" * 32)
    for refund, split in ((PRICE - 1, {}), (1, {cast.verifier.address: PRICE})):
        with pytest.raises(ContractRevert) as exc:
            escrow.resolve(cast.arbiter, agreement_id, refund, split)
        assert exc.value.name == "EscrowSplitSum"


def test_actions__revert_on_an_unknown_agreement(escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms]) -> None:
    for agreement_id in (0, 999):
        with pytest.raises(ContractRevert) as exc:
            escrow.reclaim(cast.provider, agreement_id, make_terms())
        assert exc.value.name == "EscrowUnknownAgreement" and exc.value.arguments == {"id": agreement_id}
    with pytest.raises(BadInput, match="no escrow agreement 999"):
        escrow.reclaim(cast.provider, 999)  # the client finds no terms to send
    assert escrow.agreement(999).status is Status.NONE


def test_privileged_actions__revert_for_a_stranger(
    escrow: Escrow,
    cast: Cast,
    stranger: LocalAccount,
    chain: Chain,
    token: Token,
    make_terms: Callable[..., Terms],
    open_agreement: Callable[[Terms], int],
) -> None:
    terms = make_terms()
    token.approve(cast.provider, escrow.address, PRICE)
    proposed, _ = escrow.create(cast.provider, terms)
    active = open_agreement(terms)
    completed = open_agreement(terms)
    escrow.complete(cast.verifier, completed, EVIDENCE)
    disputed = open_agreement(terms)
    escrow.complete(cast.verifier, disputed, EVIDENCE)
    escrow.dispute(cast.provider, disputed, b"\x01" * 32)
    chain.set_next_block_timestamp(terms.service_deadline - 10)
    chain.mine()
    for action in (
        lambda: escrow.accept(stranger, proposed),
        lambda: escrow.reclaim(stranger, proposed),
        lambda: escrow.complete(stranger, active, EVIDENCE),
        lambda: escrow.complete(cast.user, active, EVIDENCE),
        lambda: escrow.confirm(stranger, completed, terms),
        lambda: escrow.dispute(stranger, completed, b"\x01" * 32),
        lambda: escrow.dispute(cast.verifier, completed, b"\x01" * 32),
        lambda: escrow.resolve(stranger, disputed, PRICE, terms=terms),
        lambda: escrow.resolve(cast.provider, disputed, PRICE, terms=terms),
    ):
        with pytest.raises(ContractRevert) as exc:
            action()
        assert exc.value.name == "EscrowUnauthorized"
    chain.increase_time(20)
    with pytest.raises(ContractRevert) as exc:
        escrow.reclaim(stranger, active)
    assert exc.value.name == "EscrowUnauthorized"


def test_terms_check__mirrors_the_contract_rules(make_terms: Callable[..., Terms]) -> None:
    from thekey.errors import BadInput

    make_terms().check()
    for bad in (
        make_terms(price=0),
        make_terms(plan=Plan((), (5000, 4999))),
        replace(make_terms(), price=2**96),
    ):
        with pytest.raises(BadInput):
            bad.check()
