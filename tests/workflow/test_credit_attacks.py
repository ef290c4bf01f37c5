"""Issue 13 scenarios 1-2: the credit rating counts only what the user did, with admitted verifiers."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from thekey.deploy import Deployment
from thekey.events import EventIndex
from thekey.payments.escrow import Plan, Terms
from thekey.workflow.demo import RESIDENT
from thekey.workflow.flow import Actors, VerificationFlow
from thekey.workflow.reasons import reason_hash
from thekey.workflow.report import CreditRating, credit_rating


@pytest.fixture
def flow(deployment: Deployment, accounts: list[LocalAccount]) -> VerificationFlow:
    f = VerificationFlow(deployment, Actors.from_accounts(accounts))
    f.enroll(RESIDENT)
    return f


def _rating(flow: VerificationFlow) -> CreditRating:
    index = EventIndex(flow.deployment)
    index.sync()
    return credit_rating(index, flow.actors.user.address)


def _terms(flow: VerificationFlow, provider: LocalAccount, verifier: LocalAccount, price: int) -> Terms:
    user = flow.actors.user.address
    return Terms(provider.address, verifier.address, user, provider.address, price,
                 flow.chain.timestamp() + 86_400, 3_600, keccak(text="sock"), Plan.of(5_000, 5_000, {}))  # fmt: skip


def test_credit__unaccepted_declines_by_a_verifier_the_attacker_controls_change_nothing(
    flow: VerificationFlow, accounts: list[LocalAccount]
) -> None:
    attacker, puppet = accounts[-1], accounts[-2]
    flow.token.transfer(flow.actors.insurer, attacker.address, 10 * 10**18)
    before = _rating(flow)
    for _ in range(5):
        agreement, _ = flow.escrow.create_and_fund(attacker, _terms(flow, attacker, puppet, 10**18))
        flow.escrow.decline(puppet, agreement, reason_hash("identity:biometric-mismatch"))
    after = _rating(flow)
    assert (after.score, after.band, after.identity_failures) == (before.score, before.band, 0)


def test_credit__sock_puppet_settlements_do_not_raise_the_band(
    flow: VerificationFlow, accounts: list[LocalAccount]
) -> None:
    provider, verifier, user = accounts[-1], accounts[-2], flow.actors.user
    flow.token.transfer(flow.actors.insurer, provider.address, 100)
    for _ in range(9):
        terms = _terms(flow, provider, verifier, 1)
        deadline = flow.chain.timestamp() + 3_600
        va = flow.escrow.sign_acceptance(verifier, terms, deadline)
        ua = flow.escrow.sign_acceptance(user, terms, deadline)
        agreement, _ = flow.escrow.create_and_fund(provider, terms, va, ua)
        flow.escrow.complete(verifier, agreement, keccak(text="evidence"))
        flow.escrow.confirm(provider, agreement, terms)
    rating = _rating(flow)
    assert rating.settled == 0
    assert rating.band != "A"
