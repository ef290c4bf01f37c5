"""Every escrow event carries exactly the values of the action that emitted it (audit trail),
and the arbiter's split is refused when its two lists differ in length."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.escrow.conftest import EVIDENCE, HOUR, PRICE, TERMS_HASH, Cast
from thekey.chain import Chain
from thekey.errors import ContractRevert
from thekey.payments.escrow import Escrow, Status, Terms, payout
from thekey.token.tky import Token

REASON = b"\x5a" * 32


def test_events__created_completed_settled_carry_the_terms_the_evidence_and_the_dust(
    escrow: Escrow, token: Token, cast: Cast, chain: Chain, make_terms: Callable[..., Terms]
) -> None:
    terms = make_terms()
    token.approve(cast.provider, escrow.address, PRICE)
    agreement_id, receipt = escrow.create(cast.provider, terms)
    (created,) = escrow.events(receipt, "AgreementCreated")
    assert created == {
        "id": agreement_id,
        "provider": cast.provider.address,
        "verifier": cast.verifier.address,
        "user": cast.user.address,
        "arbiter": cast.arbiter.address,
        "price": PRICE,
        "serviceDeadline": terms.service_deadline,
        "disputeWindow": HOUR,
        "termsHash": TERMS_HASH,
        "payees": list(terms.plan.payees),
        "shares": list(terms.plan.shares),
        "verifierAccepted": False,
        "userAccepted": False,
    }
    assert escrow.events(escrow.accept(cast.verifier, agreement_id), "AgreementAccepted") == [
        {"id": agreement_id, "party": cast.verifier.address}
    ]
    escrow.accept(cast.user, agreement_id)

    receipt = escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    completed_at = chain.timestamp(receipt.block_number)
    assert escrow.events(receipt, "AgreementCompleted") == [
        {"id": agreement_id, "evidenceHash": EVIDENCE, "disputeUntil": completed_at + HOUR}
    ]

    parties = [*terms.plan.payees, cast.user.address, cast.verifier.address]
    before = {p: escrow.credit_of(p) for p in parties}
    receipt = escrow.confirm(cast.provider, agreement_id)
    verifier, user, payees, dust = payout(PRICE, terms.plan)
    # the settlement event with the terms is the whole record: each credit follows from the plan
    assert escrow.events(receipt, "AgreementSettled") == [{"id": agreement_id, "dust": dust}]
    assert [escrow.credit_of(p) - before[p] for p in parties] == [*payees, user, verifier]
    assert sum(payees) + user + verifier == PRICE


def test_events__disputed_carries_the_reason_and_resolution_credits_the_refund(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms], open_agreement: Callable[[Terms], int]
) -> None:
    agreement_id = open_agreement(make_terms())
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    receipt = escrow.dispute(cast.provider, agreement_id, REASON)
    assert escrow.events(receipt, "AgreementDisputed") == [{"id": agreement_id, "reasonHash": REASON}]
    before = escrow.credit_of(cast.provider.address), escrow.credit_of(cast.user.address)
    receipt = escrow.resolve(cast.arbiter, agreement_id, PRICE - 5, {cast.user.address: 5})
    assert escrow.events(receipt, "AgreementResolved") == [
        {"id": agreement_id, "refund": PRICE - 5, "recipients": [cast.user.address], "amounts": [5]}
    ]
    after = escrow.credit_of(cast.provider.address), escrow.credit_of(cast.user.address)
    assert (after[0] - before[0], after[1] - before[1]) == (PRICE - 5, 5)


def test_resolve__reverts_when_recipients_and_amounts_differ_in_length(
    escrow: Escrow, cast: Cast, make_terms: Callable[..., Terms], open_agreement: Callable[[Terms], int]
) -> None:
    terms = make_terms()
    agreement_id = open_agreement(terms)
    escrow.complete(cast.verifier, agreement_id, EVIDENCE)
    escrow.dispute(cast.provider, agreement_id, REASON)
    with pytest.raises(ContractRevert) as exc:
        escrow._send(cast.arbiter, "resolve", agreement_id, terms.as_arg(), 0, [cast.user.address], [PRICE - 1, 1])
    assert exc.value.name == "EscrowSplitLength"
    assert exc.value.arguments == {"recipients": 1, "amounts": 2}
    assert escrow.agreement(agreement_id).status is Status.DISPUTED
